/*
 * sqlite_int - internals of the SQLite backend (store_backend.h) shared by its files; not
 * for other modules, which see store.h only.
 *
 *   backend.c  the backend's table of operations
 *   sqlite.c   open / close / version / stats (the handle: struct store_impl)
 *   schema.c   migrations (PRAGMA user_version + ordered SQL steps)
 *   conn.c     connections, pragmas, the statement cache, the reader pool, error helpers
 *   writer.c   the writer thread: queue, group commit, submit / commit / claim jobs
 *   apply.c    one unit applied inside a savepoint on the writer connection
 *   claim.c    the other writer jobs: claims of actions and timers, sent marks and lease
 *              renewals, replays
 *   reads.c    the read functions, on pooled reader connections
 *   list.c     listing orders (keyset pages) and counts for metrics
 *   records.c  row decoding
 *   check.c    integrity: quick_check (at open and on demand), health for /healthz
 *   kv.c       plugin instances' key-value state (kv_set / kv_get)
 */
#ifndef OH_STORE_SQLITE_INT_H
#define OH_STORE_SQLITE_INT_H

#include "store/store.h"
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
#define STI_LIST_VARIANTS 16u

/* Column lists the row decoders in records.c expect, in this order. */
#define STI_ORDER_COLS \
    "id, state, seller_id, version, snapshot, created_ms, updated_ms, created_by"
#define STI_ORDER_ROW_COLS "id, state, seller_id, updated_ms, created_ms"
#define STI_EVENT_COLS "seq, order_id, name, data, at_ms"
#define STI_ACTION_COLS                                                                  \
    "id, order_id, instance, operation, idem_key, payload, attempts, next_at_ms, status, " \
    "lease_owner, lease_until_ms, last_error, created_ms, sent"
#define STI_TIMER_COLS "id, order_id, name, due_ms, data, lease_owner, lease_until_ms"
#define STI_IDEM_COLS "key, request_hash, status, response, created_ms"

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

    /* health (check.c), guarded by health_mu */
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

/* ---- the backend's operations (store_backend.h; store.h has their contracts) ---------- */
int sqlite_store_open(const store_options *opts, store_impl **out, char *err, size_t errlen);
void sqlite_store_close(store_impl *s);
int sqlite_store_schema_version(store_impl *s);
void sqlite_store_stats(store_impl *s, uint64_t *units, uint64_t *batches);
void sqlite_store_health(store_impl *s, st_health *out);
int sqlite_store_check(store_impl *s, char *problems, size_t plen, int64_t *took_ms, char *err,
                       size_t errlen);
void sqlite_store_check_cancel(store_impl *s);
int sqlite_store_submit(store_impl *s, st_unit *u);
int sqlite_store_commit(store_impl *s, st_unit *u, char *err, size_t errlen);
int sqlite_store_action_replay(store_impl *s, int64_t id, int64_t now_ms, char *err,
                               size_t errlen);
int sqlite_store_order_get(store_impl *s, const char *id, st_order *out, char *err,
                           size_t errlen);
int sqlite_store_events(store_impl *s, const char *order_id, st_event **out, size_t *count,
                        char *err, size_t errlen);
int sqlite_store_actions_claim_for(store_impl *s, int64_t now_ms, const char *owner,
                                   int64_t lease_ms, const char *instance, size_t max,
                                   st_action **out, size_t *count, char *err, size_t errlen);
int sqlite_store_actions_sending(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                                 int64_t until_ms, st_lease_fn done, void *arg);
int sqlite_store_actions_renew(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                               int64_t until_ms, size_t *renewed, char *err, size_t errlen);
int sqlite_store_action_instances(store_impl *s, char ***out, size_t *count, char *err,
                                  size_t errlen);
int sqlite_store_actions_dead(store_impl *s, st_action **out, size_t *count, char *err,
                              size_t errlen);
int sqlite_store_timers_claim(store_impl *s, const char *owner, int64_t now_ms,
                              int64_t lease_ms, size_t max, st_timer **out, size_t *count,
                              char *err, size_t errlen);
int sqlite_store_next_due(store_impl *s, int64_t *due_ms, char *err, size_t errlen);
int sqlite_store_tracking_order(store_impl *s, const char *carrier, const char *number,
                                char *order_id, char *err, size_t errlen);
int sqlite_store_document_get(store_impl *s, const char *order_id, const char *name,
                              st_document *out, char *err, size_t errlen);
int sqlite_store_idem_get(store_impl *s, const char *key, st_idem *out, char *err,
                          size_t errlen);
