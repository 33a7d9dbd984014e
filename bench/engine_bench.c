/*
 * engine_bench - durable order placements per second through the whole engine: eng_place
 * -> worker (state machine, route chains, snapshot) -> store unit -> group commit (SQLite,
 * WAL, synchronous=FULL) -> reply.  See bench/README.md.
 *
 *   engine_bench [--orders N] [--warmup M] [--inflight K] [--workers W] [--submitters S]
 *                [--plugin-dir DIR] [--dir DIR] [--configs AB|A|B|BS|S|ABS] [--rounds R]
 *                [--max-seconds T] [--keep]
 *
 * Three configurations, each on a fresh database in its own temp directory:
 *   A  a route `order.placed` with a chain of three filter_limits instances (different
 *      settings, all passing the benchmark's order), run inline by the worker;
 *   B  no plugins, no routes: the engine and the store on their own.  Its SKU has no stock
 *      record and untracked SKUs are unlimited (the default): no stock is tracked;
 *   S  B with stock tracked (a flash sale): the seller's records of 10 hot SKUs are seeded
 *      before the run with enough units for every order, and orders cycle over them, so
 *      every placement reserves from a record that the other orders hit too.
 * Each placement runs "place" then "validate" (awaiting_payment) in ONE store unit that
 * journals three events: order.placed, order.validated, inventory.reserved.
 *
 * S submitter threads keep K orders in flight in total (K / S each: a new order is placed
 * as soon as a reply frees a slot).  Latency of an order = time its reply ran (the unit is
 * durable) - time eng_place was called.  M warm-up orders are placed and drained first and
 * are not counted; the measured window runs from the first measured eng_place to the last
 * measured reply.
 *
 * Events/s is COUNTED in the store (rows added to the events table during the measured
 * window, read through a separate read-only SQLite connection), not multiplied.
 * Exit status 0 when every order placed got a successful reply in state awaiting_payment and,
 * in S, the records hold exactly the units those orders reserved (a
 * run cut short by --max-seconds reports what it measured, marked TRUNCATED, and still
 * exits 0); 1 otherwise; 2 on bad options.
 */
#include "config.h"

#include "engine/hub.h"
#include "log/log.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SUBMITTERS 8

/* ---- options ----------------------------------------------------------------------------- */

typedef struct options {
    long orders;
    long warmup;
    int inflight;
    int workers;
    int submitters;
    int rounds;
    double max_seconds; /* per configuration and round, warm-up included */
    const char *plugin_dir;
    const char *base;
    const char *configs;
    int keep;
} options;

/* ---- one configuration run ---------------------------------------------------------------- */

struct run;

typedef struct rec {
    struct run *r;
    int sub;
    int64_t submit_ns;
    int64_t lat_ns;
} rec;

typedef struct result {
    char name;
    long measured;        /* replies in the measured window */
    long failed;          /* all phases */
    int truncated;
    double secs;
    double orders_per_s;
    long events;          /* counted in the store during the measured window */
    double events_per_s;
    double p50_ms, p99_ms, max_ms, mean_ms;
    uint64_t units, batches;
    double cpu_user, cpu_sys;
    long long stock_reserved, stock_on_hand; /* S only: over the hot SKUs after the run */
    int64_t stock_per_sku;                   /* S only: units seeded per hot SKU */
} result;

typedef struct run {
    const options *opt;
    char name;            /* 'A', 'B' or 'S': part of the order ids */
    hub h;
    char db[PATH_MAX];
    rec *recs;
    long total;
    sem_t permits[MAX_SUBMITTERS];
    atomic_long submitted;
    atomic_long completed;
    atomic_long failed;
    atomic_int truncated;
    struct timespec deadline; /* CLOCK_REALTIME, for sem_timedwait */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t last_reply_ns;
    char first_error[512];
} run;

typedef struct submitter {
    run *r;
    int index;
    long from, to;
} submitter;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int past_deadline(const run *r)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec > r->deadline.tv_sec ||
           (ts.tv_sec == r->deadline.tv_sec && ts.tv_nsec >= r->deadline.tv_nsec);
}

