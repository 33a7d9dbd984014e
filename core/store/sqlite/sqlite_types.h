/*
 * sqlite_types - the types the files of the SQLite backend (store_backend.h) share: its
 * statements, connections, writer jobs and handle.  Types only: each file declares its own
 * functions in its own header (conn.h, writer.h, ...), so that a file sees the functions
 * of the files it calls and of no other.  Not for other modules, which see store.h only.
 *
 *   backend.c  the backend's table of operations
 *   sqlite.c   open / close / version / stats (the handle: struct store_impl)
 *   schema.c   migrations (PRAGMA user_version + ordered SQL steps)
 *   conn.c     connections, pragmas, the statement cache, the reader pool, error helpers
 *   writer.c   the writer thread: group commit of the queued jobs
 *   submit.c   queuing jobs for the writer: submit / commit / claim / lease / replay
 *   apply.c    one unit applied inside a savepoint on the writer connection
 *   claim.c    the other writer jobs: claims of actions and timers, sent marks and lease
 *              renewals, replays
 *   reads.c    the read functions, on pooled reader connections
 *   list.c     listing orders (keyset pages) and counts for metrics
 *   records.c  row decoding
 *   check.c    integrity: quick_check (at open and on demand)
 *   health.c   health for /healthz: the last check's and the last write's outcome
 *   kv.c       plugin instances' key-value state (kv_set / kv_get)
 *   stock.c    inventory: a unit's stock writes and moves, and the stock reads
 */
#ifndef OH_STORE_SQLITE_TYPES_H
#define OH_STORE_SQLITE_TYPES_H

#include "store/store_backend.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define STI_BUSY_TIMEOUT_MS 5000
#define STI_DEFAULT_BATCH 256
#define STI_POOL_IDLE_MAX 4  /* reader connections kept open between calls */

/* Every SQL statement the store runs, prepared once per connection on first use. */
typedef enum sti_sql {
    /* writer: transaction control */
    SQL_BEGIN,
    SQL_COMMIT,
    SQL_ROLLBACK,
    SQL_SAVEPOINT,
    SQL_RELEASE,
    SQL_ROLLBACK_TO,
    /* writer: units */
    SQL_ORDER_INSERT,
    SQL_ORDER_UPDATE,
    SQL_ORDER_VERSION,
    SQL_EVENT_INSERT,
    SQL_ACTION_INSERT,
    SQL_ACTION_ID_BY_KEY,
    SQL_ACTION_UPDATE,
    SQL_TIMER_DELETE_NAME,
    SQL_TIMER_INSERT,
    SQL_TIMER_DELETE_ID,
    SQL_IDEM_INSERT,
    SQL_TRACKING_UPSERT,
    SQL_DOCUMENT_UPSERT,
    SQL_STOCK_UPDATE,
    SQL_STOCK_INSERT,
    SQL_STOCK_RESERVE,
    SQL_STOCK_RELEASE,
    SQL_STOCK_SELL,
    SQL_STOCK_RESTOCK,
    SQL_STOCK_GET,          /* the writer's (a move's outcome) and the readers' */
    SQL_MONEY_AUTHORIZE,
    SQL_MONEY_CAPTURE,
    SQL_MONEY_REFUND,
    SQL_MONEY_GET,          /* the writer's (a refusal's refundable) and the readers' */
    SQL_LEDGER_INSERT,
    /* writer: claims, replays */
    SQL_CLAIM_SELECT,
    SQL_CLAIM_SELECT_INSTANCE,
    SQL_CLAIM_EXPIRED_INSTANCE,
    SQL_CLAIM_UPDATE,
    SQL_ACTION_REPLAY,
    SQL_ACTION_SENDING,
    SQL_ACTION_RENEW,
    SQL_TIMER_CLAIM_SELECT,
    SQL_TIMER_CLAIM_UPDATE,
    SQL_KV_UPSERT,
    SQL_KV_DELETE,
    /* readers */
    SQL_ORDER_GET,
    SQL_EVENTS_OF,
    SQL_ACTIONS_DEAD,
    SQL_NEXT_DUE,
    SQL_IDEM_GET,
    SQL_TRACKING_GET,
    SQL_DOCUMENT_GET,
    SQL_KV_GET,
    SQL_READ_BEGIN,         /* one snapshot for several reads (store_counts) */
    SQL_COUNT_STATES,
    SQL_COUNT_OTHERS,
    SQL_ACTION_INSTANCES,
    SQL_STOCK_LIST,
    SQL_LEDGER_LIST,
    SQL_LEDGER_BALANCE,
    SQL_COUNT
} sti_sql;

/*
 * store_orders_list runs one of STI_LIST_VARIANTS statements, chosen by which filters are
 * present and whether a cursor is given (the bits below); each is built from fixed SQL
 * fragments (values are always bound parameters) and cached per connection.
 */
#define STI_LIST_CREATED_BY 1u
#define STI_LIST_SELLER 2u
#define STI_LIST_STATE 4u
#define STI_LIST_CURSOR 8u
#define STI_LIST_LATE 16u
#define STI_LIST_SHIP_BY 32u /* sorted by deadline (ST_SORT_SHIP_BY) */
#define STI_LIST_VARIANTS 64u

