/*
 * orderhub-fake-carrier - a local fake of five carriers' tracking APIs (USPS TrackV2 XML,
 * Canada Post tracking XML, UPS Track JSON + OAuth, FedEx Track JSON + OAuth, DHL unified
 * JSON) for the demo, the tests and the tracking benchmark. Loopback only.
 *
 * Prints "listening on 127.0.0.1:PORT" (line-buffered) once ready; runs until SIGTERM or
 * SIGINT. See README.md for the number scheme, the knobs and the endpoints.
 */
#include "config.h"

#include "server.h"

#include "../common/fake_cli.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: orderhub-fake-carrier [options]\n"
            "  --port N            listen on 127.0.0.1:N (0 = pick one) [8790]\n"
            "  --threads N         MHD worker threads (epoll, not per connection) [2]\n"
            "  --step-ms MS        one new scan per MS since a number was first seen [1000]\n"
            "  --clock T           freeze time at T (unix seconds or YYYY-MM-DDTHH:MM:SSZ);\n"
            "                      every journey is shown whole: reproducible output\n"
            "  --latency-ms MS     added to every carrier answer [0]\n"
            "  --error-rate P      fraction of carrier answers replaced by a 503 [0]\n"
            "  --seed N            seed of the error-rate draw [1]\n"
            "  --token T           the accepted bearer token / API key / USERID / password,\n"
            "                      and what the OAuth endpoints issue [fake-token]\n"
            "  --client-secret S   the accepted OAuth client secret (any client id)\n"
            "                      [fake-secret]\n");
}

static int parse_clock(const char *s, int64_t *out)
{
    long v;
    if (fake_parse_long(s, 1, 4102444800L, &v) == 0) {
        *out = v;
        return 0;
    }
    struct tm tm = {0};
    char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == NULL || *end != '\0')
        return -1;
    *out = (int64_t)timegm(&tm);
    return *out > 0 ? 0 : -1;
}

/* 1000+ keep-alive connections need more descriptors than the usual soft limit. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"port", required_argument, NULL, 'p'},       {"threads", required_argument, NULL, 't'},
        {"step-ms", required_argument, NULL, 's'},    {"clock", required_argument, NULL, 'c'},
        {"latency-ms", required_argument, NULL, 'l'}, {"error-rate", required_argument, NULL, 'e'},
        {"seed", required_argument, NULL, 'S'},       {"token", required_argument, NULL, 'T'},
        {"client-secret", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    fk_config cfg = {.port = 8790, .threads = 2, .step_ms = 1000, .seed = 1,
                     .token = "fake-token", .client_secret = "fake-secret"};
    long v;
    int c, li = -1;
    while ((c = getopt_long(argc, argv, "h", longs, &li)) != -1) {
        int bad = 0;
        switch (c) {
        case 'p': bad = fake_parse_long(optarg, 0, 65535, &v); cfg.port = (uint16_t)v; break;
        case 't': bad = fake_parse_long(optarg, 1, 256, &v); cfg.threads = (int)v; break;
        case 's': bad = fake_parse_long(optarg, 1, 86400000, &v); cfg.step_ms = v; break;
        case 'c': bad = parse_clock(optarg, &cfg.clock_s); break;
        case 'l': bad = fake_parse_long(optarg, 0, 600000, &v); cfg.latency_ms = v; break;
        case 'S': bad = fake_parse_long(optarg, 0, 0x7fffffffL, &v); cfg.seed = (uint64_t)v; break;
        case 'T': cfg.token = optarg; bad = optarg[0] == '\0' ? -1 : 0; break;
        case 'C': cfg.client_secret = optarg; bad = optarg[0] == '\0' ? -1 : 0; break;
        case 'e': {
            char *end;
            cfg.error_rate = strtod(optarg, &end);
            bad = (*end != '\0' || end == optarg || cfg.error_rate < 0 || cfg.error_rate > 1)
                      ? -1 : 0;
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "orderhub-fake-carrier: bad value for --%s: %s\n",
                    li >= 0 ? longs[li].name : "?", optarg);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    raise_fd_limit();
    sigset_t set;
    fake_signals_block(&set);
    fk_server *s = fk_server_start(&cfg);
    if (s == NULL) {
        fprintf(stderr, "orderhub-fake-carrier: cannot listen on 127.0.0.1:%u\n", cfg.port);
        return 1;
    }
    fake_ready_wait(&set, fk_server_port(s));
    fk_server_stop(s);
    return 0;
}
