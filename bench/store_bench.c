/*
 * store_bench - units per second through the store's group commit.
 *
 *   store_bench [-t THREADS] [-n UNITS_PER_THREAD] [-m commit|submit] [-w WINDOW]
 *               [-s 0|1] [-b MAX_BATCH] [-d DIR]
 *
 * Each thread drives one order; a unit is what a typical engine step writes: the order
 * snapshot (version k -> k + 1), one event and one new outbox action.
 *   -m commit  each thread calls store_commit and waits for durability (an API request
 *              that acknowledges only once the input is on disk): at most THREADS units
 *              can share a batch.
 *   -m submit  each thread keeps up to WINDOW units in flight with store_submit (the
 *              engine's workers): batches grow with the load.
 * Prints units/s, the number of write transactions and the mean batch size.
 */
#include "config.h"

#include "store/store.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct slot {
    st_unit unit;
    st_order order;
    st_event event;
    st_action action;
    char data[64];
    char payload[64];
} slot;

typedef struct worker {
    store *s;
    int index;
    long units;
    int submit;
    long window;
    slot *slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long completed;
    long failed;
    char first_error[ST_ERROR_MAX];
} worker;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_done(void *arg, int rc, const char *error)
{
    worker *w = arg;
    pthread_mutex_lock(&w->mu);
    w->completed++;
    if (rc != 0 && w->failed++ == 0)
        snprintf(w->first_error, sizeof(w->first_error), "%s", error ? error : "?");
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void fill(worker *w, slot *sl, long k)
{
    memset(sl, 0, sizeof(*sl));
    int64_t t = now_ms();
    st_order *o = &sl->order;
    snprintf(o->id, sizeof(o->id), "bench-%d", w->index);
    snprintf(o->state, sizeof(o->state), "awaiting_shipment");
    snprintf(o->seller_id, sizeof(o->seller_id), "seller-%d", w->index % 3);
    o->snapshot = "{\"id\":\"bench\",\"items\":[{\"sku\":\"A-1\",\"qty\":2,\"price\":1999}],"
                  "\"buyer\":{\"name\":\"Ada\",\"city\":\"Lyon\"},\"total\":3998}";
    o->created_ms = o->updated_ms = t;
    st_event *e = &sl->event;
    snprintf(e->order_id, sizeof(e->order_id), "%s", o->id);
    snprintf(e->name, sizeof(e->name), k == 0 ? "order.placed" : "shipment.in_transit");
    snprintf(sl->data, sizeof(sl->data), "{\"k\":%ld}", k);
    e->data = sl->data;
    e->at_ms = t;
    st_action *a = &sl->action;
    snprintf(a->order_id, sizeof(a->order_id), "%s", o->id);
    snprintf(a->instance, sizeof(a->instance), "seller-hook");
    snprintf(a->operation, sizeof(a->operation), "notify");
    snprintf(a->idem_key, sizeof(a->idem_key), "%s:notify:%ld", o->id, k);
    snprintf(sl->payload, sizeof(sl->payload), "{\"event\":%ld}", k);
    a->payload = sl->payload;
    a->next_at_ms = t + 3600 * 1000; /* not claimed during the run */
    a->created_ms = t;
    sl->unit = (st_unit){.order = o, .expect_version = k, .events = e, .event_count = 1,
                         .new_actions = a, .new_action_count = 1};
}

static void *run(void *arg)
{
    worker *w = arg;
    char err[ST_ERROR_MAX];
    for (long k = 0; k < w->units; k++) {
        if (!w->submit) {
            fill(w, &w->slots[0], k);
            if (store_commit(w->s, &w->slots[0].unit, err, sizeof(err)) != 0 &&
                w->failed++ == 0)
                snprintf(w->first_error, sizeof(w->first_error), "%s", err);
            continue;
        }
        /* Units of one thread complete in order: slot k % window is free once k - window
         * has completed. */
        pthread_mutex_lock(&w->mu);
        while (k - w->completed >= w->window)
            pthread_cond_wait(&w->cv, &w->mu);
        pthread_mutex_unlock(&w->mu);
        slot *sl = &w->slots[k % w->window];
        fill(w, sl, k);
        sl->unit.done = on_done;
        sl->unit.arg = w;
        if (store_submit(w->s, &sl->unit) != 0) {
            fprintf(stderr, "store_submit failed\n");
            exit(1);
        }
    }
    pthread_mutex_lock(&w->mu);
    while (w->submit && w->completed < w->units)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(p);
}

static void usage(void)
{
    fprintf(stderr, "usage: store_bench [-t THREADS] [-n UNITS_PER_THREAD] [-m commit|submit]"
                    " [-w WINDOW] [-s 0|1] [-b MAX_BATCH] [-d DIR]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int threads = 4, sync_full = 1, max_batch = 0, submit = 0, opt;
    long units = 2000, window = 64;
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    while ((opt = getopt(argc, argv, "t:n:m:w:s:b:d:")) != -1) {
        switch (opt) {
        case 't': threads = atoi(optarg); break;
        case 'n': units = atol(optarg); break;
        case 'm': submit = strcmp(optarg, "submit") == 0; break;
        case 'w': window = atol(optarg); break;
        case 's': sync_full = atoi(optarg); break;
        case 'b': max_batch = atoi(optarg); break;
        case 'd': base = optarg; break;
        default: usage();
        }
    }
    if (threads < 1 || units < 1 || window < 1)
        usage();
    char dir[4096], path[4200], err[ST_ERROR_MAX];
    snprintf(dir, sizeof(dir), "%s/store_bench.XXXXXX", base);
    if (mkdtemp(dir) == NULL) {
        perror(dir);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/bench.db", dir);
    store_options so = {.path = path, .sync_full = sync_full, .max_batch = max_batch};
    store *s = NULL;
    if (store_open(&so, &s, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    worker *w = calloc((size_t)threads, sizeof(*w));
    pthread_t *th = calloc((size_t)threads, sizeof(*th));
    if (w == NULL || th == NULL)
        return 1;
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.s = s, .index = i, .units = units, .submit = submit,
                        .window = submit ? window : 1};
        w[i].slots = calloc((size_t)w[i].window, sizeof(slot));
        if (w[i].slots == NULL)
            return 1;
        pthread_mutex_init(&w[i].mu, NULL);
        pthread_cond_init(&w[i].cv, NULL);
    }
    double t0 = mono_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, run, &w[i]);
    long failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failed > 0)
            fprintf(stderr, "thread %d: %ld failed, first: %s\n", i, w[i].failed,
                    w[i].first_error);
        failed += w[i].failed;
    }
    double secs = mono_s() - t0;
    uint64_t done_units, batches;
    store_stats(s, &done_units, &batches);
    store_close(s);
    printf("mode=%s sync=%s threads=%d units=%llu failed=%ld time=%.3fs rate=%.0f units/s "
           "transactions=%llu mean_batch=%.1f\n",
           submit ? "submit" : "commit", sync_full ? "FULL" : "NORMAL", threads,
           (unsigned long long)done_units, failed, secs, (double)done_units / secs,
           (unsigned long long)batches, batches ? (double)done_units / (double)batches : 0.0);
    for (int i = 0; i < threads; i++) {
        free(w[i].slots);
        pthread_mutex_destroy(&w[i].mu);
        pthread_cond_destroy(&w[i].cv);
    }
    free(w);
    free(th);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? 0 : 1;
}
