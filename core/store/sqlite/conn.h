/*
 * conn - connections, pragmas, the statement cache, the reader pool, error helpers.
 */
#ifndef OH_STORE_SQLITE_CONN_H
#define OH_STORE_SQLITE_CONN_H

#include "sqlite_types.h"

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

#endif
