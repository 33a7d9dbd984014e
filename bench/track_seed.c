/*
 * track_seed - fill a fresh orderhub database with N orders in transit, each with a
 * shipment of one carrier instance and its tracking poll due now: the starting point of
 * bench/track_bench.sh (100,000 active shipments without running 100,000 orders through
 * placement, payment and labels first).  Written through the store's own units, so the
 * rows are exactly what the engine writes.
 *
 *   track_seed --db PATH --shipments N --carrier ID [--prefix P] [--digits D] [--start S]
 *
 * Order i (S <= i < S + N) is "trk-<i>" with tracking number P followed by i in D digits
 * (default 10): choose P and D to make the carrier's number shape.  The fake carrier picks
 * a journey by the number's last digit, so consecutive orders run every journey.  Call it
 * once per carrier, with distinct ranges, to seed several.
 */
#include "config.h"

#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IN_FLIGHT 512

typedef struct slot {
    st_unit unit;
    st_order order;
    st_timer timer;
} slot;

static sem_t free_slots;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static long failures;

static void done(void *arg, int rc, const char *error)
{
    slot *s = arg;
    if (rc != 0) {
        pthread_mutex_lock(&fail_lock);
        if (failures++ == 0)
            fprintf(stderr, "track_seed: %s: %s\n", s->order.id, error ? error : "?");
        pthread_mutex_unlock(&fail_lock);
    }
    free(s->order.snapshot);
    free(s);
    sem_post(&free_slots);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"db", required_argument, NULL, 'd'},
                                          {"shipments", required_argument, NULL, 'n'},
                                          {"carrier", required_argument, NULL, 'c'},
                                          {"prefix", required_argument, NULL, 'p'},
                                          {"digits", required_argument, NULL, 'D'},
                                          {"start", required_argument, NULL, 's'},
                                          {NULL, 0, NULL, 0}};
    const char *db = NULL, *carrier = NULL, *prefix = "BENCH";
    long n = 0, start = 0;
    int c, digits = 10;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n': n = strtol(optarg, NULL, 10); break;
        case 'c': carrier = optarg; break;
        case 'p': prefix = optarg; break;
        case 'D': digits = (int)strtol(optarg, NULL, 10); break;
        case 's': start = strtol(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: track_seed --db PATH --shipments N --carrier ID "
                            "[--prefix P] [--digits D] [--start S]\n");
            return 2;
        }
    }
    if (db == NULL || carrier == NULL || n <= 0 || n > 10000000 || digits < 1 || digits > 30 ||
        start < 0) {
        fprintf(stderr, "track_seed: --db, --carrier and --shipments (1..10000000) needed; "
                        "--digits 1..30, --start >= 0\n");
        return 2;
    }
    store *st = NULL;
    char err[512];
    store_options so = {.path = db, .sync_full = 0};
    if (store_open(&so, &st, err, sizeof(err)) != 0) {
        fprintf(stderr, "track_seed: %s\n", err);
        return 1;
    }
    sem_init(&free_slots, 0, IN_FLIGHT);
    int64_t now = now_ms();
    for (long i = start; i < start + n; i++) {
        sem_wait(&free_slots);
        slot *s = calloc(1, sizeof(*s));
        if (s == NULL) {
            fprintf(stderr, "track_seed: out of memory\n");
            return 1;
        }
        snprintf(s->order.id, sizeof(s->order.id), "trk-%08ld", i);
        snprintf(s->order.state, sizeof(s->order.state), "in_transit");
        snprintf(s->order.seller_id, sizeof(s->order.seller_id), "s-%ld", i % 100);
        char number[64];
        snprintf(number, sizeof(number), "%s%0*ld", prefix, digits, i);
        json_t *snap = json_pack(
            "{s:s, s:s, s:{s:s}, s:[{s:s, s:i, s:i}], s:s, s:i, s:s, s:{s:s, s:s, s:s, s:I}}",
            "id", s->order.id, "state", "in_transit", "seller", "id", s->order.seller_id,
            "items", "sku", "BENCH-1",
            "quantity", 1, "unit_price", 1000, "currency", "USD", "total", 1000,
            "service_level", "standard", "shipment", "carrier", carrier, "tracking_number",
            number, "status", "in_transit", "changed_ms", (json_int_t)now);
        s->order.snapshot = snap ? json_dumps(snap, JSON_COMPACT) : NULL;
        json_decref(snap);
        s->order.version = 1;
        s->order.created_ms = s->order.updated_ms = now;
        snprintf(s->timer.order_id, sizeof(s->timer.order_id), "%s", s->order.id);
        snprintf(s->timer.name, sizeof(s->timer.name), "track_poll");
        s->timer.due_ms = now;
        s->unit = (st_unit){.order = &s->order, .expect_version = 0, .new_timers = &s->timer,
                            .new_timer_count = 1, .done = done, .arg = s};
        if (s->order.snapshot == NULL || store_submit(st, &s->unit) != 0) {
            fprintf(stderr, "track_seed: cannot submit order %ld\n", i);
            return 1;
        }
    }
    for (int k = 0; k < IN_FLIGHT; k++)
        sem_wait(&free_slots);
    store_close(st);
    printf("track_seed: %ld shipments of carrier '%s' in %s, %ld failed\n", n, carrier, db,
           failures);
    return failures == 0 ? 0 : 1;
}
