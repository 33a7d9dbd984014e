/*
 * orderhub-fake-stripe - a local fake of Stripe's PaymentIntents and Refunds API for the
 * tests and the demo: create (with confirm and manual capture), capture, cancel, refund,
 * Stripe's error object and HTTP codes, Idempotency-Key records replayed like Stripe's, and
 * a ledger of charges for tests that count them.  Loopback only.
 *
 * Prints "listening on 127.0.0.1:PORT" (line-buffered) once ready; runs until SIGTERM or
 * SIGINT.  See README.md for the tokens, the knobs and the endpoints.
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
    fprintf(f,
            "Usage: orderhub-fake-stripe [options]\n"
            "  --port N             listen on 127.0.0.1:N (0 = pick one) [8792]\n"
            "  --threads N          MHD worker threads (epoll, not per connection) [2]\n"
            "  --secret-key K       the accepted secret key (Authorization: Bearer K)\n"
            "                       [sk_test_fake]\n"
            "  --latency-ms MS      added to every API answer [0]\n"
            "  --slow-ms MS         latency of the pm_fake_slow token [2000]\n"
            "  --flaky-failures N   500s pm_fake_flaky gives per idempotency key before it\n"
            "                       approves [2]\n"
            "  --error-rate P       fraction of API requests answered 500 in front of the\n"
            "                       API (never recorded under their idempotency key) [0]\n"
            "  --seed N             seed of ids and of the error-rate draw [1]\n"
            "  --clock T            Unix seconds written as every object's `created` [live]\n");
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"port", required_argument, NULL, 'p'},       {"threads", required_argument, NULL, 't'},
        {"secret-key", required_argument, NULL, 'k'}, {"latency-ms", required_argument, NULL, 'l'},
        {"slow-ms", required_argument, NULL, 'w'},    {"flaky-failures", required_argument, NULL, 'f'},
        {"error-rate", required_argument, NULL, 'e'}, {"seed", required_argument, NULL, 'S'},
        {"clock", required_argument, NULL, 'c'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    sf_config cfg = {.port = 8792, .threads = 2, .secret_key = "sk_test_fake", .slow_ms = 2000,
                     .flaky_failures = 2, .seed = 1};
    long v;
    int c, li = -1;
    while ((c = getopt_long(argc, argv, "h", longs, &li)) != -1) {
        int bad = 0;
        switch (c) {
        case 'p': bad = fake_parse_long(optarg, 0, 65535, &v); cfg.port = (uint16_t)v; break;
        case 't': bad = fake_parse_long(optarg, 1, 64, &v); cfg.threads = (int)v; break;
        case 'k': cfg.secret_key = optarg; bad = optarg[0] == '\0' ? -1 : 0; break;
        case 'l': bad = fake_parse_long(optarg, 0, 600000, &v); cfg.latency_ms = v; break;
        case 'w': bad = fake_parse_long(optarg, 0, 600000, &v); cfg.slow_ms = v; break;
        case 'f': bad = fake_parse_long(optarg, 0, 1000, &v); cfg.flaky_failures = (int)v; break;
        case 'S': bad = fake_parse_long(optarg, 0, 0x7fffffffL, &v); cfg.seed = (uint64_t)v; break;
        case 'c': bad = fake_parse_long(optarg, 1, 4102444800L, &v); cfg.clock_s = v; break;
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
            fprintf(stderr, "orderhub-fake-stripe: bad value for --%s: %s\n",
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
    sf_server *s = sf_server_start(&cfg);
    if (s == NULL) {
        fprintf(stderr, "orderhub-fake-stripe: cannot listen on 127.0.0.1:%u\n", cfg.port);
        return 1;
    }
    fake_ready_wait(&set, sf_server_port(s));
    sf_server_stop(s);
    return 0;
}