#define HOT_SKUS 10
#define ORDER_QTY 2

/* S's hot SKUs: MUG-1 (B's SKU) to MUG-10, so that only the stock records differ. */
static void hot_sku(long i, char *sku, size_t len)
{
    snprintf(sku, len, "MUG-%ld", i % HOT_SKUS + 1);
}

/* The same order shape in every configuration (as the HTTP intake would hand it over);
 * S cycles over its hot SKUs. */
static json_t *make_order(char cfg, long i)
{
    char id[32], sku[16] = "MUG-1";
    snprintf(id, sizeof(id), "bench-%c-%08ld", cfg, i);
    if (cfg == 'S')
        hot_sku(i, sku, sizeof(sku));
    return json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:[{s:s, s:i, s:I}], s:s, s:I, "
                     "s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s}, s:s}",
                     "id", id, "seller", "id", "s-1", "email", "seller@example.test",
                     "buyer", "name", "Ada Buyer", "email", "ada@example.test",
                     "items", "sku", sku, "quantity", ORDER_QTY, "unit_price", (json_int_t)1299,
                     "currency", "USD", "total", (json_int_t)2598,
                     "shipping_address", "name", "Ada Buyer", "street1", "1 Main St", "city",
                     "Springfield", "postal_code", "62701", "country", "US",
                     "payment", "token", "tok_visa", "service_level", "standard");
}