/* Column lists the row decoders in records.c expect, in this order. */
#define STI_ORDER_COLS \
    "id, state, seller_id, version, snapshot, created_ms, updated_ms, created_by, ship_by_ms"
#define STI_ORDER_ROW_COLS "id, state, seller_id, updated_ms, created_ms, ship_by_ms"
#define STI_EVENT_COLS "seq, order_id, name, data, at_ms"
#define STI_ACTION_COLS                                                                  \
    "id, order_id, instance, operation, idem_key, payload, attempts, next_at_ms, status, " \
    "lease_owner, lease_until_ms, last_error, created_ms, sent"
#define STI_TIMER_COLS "id, order_id, name, due_ms, data, lease_owner, lease_until_ms"
#define STI_IDEM_COLS "key, request_hash, status, response, created_ms"
#define STI_LEDGER_COLS "id, seller_id, currency, order_id, event, kind, cause, amount, at_ms"
#define STI_MONEY_COLS "order_id, currency, authorized, captured, refunded, updated_ms"
#define STI_STOCK_COLS \
    "seller_id, sku, on_hand, reserved, low_threshold, version, updated_ms"

/* One connection and its statement cache; used by one thread at a time. */
typedef struct sti_conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[SQL_COUNT];
    sqlite3_stmt *list[STI_LIST_VARIANTS]; /* store_orders_list, by variant */
    struct sti_conn *next; /* reader pool link */
} sti_conn;

typedef enum sti_job_kind {
    JOB_UNIT = 0,
    JOB_CLAIM = 1,
    JOB_REPLAY = 2,
    JOB_LEASE = 3,  /* store_actions_sending (async, lease_done) or store_actions_renew */
    JOB_TIMER_CLAIM = 4,
    JOB_KV = 5       /* store_kv_set */
} sti_job_kind;

/*
 * sti_job - one entry of the writer queue.  Units queued by store_submit live on the heap
 * (freed by the writer after done); store_commit, claims and replays queue a job on the
 * caller's stack and wait on its own condition variable (`waiter` set).
 */
typedef struct sti_job {
    struct sti_job *next;
    sti_job_kind kind;
    st_unit *unit;           /* JOB_UNIT */
    int64_t old_version;     /* unit->order->version before apply, restored on failure */
    /* JOB_CLAIM and JOB_REPLAY: parameters and result */
    int64_t now_ms;
    int64_t action_id;       /* JOB_REPLAY */
    int replayed;            /* JOB_REPLAY: 1 when the action was dead and is pending now */
    const char *owner;
    const char *instance;    /* JOB_CLAIM: only this instance's due actions, or NULL */
    /* JOB_CLAIM and JOB_TIMER_CLAIM: owner, lease_ms, max and now_ms above */
    int64_t lease_ms;
    size_t max;
    st_action *claimed;      /* owned by the job until handed to the claimer */
    size_t claimed_count;
    st_timer *timers;        /* JOB_TIMER_CLAIM: likewise */
    size_t timer_count;
    /* JOB_LEASE */
    const int64_t *ids;      /* JOB_LEASE: the actions (copied into the job when async) */
    size_t id_count;
    int64_t until_ms;
    int mark_sent;           /* 1: store_actions_sending, all or nothing; 0: renew */
    size_t renewed;          /* renew: leases extended */
    st_lease_fn lease_done;  /* async store_actions_sending */
    void *lease_arg;
    /* JOB_KV: a plugin instance's value (NULL deletes), refused past kv_max_keys keys */
    const char *kv_instance, *kv_key, *kv_value;
    size_t kv_max_keys;
    int kv_full;             /* 1: a new key, and the instance has kv_max_keys already */
    /* outcome */
    int rc;
    char err[ST_ERROR_MAX];
    /* synchronous callers */
    int waiter;
    int finished;            /* under store.mu */
    pthread_cond_t cv;
} sti_job;

struct store_impl {
    char *path;
    int lock_fd;              /* fcntl lock on "<path>.lock": one process per database */
    int sync_full;
    size_t max_batch;
    int schema_version;

    /* writer: the queue and its thread (everything below `mu` is guarded by it) */
    sti_conn *wconn;          /* touched by the writer thread only once it runs */
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    sti_job *head, *tail;
    int closing;
    uint64_t units_ok, batches;

    /* readers */
    pthread_mutex_t pool_mu;
    sti_conn *idle;
    size_t idle_count;

    /* health (health.c, and check.c for a running check), guarded by health_mu */
    pthread_mutex_t health_mu;
    pthread_cond_t check_over;  /* a running store_check ended */
    st_check_state check_state;
    int64_t check_at_ms, check_took_ms;
    char check_error[ST_ERROR_MAX];
    char write_error[ST_ERROR_MAX];
    int write_faulted;          /* write_error is set; read and written by the writer
                                   thread only (no lock) */
    int checking;               /* a store_check runs */
    sti_conn *check_conn;       /* its connection, for store_check_cancel */
    int check_closed;           /* store_close started: no new check */
};

#endif
