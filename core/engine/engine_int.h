/*
 * engine_int - the engine's internal structures, shared by its files; types only: each
 * file's functions are in its own header (eng_queue.h, cache.h, es_msg.h, ...), so that
 * seeing these structures joins no file to another.
 *   engine.c   threads, start/stop; eng_queue.c the workers' queues and sharding
 *   es_*.c     one message applied to one order, as one store unit (es_msg.h)
 *   dispatch.c claimed actions and due timers, handed to action_send.c / track_batch.c
 *   action_send.c inputs (kind adapter, ka.h) -> build -> executor -> answer to a worker
 *   action_run.c a run's outcome -> a message to the order's worker
 *   cache.c    each worker's orders in memory
 */
#ifndef OH_ENGINE_INT_H
#define OH_ENGINE_INT_H

#include "engine/engine_types.h"

#include <pthread.h>
#include <stdatomic.h>

/* What a message asks of a worker. */
typedef enum msg_kind {
    MSG_PLACE = 0,   /* data: the order */
    MSG_INPUT,       /* a lifecycle input from outside */
    MSG_ACTION,      /* a claimed action finished one attempt */
    MSG_TIMER,       /* a timer is due */
    MSG_STOCK_LOW,   /* data: {"lines"} of SKUs an order's reservation took below their
                        low threshold (es_unit.c, from eng_stock_low), to journal as
                        inventory.low on that order */
    MSG_RUN          /* a step of a claimed action on its order's worker: its inputs
                        filled from the cached order, or its answer parsed (off the
                        executor thread); the worker calls run(w, run_arg), which owns
                        everything it needs */
} msg_kind;

struct worker;

typedef struct eng_msg {
    struct eng_msg *next;
    msg_kind kind;
    char order_id[ST_ID_MAX];
    char input[ST_NAME_MAX];   /* MSG_INPUT; MSG_ACTION: the input it leads to, or "" */
    json_t *data;              /* owned, may be NULL */
    /* MSG_ACTION */
    int64_t action_id;
    int action_attempts;       /* attempts before this one */
    int action_rc;             /* OH_OK, OH_RETRY, OH_FAIL */
    int action_unsent;         /* 1: its request never left: back to pending, no attempt */
    int64_t retry_after_ms;
    char action_error[ST_ERROR_MAX];
    char action_op[ST_NAME_MAX];
    char action_instance[ST_ID_MAX];
    st_document *docs;         /* owned (and their data): a label's documents */
    size_t ndocs;
    /* MSG_TIMER */
    int64_t timer_id;
    char timer_name[ST_NAME_MAX];
    /* MSG_RUN: called exactly once by the worker (also while stopping: workers drain) */
    void (*run)(struct worker *w, void *arg);
    void *run_arg;
    /* MSG_PLACE with an idempotency key */
    char idem_key[ST_KEY_MAX];
    char request_hash[65];
    eng_reply_fn reply;
    void *arg;
} eng_msg;

/* One order as its worker knows it. */
typedef struct cache_entry {
    struct cache_entry *next;
    uint32_t hash;             /* of id: compared before the string */
    char id[ST_ID_MAX];
    char state[ST_NAME_MAX];
    int64_t version;
    json_t *snapshot;          /* owned */
    atomic_int pending;        /* units submitted, not yet durable */
    atomic_int stale;          /* a unit failed: reload from the store before use */
} cache_entry;

#define CACHE_BUCKETS 65536

typedef struct worker {
    struct engine *e;
    int index;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    eng_msg *head, *tail;      /* FIFO */
    int stopping;
    int busy;                  /* applying a message now */
    cache_entry *buckets[CACHE_BUCKETS];
    size_t cached;
    size_t next_trim_at;       /* cache_trim waits until cached reaches it (0: no wait) */
} worker;

struct engine {
    eng_options o;
    char owner[ST_ID_MAX];
    worker *workers;
    int nworkers;
    pthread_t dispatcher;
    pthread_mutex_t lock;       /* guards stopping and wakes the dispatcher */
    pthread_cond_t cond;
    int stopping;
    atomic_int actions_running; /* claimed and not yet handed back to a worker */
    atomic_int sends_on_workers; /* runs posted to a worker to be filled and submitted
                                    (action_send.c): eng_quiesce waits for them, since
                                    they use the executor */
    pthread_mutex_t stats_lock;
    eng_stats stats;            /* guarded by stats_lock */
    pthread_mutex_t running_lock;
    int64_t *running;           /* ids of those actions: a re-claim of one is skipped */
    size_t running_count, running_cap;
    atomic_int units_pending;   /* submitted to the store, not yet durable */
};

#endif