/* Runs on the store's writer thread (or a worker for a refusal): short. */
static void on_reply(void *arg, int rc, const char *state, const char *error)
{
    rec *o = arg;
    run *r = o->r;
    int64_t now = mono_ns();
    o->lat_ns = now - o->submit_ns;
    if (rc != 0 || state == NULL || strcmp(state, "awaiting_payment") != 0) {
        if (atomic_fetch_add(&r->failed, 1) == 0) {
            pthread_mutex_lock(&r->mu);
            snprintf(r->first_error, sizeof(r->first_error), "rc %d, state %s: %s", rc,
                     state ? state : "-", error ? error : "-");
            pthread_mutex_unlock(&r->mu);
        }
    }
    sem_post(&r->permits[o->sub]);
    /* Counted under the lock: whoever sees the last completion sees its time too. */
    pthread_mutex_lock(&r->mu);
    r->last_reply_ns = now;
    atomic_fetch_add(&r->completed, 1);
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void *submit_main(void *arg)
{
    submitter *s = arg;
    run *r = s->r;
    for (long i = s->from + s->index; i < s->to; i += r->opt->submitters) {
        while (sem_timedwait(&r->permits[s->index], &r->deadline) != 0) {
            if (errno == ETIMEDOUT) {
                atomic_store(&r->truncated, 1);
                return NULL;
            }
        }
        if (atomic_load(&r->truncated) || past_deadline(r)) {
            atomic_store(&r->truncated, 1);
            sem_post(&r->permits[s->index]);
            return NULL;
        }
        rec *o = &r->recs[i];
        o->r = r;
        o->sub = s->index;
        json_t *order = make_order(r->name, i);
        atomic_fetch_add(&r->submitted, 1);
        o->submit_ns = mono_ns();
        if (order == NULL || eng_place(r->h.engine, order, on_reply, o) != 0) {
            fprintf(stderr, "eng_place refused order %ld\n", i);
            atomic_fetch_sub(&r->submitted, 1);
            atomic_fetch_add(&r->failed, 1);
            sem_post(&r->permits[s->index]);
        }
    }
    return NULL;
}

/* Place orders [from, to) from S threads, then wait until every one placed has replied.
 * 0, or -1 when replies are still missing long after the deadline. */
static int drive(run *r, long from, long to)
{
    submitter subs[MAX_SUBMITTERS];
    pthread_t th[MAX_SUBMITTERS];
    int n = r->opt->submitters;
    for (int i = 0; i < n; i++) {
        subs[i] = (submitter){.r = r, .index = i, .from = from, .to = to};
        if (pthread_create(&th[i], NULL, submit_main, &subs[i]) != 0) {
            fprintf(stderr, "cannot start a submitter thread\n");
            exit(1);
        }
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    /* Replies still in flight: give them the deadline plus 30 s. */
    struct timespec limit = r->deadline;
    limit.tv_sec += 30;
    pthread_mutex_lock(&r->mu);
    int rc = 0;
    while (atomic_load(&r->completed) < atomic_load(&r->submitted) && rc == 0)
        rc = pthread_cond_timedwait(&r->cv, &r->mu, &limit);
    pthread_mutex_unlock(&r->mu);
    if (atomic_load(&r->completed) < atomic_load(&r->submitted)) {
        fprintf(stderr, "%ld replies missing 30 s after the deadline\n",
                atomic_load(&r->submitted) - atomic_load(&r->completed));
        return -1;
    }
    return 0;
}

/* Rows in the events table, through a read-only connection of our own; -1 on error. */
static long count_events(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_busy_timeout(h, 5000) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT count(*) FROM events", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    else
        fprintf(stderr, "counting events in %s: %s\n", db, h ? sqlite3_errmsg(h) : "?");
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(p);
}

static const char conf_chain[] =
    "store = { path = \"hub.db\"; };\n"
    "plugins = (\n"
    "  { id = \"limit_total\"; module = \"filter_limits\"; settings = { max_total = 500000; }; },\n"
    "  { id = \"limit_items\"; module = \"filter_limits\"; settings = { max_items = 20; }; },\n"
    "  { id = \"limit_both\"; module = \"filter_limits\";\n"
    "    settings = { max_total = 1000000; max_items = 50; }; } );\n"
    "routes = (\n"
    "  { on = \"order.placed\"; chain = [ \"limit_total\", \"limit_items\", \"limit_both\" ]; } );\n";

static const char conf_bare[] = "store = { path = \"hub.db\"; };\n";

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

/* S: seller s-1's records of the hot SKUs, in one unit before the run, each with enough
 * units for every order of the run (warm-up included) that cycles onto it. */
static int seed_stock(store *st, long total, int64_t *per_sku)
{
    st_stock_set sets[HOT_SKUS];
    *per_sku = ORDER_QTY * ((total + HOT_SKUS - 1) / HOT_SKUS);
    for (int k = 0; k < HOT_SKUS; k++) {
        sets[k] = (st_stock_set){.mode = ST_STOCK_SET, .value = *per_sku, .low_threshold = -1};
        snprintf(sets[k].seller_id, sizeof(sets[k].seller_id), "s-1");
        hot_sku(k, sets[k].sku, sizeof(sets[k].sku));
    }
    st_unit u = {.stock_sets = sets, .stock_set_count = HOT_SKUS};
    char err[256];
    if (store_commit(st, &u, err, sizeof(err)) != 0) {
        fprintf(stderr, "[S] seeding the stock: %s\n", err);
        return -1;
    }
    return 0;
}

/* S: units reserved over the hot SKUs' records (-1 on a read error), read back after the
 * run so that the figures are known to come from tracked placements. */
static long long stock_reserved(store *st, long long *on_hand)
{
    long long reserved = 0;
    *on_hand = 0;
    for (int k = 0; k < HOT_SKUS; k++) {
        char sku[16], err[256];
        st_stock one;
        hot_sku(k, sku, sizeof(sku));
        if (store_stock_get(st, "s-1", sku, &one, err, sizeof(err)) != 0) {
            fprintf(stderr, "[S] reading the stock of %s: %s\n", sku, err);
            return -1;
        }
        reserved += one.reserved;
        *on_hand += one.on_hand;
    }
    return reserved;
}

/*
 * One configuration: a fresh directory and database, hub_start, warm-up, measured window,
 * hub_stop.  0 and *res filled, or -1.
 */
static int run_config(const options *opt, ldr_registry *reg, const char *root, char name,
                      int round, result *res)
{
    memset(res, 0, sizeof(*res));
    res->name = name;
    char dir[PATH_MAX], conf[PATH_MAX + 32];
    snprintf(dir, sizeof(dir), "%s/%c%d", root, name, round);
    if (mkdir(dir, 0700) != 0) {
        perror(dir);
        return -1;
    }
    snprintf(conf, sizeof(conf), "%s/orderhub.conf", dir);
    if (write_file(conf, name == 'A' ? conf_chain : conf_bare) != 0)
        return -1;

    run *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -1;
    r->opt = opt;
    r->total = opt->warmup + opt->orders;
    r->recs = calloc((size_t)r->total, sizeof(rec));
    if (r->recs == NULL) {
        free(r);
        return -1;
    }
    r->name = name;
    snprintf(r->db, sizeof(r->db), "%s/hub.db", dir);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    int per = opt->inflight / opt->submitters;
    for (int i = 0; i < opt->submitters; i++)
        sem_init(&r->permits[i], 0, (unsigned)(i == 0 ? opt->inflight - per * (opt->submitters - 1)
                                                      : per));

    const char *dirs[] = {opt->plugin_dir};
    rt_build_opts bo = {.extra_dirs = dirs, .extra_dir_count = 1, .init = 1};
    diag_list d = {0};
    rt_gen *g = rt_build(reg, conf, &bo, &d);
    if (g == NULL) {
        fprintf(stderr, "[%c] configuration refused (plugin dir %s):\n", name, opt->plugin_dir);
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "  %s\n", d.items[i].text);
        diag_free(&d);
        free(r->recs);
        free(r);
        return -1;
    }
    diag_free(&d);
    eng_options eo = {.workers = opt->workers};
    char err[512];
    if (hub_start(&r->h, g, &eo, err, sizeof(err)) != 0) {
        fprintf(stderr, "[%c] hub_start: %s\n", name, err);
        free(r->recs);
        free(r);
        return -1;
    }
    int rc = 0;
    if (name == 'S' && seed_stock(r->h.store, r->total, &res->stock_per_sku) != 0)
        rc = -1;
    clock_gettime(CLOCK_REALTIME, &r->deadline);
    r->deadline.tv_sec += (time_t)opt->max_seconds;

    /* Warm-up: placed and drained, not counted. */
    if (rc == 0 && opt->warmup > 0 && drive(r, 0, opt->warmup) != 0)
        rc = -1;
    long warm_done = atomic_load(&r->completed);
    uint64_t u0 = 0, b0 = 0, u1 = 0, b1 = 0;
    store_stats(r->h.store, &u0, &b0);
    long ev0 = count_events(r->db);
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    int64_t t0 = mono_ns();
    if (rc == 0 && !atomic_load(&r->truncated) && drive(r, opt->warmup, r->total) != 0)
        rc = -1;
    getrusage(RUSAGE_SELF, &ru1);
    store_stats(r->h.store, &u1, &b1);
    long ev1 = count_events(r->db);
    int64_t t1;
    pthread_mutex_lock(&r->mu);
    t1 = r->last_reply_ns;
    pthread_mutex_unlock(&r->mu);

    res->measured = atomic_load(&r->completed) - warm_done;
    res->failed = atomic_load(&r->failed);
    res->truncated = atomic_load(&r->truncated);
    res->secs = t1 > t0 ? (double)(t1 - t0) / 1e9 : 0;
    res->orders_per_s = res->secs > 0 ? (double)res->measured / res->secs : 0;
    res->events = ev0 >= 0 && ev1 >= 0 ? ev1 - ev0 : -1;
    res->events_per_s = res->secs > 0 && res->events >= 0 ? (double)res->events / res->secs : 0;
    res->units = u1 - u0;
    res->batches = b1 - b0;
    res->cpu_user = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime);
    res->cpu_sys = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
    if (res->measured > 0) {
        int64_t *lat = malloc((size_t)res->measured * sizeof(*lat));
        if (lat != NULL) {
            double sum = 0;
            long n = 0;
            for (long i = opt->warmup; i < r->total && n < res->measured; i++) {
                if (r->recs[i].r != NULL) {
                    lat[n++] = r->recs[i].lat_ns;
                    sum += (double)r->recs[i].lat_ns;
                }
            }
            qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
            res->p50_ms = (double)lat[(n - 1) * 50 / 100] / 1e6;
            res->p99_ms = (double)lat[(n - 1) * 99 / 100] / 1e6;
            res->max_ms = (double)lat[n - 1] / 1e6;
            res->mean_ms = sum / (double)n / 1e6;
            free(lat);
        }
    }
    if (res->failed > 0)
        fprintf(stderr, "[%c] %ld order(s) failed; first: %s\n", name, res->failed,
                r->first_error);

    if (rc == 0 && name == 'S') {
        res->stock_reserved = stock_reserved(r->h.store, &res->stock_on_hand);
        if (res->stock_reserved < 0)
            rc = -1;
        else if (res->stock_reserved != (long long)ORDER_QTY * atomic_load(&r->completed)) {
            /* Every order placed reserved its units, or the run measured something else. */
            fprintf(stderr, "[S] %lld units reserved for %ld orders of %d\n",
                    res->stock_reserved, atomic_load(&r->completed), ORDER_QTY);
            res->failed++;
        }
    }
    if (rc == 0)
        hub_stop(&r->h);
    else
        return -1; /* units may still reference our memory: leave everything as it is */
    for (int i = 0; i < opt->submitters; i++)
        sem_destroy(&r->permits[i]);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->recs);
    free(r);
    /* The next run starts on a clean disk: no earlier database left to write back. */
    if (!opt->keep)
        nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static double cpu_us_per_order(const result *x)
{
    return x->measured > 0 ? (x->cpu_user + x->cpu_sys) * 1e6 / (double)x->measured : 0;
}

