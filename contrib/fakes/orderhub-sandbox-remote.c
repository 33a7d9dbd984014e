/*
 * orderhub-sandbox-remote - the sandbox gateway and carrier as a standalone server, for the
 * demo and for trying orderhubd by hand.
 *
 *   orderhub-sandbox-remote [--port N] [--step-ms MS]
 *
 * Prints "listening on 127.0.0.1:PORT" once ready; runs until SIGTERM or SIGINT.
 */
#include "config.h"

#include "sandbox_remote.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"port", required_argument, NULL, 'p'},
                                          {"step-ms", required_argument, NULL, 's'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    long port = 8781, step = 1000;
    int c;
    while ((c = getopt_long(argc, argv, "p:s:h", longs, NULL)) != -1) {
        switch (c) {
        case 'p': port = strtol(optarg, NULL, 10); break;
        case 's': step = strtol(optarg, NULL, 10); break;
        case 'h':
            printf("Usage: orderhub-sandbox-remote [--port N] [--step-ms MS]\n");
            return 0;
        default: return 2;
        }
    }
    if (port < 0 || port > 65535 || step < 1) {
        fprintf(stderr, "orderhub-sandbox-remote: bad --port or --step-ms\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sandbox_remote *s = sr_start((uint16_t)port, step);
    if (s == NULL) {
        fprintf(stderr, "orderhub-sandbox-remote: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    printf("listening on 127.0.0.1:%u\n", sr_port(s));
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    sr_stop(s);
    return 0;
}
