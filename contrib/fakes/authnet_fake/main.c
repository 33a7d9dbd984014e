/*
 * orderhub-fake-authnet - a local fake of Authorize.Net's XML API (createTransactionRequest:
 * authOnly, priorAuthCapture, void, refund) with the live API's duplicate-window behaviour
 * and a ledger for tests.  Loopback only.  Prints "listening on 127.0.0.1:PORT"
 * (line-buffered) once ready; runs until SIGTERM or SIGINT.  See README.md.
 */
#include "config.h"

#include "server.h"

#include "../common/fake_cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: orderhub-fake-authnet [options]\n"
               "  --port N              listen on 127.0.0.1:N (0 = pick one) [8792]\n"
               "  --threads N           MHD worker threads [2]\n"
               "  --login NAME          the accepted API Login ID [fake-login]\n"
               "  --key KEY             the accepted Transaction Key [fake-key]\n"
               "  --latency-ms MS       added to every API answer [0]\n"
               "  --auth-latency-ms MS  added to authorization answers only [0]\n"
               "  --no-bom              answers without the UTF-8 BOM the live API sends\n");
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"port", required_argument, NULL, 'p'},       {"threads", required_argument, NULL, 't'},
        {"login", required_argument, NULL, 'L'},      {"key", required_argument, NULL, 'K'},
        {"latency-ms", required_argument, NULL, 'l'},
        {"auth-latency-ms", required_argument, NULL, 'a'},
        {"no-bom", no_argument, NULL, 'B'},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    gw_config cfg = {.port = 8792, .threads = 2, .login = "fake-login", .key = "fake-key",
                     .bom = 1};
    long v;
    int c, li = -1;
    while ((c = getopt_long(argc, argv, "h", longs, &li)) != -1) {
        int bad = 0;
        switch (c) {
        case 'p': bad = fake_parse_long(optarg, 0, 65535, &v); cfg.port = (uint16_t)v; break;
        case 't': bad = fake_parse_long(optarg, 1, 64, &v); cfg.threads = (int)v; break;
        case 'L': cfg.login = optarg; break;
        case 'K': cfg.key = optarg; break;
        case 'l': bad = fake_parse_long(optarg, 0, 600000, &v); cfg.latency_ms = v; break;
        case 'a': bad = fake_parse_long(optarg, 0, 600000, &v); cfg.auth_latency_ms = v; break;
        case 'B': cfg.bom = 0; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "orderhub-fake-authnet: bad value for --%s: %s\n",
                    li >= 0 ? longs[li].name : "?", optarg);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    sigset_t set;
    fake_signals_block(&set);
    fa_server *s = fa_server_start(&cfg);
    if (s == NULL) {
        fprintf(stderr, "orderhub-fake-authnet: cannot listen on 127.0.0.1:%u\n", cfg.port);
        return 1;
    }
    fake_ready_wait(&set, fa_server_port(s));
    fa_server_stop(s);
    return 0;
}