static void print_result(const options *opt, const result *x, int round)
{
    double wall = x->secs > 0 ? x->secs : 1;
    printf("[%c] %s\n", x->name,
           x->name == 'A'   ? "route order.placed -> 3 x filter_limits (inline)"
           : x->name == 'B' ? "no routes, no plugins (engine + store only)"
                            : "B with stock tracked: 10 hot SKUs with stock records, orders "
                              "cycle over them");
    if (opt->rounds > 1)
        printf("    round            %d\n", round + 1);
    printf("    measured         %ld orders in %.3f s (+%ld warm-up), %ld failed%s\n",
           x->measured, x->secs, opt->warmup, x->failed,
           x->truncated ? "  ** TRUNCATED by --max-seconds **" : "");
    printf("    orders/s         %.0f\n", x->orders_per_s);
    printf("    events/s         %.0f   (counted in the store: %ld journal rows = %.2f per "
           "order)\n",
           x->events_per_s, x->events,
           x->measured ? (double)x->events / (double)x->measured : 0.0);
    printf("    latency ms       p50 %.2f  p99 %.2f  max %.2f  (mean %.2f)\n", x->p50_ms,
           x->p99_ms, x->max_ms, x->mean_ms);
    printf("    group commit     %llu units in %llu transactions: mean batch %.1f units, "
           "%.0f commits/s\n",
           (unsigned long long)x->units, (unsigned long long)x->batches,
           x->batches ? (double)x->units / (double)x->batches : 0.0,
           (double)x->batches / wall);
    printf("    cpu              user %.2f s + sys %.2f s = %.2f of %ld cores busy, %.1f us of "
           "CPU per order (this process, all threads)\n",
           x->cpu_user, x->cpu_sys, (x->cpu_user + x->cpu_sys) / wall,
           sysconf(_SC_NPROCESSORS_ONLN), cpu_us_per_order(x));
    if (x->name == 'S')
        printf("    stock            %d SKUs seeded with %lld units each; after the run %lld "
               "of %lld units reserved (%d per order)\n",
               HOT_SKUS, (long long)x->stock_per_sku, x->stock_reserved, x->stock_on_hand,
               ORDER_QTY);
    printf("RESULT config=%c round=%d orders=%ld secs=%.3f orders_per_s=%.0f events_per_s=%.0f "
           "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_batch=%.1f cpu_us_per_order=%.1f failed=%ld "
           "truncated=%d\n",
           x->name, round + 1, x->measured, x->secs, x->orders_per_s, x->events_per_s,
           x->p50_ms, x->p99_ms, x->max_ms,
           x->batches ? (double)x->units / (double)x->batches : 0.0, cpu_us_per_order(x),
           x->failed, x->truncated);
    fflush(stdout);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Two configurations' paired rounds (run back to back) summed up: medians and bests. */
typedef struct paired {
    double ratio;                 /* of the per-round throughputs, other / base */
    double cpu_base, cpu_other;   /* us of CPU per order */
    double best_base, best_other; /* orders/s */
} paired;

/* Prints each round's other/base throughput ratio after "  LABEL per round:". */
static paired pair_rounds(const result *base, const result *other, int n, const char *label)
{
    double ratio[20], cbase[20], cother[20];
    paired p = {0};
    printf("  %s per round:", label);
    for (int i = 0; i < n; i++) {
        ratio[i] = base[i].orders_per_s > 0 ? other[i].orders_per_s / base[i].orders_per_s : 0;
        cbase[i] = cpu_us_per_order(&base[i]);
        cother[i] = cpu_us_per_order(&other[i]);
        p.best_base = base[i].orders_per_s > p.best_base ? base[i].orders_per_s : p.best_base;
        p.best_other = other[i].orders_per_s > p.best_other ? other[i].orders_per_s
                                                            : p.best_other;
        printf(" %.3f", ratio[i]);
    }
    printf("\n");
    p.ratio = median(ratio, n);
    p.cpu_base = median(cbase, n);
    p.cpu_other = median(cother, n);
    return p;
}

/* $top_builddir/plugins/.libs, from where this executable is: $top_builddir/bench/
 * (or bench/.libs/ when run through a libtool wrapper). */
static char *default_plugin_dir(void)
{
    const char *env = getenv("PLUGIN_DIR");
    if (env != NULL && *env != '\0')
        return strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return strdup("plugins/.libs");
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0'; /* .../bench or .../bench/.libs */
    size_t len = strlen(exe);
    if (len >= 6 && strcmp(exe + len - 6, "/.libs") == 0)
        exe[len - 6] = '\0';
    slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0'; /* top_builddir */
    char *out = NULL;
    if (asprintf(&out, "%s/plugins/.libs", exe) < 0)
        return NULL;
    return out;
}

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: engine_bench [options]\n"
            "  --orders N        measured placements per configuration (default 50000)\n"
            "  --warmup M        placements before measuring, not counted (default 5000)\n"
            "  --inflight K      orders in flight at once, in total (default 256)\n"
            "  --workers W       engine worker threads (default 2)\n"
            "  --submitters S    threads calling eng_place, 1..%d (default 1)\n"
            "  --plugin-dir DIR  where filter_limits.so is (default $PLUGIN_DIR, else\n"
            "                    $top_builddir/plugins/.libs found from the executable)\n"
            "  --dir DIR         parent of the temp directory (default $TMPDIR or /tmp)\n"
            "  --configs WHICH   any of A (3-filter chain), B (no plugins), S (B with stock\n"
            "                    tracked on 10 hot SKUs); default AB\n"
            "  --rounds R        run the configurations R times, alternating (default 1)\n"
            "  --max-seconds T   bound per configuration and round (default 120)\n"
            "  --keep            keep the temp directory (databases) for inspection\n",
            MAX_SUBMITTERS);
    exit(status);
}