int sqlite_store_kv_set(store_impl *s, const char *instance, const char *key, const char *value,
                        size_t max_keys, char *err, size_t errlen);
int sqlite_store_kv_get(store_impl *s, const char *instance, const char *key, char **value,
                        char *err, size_t errlen);
int sqlite_store_orders_list(store_impl *s, const st_order_filter *f, const char *cursor,
                             size_t limit, st_order_row **out, size_t *count, char *next_cursor,
                             size_t next_len, char *err, size_t errlen);
int sqlite_store_counts(store_impl *s, st_counts *out, char *err, size_t errlen);

/* ---- conn.c ---- */
void sti_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "what: sqlite3_errmsg(db)" into err; returns -1. */
int sti_sqlerr(char *err, size_t errlen, sqlite3 *db, const char *what);
/* Open `path` (created only when `create`) with busy_timeout and foreign keys; a reader
 * (!create) is also query_only. */
int sti_conn_open(const char *path, int create, sti_conn **out, char *err, size_t errlen);
/* The writer's journal: WAL, synchronous FULL or NORMAL. */
int sti_conn_wal(sti_conn *c, int sync_full, char *err, size_t errlen);
void sti_conn_close(sti_conn *c);
/* Done with a statement: reset it (ending its read) and drop borrowed bindings. */
static inline void sti_end(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}
/* Bind text, or NULL for a NULL pointer (borrowed: SQLITE_STATIC). */
static inline int sti_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    return text != NULL ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC)
                        : sqlite3_bind_null(st, i);
}
/* Step a statement that returns no rows; 0 or -1 with "what: errmsg".  Ends the statement.
 * Inline: it runs for every row a unit writes. */
static inline int sti_run(struct sti_conn *c, sqlite3_stmt *st, int bound, const char *what,
                          char *err, size_t errlen);
/* A one-integer lookup: 0 and *out, 1 when there is no row, -1 on error. */
static inline int sti_lookup(struct sti_conn *c, sqlite3_stmt *st, int bound, int64_t *out,
                             const char *what, char *err, size_t errlen);
/* The cached statement `id`, reset and with no bindings; NULL with err set. */
sqlite3_stmt *sti_stmt(sti_conn *c, sti_sql id, char *err, size_t errlen);
/* The SQL of statement `id` (for tests: EXPLAIN QUERY PLAN). */
const char *sti_sql_text(sti_sql id);
/* The SQL of listing variant `variant` (STI_LIST_* bits) into buf; 0, or -1 if it does not
 * fit or the variant is out of range.  Parameters: ?1 since, ?2 ?3 the cursor's
 * (updated_ms, id), ?4 created_by, ?5 seller_id, ?6 state, ?7 the row limit. */
int sti_list_sql(unsigned variant, char *buf, size_t len);
/* The cached listing statement of `variant`, reset and unbound; NULL with err set. */
sqlite3_stmt *sti_list_stmt(sti_conn *c, unsigned variant, char *err, size_t errlen);
/* Run a statement that returns no rows (SQLITE_DONE); 0 or -1 with err set. */
int sti_exec(sti_conn *c, sti_sql id, char *err, size_t errlen);
/* Reader pool. */
sti_conn *sti_reader_get(store_impl *s, char *err, size_t errlen);
void sti_reader_put(store_impl *s, sti_conn *c);
void sti_pool_close(store_impl *s);

