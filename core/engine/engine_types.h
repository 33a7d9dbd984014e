/*
 * engine_types - what the engine's callers and its own files share without the engine's
 * functions: options, the reply callback and its codes, the counters.  engine.h is the
 * engine's front; engine_int.h its insides.
 */
#ifndef OH_ENGINE_TYPES_H
#define OH_ENGINE_TYPES_H

#include "executor/executor.h"
#include "runtime/runtime.h"
#include "store/store.h"

#include <jansson.h>

typedef struct engine engine;

typedef struct eng_options {
    store *store;            /* borrowed; outlives the engine */
    executor *executor;      /* borrowed; outlives the engine */
    rt_holder *generations;  /* borrowed: the current configuration generation */
    int workers;             /* input threads; 0 = 2 */
    const char *owner;       /* lease owner name for claimed actions; NULL = "host:pid" */
    int64_t lease_ms;        /* 0 = 120000 */
    int max_attempts;        /* per action before the dead-letter list; 0 = 8 */
    int64_t backoff_base_ms; /* 0 = 1000 */
    int64_t backoff_max_ms;  /* 0 = 300000 */
    int64_t poll_ms;         /* how often actions and timers are looked for at most; 0 = 200 */
    int64_t track_poll_ms;   /* between two tracking polls of a shipment; 0 = 3600000 */
    int64_t cache_orders;    /* idle orders a worker keeps in memory; 0 = 65536 */
} eng_options;

/*
 * eng_reply_fn - the outcome of a submitted input, called once: rc 0 when applied and
 * durable (state is the order's state after it), ENG_EREFUSED when the state machine
 * refused it (error says why; nothing changed), ENG_ENOTFOUND, ENG_ESHORT (a placement),
 * ENG_EOVERREFUND (a refund beyond what remains),
 * or -1 on a store error.
 * Runs on a worker or the store's writer thread: keep it short.
 */
typedef void (*eng_reply_fn)(void *arg, int rc, const char *state, const char *error);

#define ENG_EREFUSED (-10)
#define ENG_ENOTFOUND (-11)
#define ENG_EIDEM (-12)
#define ENG_EBUSY (-13)  /* the same order is being written right now: retry shortly */
#define ENG_ESHORT (-14) /* a placement refused for want of stock, nothing written: error is a
                            JSON array [{"sku","requested","available"}] of every short SKU */
#define ENG_EOVERREFUND (-15) /* a refund beyond what remains refundable, nothing written:
                                 error is a JSON object {"error", "refundable"} */

/* Outcomes of outbound attempts per plugin instance, since start (for /metrics). */
typedef struct eng_instance_stats {
    char instance[ST_ID_MAX];
    uint64_t ok;      /* attempts that succeeded */
    uint64_t retry;   /* attempts that failed and were scheduled again */
    uint64_t fail;    /* attempts that failed for good (dead-lettered) */
} eng_instance_stats;

typedef struct eng_stats {
    eng_instance_stats instances[64]; /* the first 64 instances seen */
    size_t instance_count;
} eng_stats;

#endif