int main(int argc, char **argv)
{
    options opt = {.orders = 50000, .warmup = 5000, .inflight = 256, .workers = 2,
                   .submitters = 1, .rounds = 1, .max_seconds = 120, .configs = "AB"};
    const char *tmp = getenv("TMPDIR");
    opt.base = tmp != NULL && *tmp != '\0' ? tmp : "/tmp";
    static const struct option longs[] = {
        {"orders", required_argument, NULL, 'n'},   {"warmup", required_argument, NULL, 'u'},
        {"inflight", required_argument, NULL, 'k'}, {"workers", required_argument, NULL, 'w'},
        {"submitters", required_argument, NULL, 's'},
        {"plugin-dir", required_argument, NULL, 'p'}, {"dir", required_argument, NULL, 'd'},
        {"configs", required_argument, NULL, 'c'},  {"rounds", required_argument, NULL, 'r'},
        {"max-seconds", required_argument, NULL, 't'}, {"keep", no_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int c;
    char *plugin_dir = NULL;
    while ((c = getopt_long(argc, argv, "n:u:k:w:s:p:d:c:r:t:Kh", longs, NULL)) != -1) {
        switch (c) {
        case 'n': opt.orders = atol(optarg); break;
        case 'u': opt.warmup = atol(optarg); break;
        case 'k': opt.inflight = atoi(optarg); break;
        case 'w': opt.workers = atoi(optarg); break;
        case 's': opt.submitters = atoi(optarg); break;
        case 'p': plugin_dir = strdup(optarg); break;
        case 'd': opt.base = optarg; break;
        case 'c': opt.configs = optarg; break;
        case 'r': opt.rounds = atoi(optarg); break;
        case 't': opt.max_seconds = atof(optarg); break;
        case 'K': opt.keep = 1; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    int run_a = strchr(opt.configs, 'A') != NULL, run_b = strchr(opt.configs, 'B') != NULL;
    int run_s = strchr(opt.configs, 'S') != NULL;
    if (optind != argc || opt.orders < 1 || opt.warmup < 0 || opt.inflight < 1 ||
        opt.workers < 1 || opt.workers > 64 || opt.submitters < 1 ||
        opt.submitters > MAX_SUBMITTERS || opt.inflight < opt.submitters || opt.rounds < 1 ||
        opt.rounds > 20 || opt.max_seconds <= 0 || (!run_a && !run_b && !run_s) ||
        strspn(opt.configs, "ABS") != strlen(opt.configs))
        usage(2);
    if (plugin_dir == NULL)
        plugin_dir = default_plugin_dir();
    opt.plugin_dir = plugin_dir;
    log_setup("engine_bench", 0, OH_LOG_WARN);

    char root[PATH_MAX];
    snprintf(root, sizeof(root), "%s/engine_bench.XXXXXX", opt.base);
    if (mkdtemp(root) == NULL) {
        perror(root);
        return 1;
    }
    printf("engine_bench: %ld orders (+%ld warm-up) per configuration, %d in flight from %d "
           "submitter(s), %d engine worker(s), SQLite WAL synchronous=FULL in %s, "
           "plugin dir %s, %d round(s), %ld cores\n",
           opt.orders, opt.warmup, opt.inflight, opt.submitters, opt.workers, root,
           opt.plugin_dir, opt.rounds, sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);

    ldr_registry reg;
    ldr_registry_init(&reg);
    result res_a[20], res_b[20], res_s[20];
    char chosen[4];
    int nchosen = 0;
    if (run_a)
        chosen[nchosen++] = 'A';
    if (run_b)
        chosen[nchosen++] = 'B';
    if (run_s)
        chosen[nchosen++] = 'S';
    int ok = 1;
    for (int round = 0; round < opt.rounds && ok; round++) {
        /* Alternate the order so neither configuration always runs on a warmer machine. */
        char order[3];
        for (int k = 0; k < nchosen; k++)
            order[k] = chosen[round % 2 ? nchosen - 1 - k : k];
        for (int k = 0; k < nchosen && ok; k++) {
            result res;
            if (run_config(&opt, &reg, root, order[k], round, &res) != 0) {
                ok = 0;
                break;
            }
            print_result(&opt, &res, round);
            /* A run cut short by --max-seconds still reports (marked TRUNCATED); a failed
             * order is an error. */
            if (res.failed > 0)
                ok = 0;
            (order[k] == 'A' ? res_a : order[k] == 'B' ? res_b : res_s)[round] = res;
        }
    }
    if (ok) {
        int n = opt.rounds;
        printf("summary over %d round(s)%s:\n", n,
               n > 1 ? " (median, and best = least disturbed by other load)" : "");
        for (int k = 0; k < nchosen; k++) {
            const result *x = chosen[k] == 'A' ? res_a : chosen[k] == 'B' ? res_b : res_s;
            double rate[20], ev[20], p99[20];
            for (int i = 0; i < n; i++) {
                rate[i] = x[i].orders_per_s;
                ev[i] = x[i].events_per_s;
                p99[i] = x[i].p99_ms;
            }
            double best = 0, best_ev = 0;
            for (int i = 0; i < n; i++) {
                if (rate[i] > best) {
                    best = rate[i];
                    best_ev = ev[i];
                }
            }
            printf("  [%c] orders/s %.0f (best %.0f), events/s %.0f (best %.0f), p99 %.2f ms\n",
                   x[0].name, median(rate, n), best, median(ev, n), best_ev, median(p99, n));
        }
    }
    if (ok && run_a && run_b) {
        int n = opt.rounds;
        /* Each round's A and B run back to back: their ratio sees the same machine load. */
        paired p = pair_rounds(res_a, res_b, n, "B/A");
        double r = p.ratio, mca = p.cpu_base, mcb = p.cpu_other;
        double best_a = p.best_base, best_b = p.best_other;
        printf("chain overhead: B/A = %.3f%s -> the 3-filter chain costs %+.1f%% time per "
               "order (%+.1f%% throughput); best vs best %.3f\n",
               r, n > 1 ? " (median of the paired rounds)" : "", (r - 1) * 100,
               r > 0 ? (1 / r - 1) * 100 : 0, best_a > 0 ? best_b / best_a : 0);
        printf("chain CPU cost: A %.1f, B %.1f us of CPU per order -> %+.1f%%%s\n", mca, mcb,
               mcb > 0 ? (mca / mcb - 1) * 100 : 0, n > 1 ? " (medians)" : "");
        printf("RESULT overhead_ratio=%.3f cost_pct=%.1f best_ratio=%.3f cpu_cost_pct=%.1f\n", r,
               (r - 1) * 100, best_a > 0 ? best_b / best_a : 0,
               mcb > 0 ? (mca / mcb - 1) * 100 : 0);
    }
    if (ok && run_b && run_s) {
        int n = opt.rounds;
        /* A throughput ratio, the other way round from B/A above: the aim is stated as
         * "placements/s with tracking >= X% of those without". */
        paired p = pair_rounds(res_b, res_s, n, "S/B");
        double r = p.ratio, mcs = p.cpu_other, mcb = p.cpu_base;
        double best_s = p.best_other, best_b = p.best_base;
        printf("stock tracking: S/B = %.3f%s -> with stock tracked %.1f%% of the placements/s "
               "without; best vs best %.3f\n",
               r, n > 1 ? " (median of the paired rounds)" : "", r * 100,
               best_b > 0 ? best_s / best_b : 0);
        printf("stock CPU cost: S %.1f, B %.1f us of CPU per order -> %+.1f%%%s\n", mcs, mcb,
               mcb > 0 ? (mcs / mcb - 1) * 100 : 0, n > 1 ? " (medians)" : "");
        printf("RESULT stock_ratio=%.3f best_stock_ratio=%.3f stock_cpu_cost_pct=%.1f\n", r,
               best_b > 0 ? best_s / best_b : 0, mcb > 0 ? (mcs / mcb - 1) * 100 : 0);
    }
    ldr_registry_free(&reg);
    if (!opt.keep)
        nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    else
        printf("kept %s\n", root);
    free(plugin_dir);
    return ok ? 0 : 1;
}