static inline int sti_run(sti_conn *c, sqlite3_stmt *st, int bound, const char *what,
                          char *err, size_t errlen)
{
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, what);
    sti_end(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static inline int sti_lookup(sti_conn *c, sqlite3_stmt *st, int bound, int64_t *out,
                             const char *what, char *err, size_t errlen)
{
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, what);
    sti_end(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* Declares `st`, the cached statement `id`; returns -1 from the caller when it fails. */
#define STI_STMT(id)                                   \
    sqlite3_stmt *st = sti_stmt(c, (id), err, errlen); \
    if (st == NULL)                                    \
    return -1

/* ---- schema.c ---- */
/* Refuse a file that is not an orderhub store (see store.h): 0, or -1 with err set.
 * may_init: an empty file may become a store (it did not exist, or init_empty). */
int sti_schema_identify(sqlite3 *db, int may_init, char *err, size_t errlen);
/* The version this code creates; migrate `db` up to it, refusing a newer file; stamps
 * ST_APPLICATION_ID. */
int sti_schema_latest(void);
int sti_schema_migrate(sqlite3 *db, int *version, char *err, size_t errlen);

/* ---- check.c ---- */
/* PRAGMA quick_check on db: 0 ok, 1 problems (into problems), -1 could not run (err). */
int sti_quick_check(sqlite3 *db, char *problems, size_t plen, char *err, size_t errlen);
/* A primary result code that means the file or the disk is failing (I/O, full, read-only,
 * corrupt, not a database), not the unit: 1, else 0. */
int sti_is_fault(int rc);
/* The writer's outcome of one write transaction (writer thread only): why = NULL clears
 * write_error. */
void sti_health_write(store_impl *s, const char *why);
/* A read found a damaged page: recorded as a failed check. */
void sti_health_read_fault(store_impl *s, const char *why);
/* Initial state: the check at open passed (1) or was skipped (0). */
void sti_health_init(store_impl *s, int checked, int64_t took_ms);
int sti_health_locks(store_impl *s);
/* Wait for a running check to end and refuse new ones (store_close). */
void sti_health_close(store_impl *s);

/* ---- reads.c ---- */
/* Whether a timer is claimable at now_ms, on a reader connection: 1 yes, 0 no, -1 with err
 * set.  The dispatcher asks for timers on every poll; a write job for nothing would cost
 * the writer a transaction (and tell /healthz a write committed) each time. */
int sti_timers_claimable(store_impl *s, int64_t now_ms, char *err, size_t errlen);

/* ---- writer.c ---- */
int sti_writer_start(store_impl *s, char *err, size_t errlen);
void sti_writer_stop(store_impl *s);
/* Queue a job on the caller's stack and wait until the writer has reported it (its batch
 * committed or failed): 0 (the job's own outcome in j->rc), or -1 with err set when it
 * could not be queued (closing, or called from the writer thread: it would deadlock). */
int sti_enqueue_wait(store_impl *s, sti_job *j, char *err, size_t errlen);
/* sti_enqueue_wait, then the job's own failure (j->rc, j->err) reported the same way: 0 only
 * when the job was queued, run and succeeded. */
int sti_run_job(store_impl *s, sti_job *j, char *err, size_t errlen);

/* ---- kv.c ---- */
/* Set or delete a plugin instance's value for a kv job (sets j->kv_full). */
int sti_apply_kv(sti_conn *c, sti_job *j, char *err, size_t errlen);

/* ---- apply.c, claim.c ---- */
/* Apply one unit's writes; 0, ST_ECONFLICT, ST_EEXIST or -1, err set on failure. */
int sti_apply_unit(sti_conn *c, st_unit *u, char *err, size_t errlen);
/* Forget ids written back into u by a unit that did not commit. */
void sti_unit_unwind(st_unit *u, int64_t old_version);
/* Claim actions for a claim job (fills j->claimed). */
int sti_apply_claim(sti_conn *c, sti_job *j, char *err, size_t errlen);
/* Mark sent or renew the leases of a lease job (sets j->renewed); 1 when mark_sent and an
 * action is no longer leased to j->owner. */
int sti_apply_lease(sti_conn *c, sti_job *j, char *err, size_t errlen);
/* Claim due timers for a timer claim job (fills j->timers). */
int sti_apply_timer_claim(sti_conn *c, sti_job *j, char *err, size_t errlen);
/* Replay a dead action for a replay job (sets j->replayed). */
int sti_apply_replay(sti_conn *c, sti_job *j, char *err, size_t errlen);

/* ---- records.c ---- */
int sti_row_order(sqlite3_stmt *st, st_order *o, char *err, size_t errlen);
int sti_row_event(sqlite3_stmt *st, st_event *e, char *err, size_t errlen);
int sti_row_action(sqlite3_stmt *st, st_action *a, char *err, size_t errlen);
int sti_row_timer(sqlite3_stmt *st, st_timer *t, char *err, size_t errlen);
int sti_row_idem(sqlite3_stmt *st, st_idem *i, char *err, size_t errlen);
int sti_row_order_row(sqlite3_stmt *st, st_order_row *r, char *err, size_t errlen);
/* Step `st` to the end, decoding each row as a record of `kind` into a new array
 * (*out, *count; NULL and 0 when empty); resets st.  0, or -1 with err set and nothing
 * allocated. */
typedef enum sti_rec { REC_EVENT, REC_ACTION, REC_TIMER, REC_ORDER_ROW } sti_rec;
int sti_rows(sti_conn *c, sqlite3_stmt *st, sti_rec kind, void **out, size_t *count, char *err,
             size_t errlen);

#endif
