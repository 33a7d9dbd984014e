#include "config.h"

#include "store_int.h"

#include <string.h>

/*
 * Reads run on pooled connections of their own (query_only), so they never wait for the
 * writer: WAL gives each statement a consistent snapshot of the last commit.
 */

typedef int (*row_fn)(sqlite3_stmt *st, void *rec, char *err, size_t errlen);

static int order_row(sqlite3_stmt *st, void *rec, char *err, size_t errlen)
{
    return sti_row_order(st, rec, err, errlen);
}

static int idem_row(sqlite3_stmt *st, void *rec, char *err, size_t errlen)
{
    return sti_row_idem(st, rec, err, errlen);
}

/* One record by text key: 0 and *rec filled, 1 when absent, -1 with err set. */
static int get_one(store *s, sti_sql sql, const char *key, row_fn fn, void *rec, char *err,
                   size_t errlen)
{
    if (s == NULL || key == NULL) {
        sti_err(err, errlen, "no store or no key");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    sqlite3_stmt *st = sti_stmt(c, sql, err, errlen);
    int rc = -1;
    if (st != NULL) {
        int step = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK
                       ? sqlite3_step(st)
                       : SQLITE_ERROR;
        if (step == SQLITE_ROW)
            rc = fn(st, rec, err, errlen) == 0 ? 0 : -1;
        else if (step == SQLITE_DONE)
            rc = 1;
        else
            sti_sqlerr(err, errlen, c->db, "reading");
        sti_end(st);
    }
    sti_reader_put(s, c);
    return rc;
}

int store_order_get(store *s, const char *id, st_order *out, char *err, size_t errlen)
{
    if (out == NULL) {
        sti_err(err, errlen, "store_order_get: no output record");
        return -1;
    }
    memset(out, 0, sizeof(*out));
    return get_one(s, SQL_ORDER_GET, id, order_row, out, err, errlen);
}

int store_idem_get(store *s, const char *key, st_idem *out, char *err, size_t errlen)
{
    if (out == NULL) {
        sti_err(err, errlen, "store_idem_get: no output record");
        return -1;
    }
    memset(out, 0, sizeof(*out));
    return get_one(s, SQL_IDEM_GET, key, idem_row, out, err, errlen);
}

/* A list query binding ?1 = text, or the first `nint` of ?1 = a, ?2 = b. */
typedef struct list_query {
    sti_sql sql;
    sti_rec kind;
    const char *text;
    int nint;
    int64_t a, b;
} list_query;

static int bind_query(sqlite3_stmt *st, const list_query *q)
{
    if (q->text != NULL)
        return sqlite3_bind_text(st, 1, q->text, -1, SQLITE_STATIC);
    int b = SQLITE_OK;
    if (q->nint >= 1)
        b |= sqlite3_bind_int64(st, 1, q->a);
    if (q->nint >= 2)
        b |= sqlite3_bind_int64(st, 2, q->b);
    return b;
}

static int get_list(store *s, const list_query *q, void **out, size_t *count, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (count != NULL)
        *count = 0;
    if (s == NULL || count == NULL) {
        sti_err(err, errlen, "no store or no output");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    sqlite3_stmt *st = sti_stmt(c, q->sql, err, errlen);
    int rc = -1;
    if (st != NULL) {
        if (bind_query(st, q) != SQLITE_OK) {
            sti_sqlerr(err, errlen, c->db, "reading");
            sti_end(st);
        } else {
            rc = sti_rows(c, st, q->kind, out, count, err, errlen);
        }
    }
    sti_reader_put(s, c);
    return rc;
}

int store_events(store *s, const char *order_id, st_event **out, size_t *count, char *err,
                 size_t errlen)
{
    if (order_id == NULL || out == NULL) {
        sti_err(err, errlen, "store_events: no order id or no output");
        return -1;
    }
    list_query q = {.sql = SQL_EVENTS_OF, .kind = REC_EVENT, .text = order_id};
    void *rows;
    int rc = get_list(s, &q, &rows, count, err, errlen);
    *out = rows;
    return rc;
}

int store_actions_dead(store *s, st_action **out, size_t *count, char *err, size_t errlen)
{
    if (out == NULL) {
        sti_err(err, errlen, "store_actions_dead: no output");
        return -1;
    }
    list_query q = {.sql = SQL_ACTIONS_DEAD, .kind = REC_ACTION};
    void *rows;
    int rc = get_list(s, &q, &rows, count, err, errlen);
    *out = rows;
    return rc;
}

int store_timers_due(store *s, int64_t now_ms, size_t max, st_timer **out, size_t *count,
                     char *err, size_t errlen)
{
    int64_t limit = max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
    if (out == NULL) {
        sti_err(err, errlen, "store_timers_due: no output");
        return -1;
    }
    list_query q = {.sql = SQL_TIMERS_DUE, .kind = REC_TIMER, .nint = 2, .a = now_ms,
                    .b = limit};
    void *rows;
    int rc = get_list(s, &q, &rows, count, err, errlen);
    *out = rows;
    return rc;
}

int store_next_due(store *s, int64_t *due_ms, char *err, size_t errlen)
{
    if (s == NULL || due_ms == NULL) {
        sti_err(err, errlen, "store_next_due: no store or no output");
        return -1;
    }
    *due_ms = INT64_MAX;
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    int rc = -1;
    sqlite3_stmt *st = sti_stmt(c, SQL_NEXT_DUE, err, errlen);
    if (st != NULL) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            if (sqlite3_column_type(st, 0) != SQLITE_NULL)
                *due_ms = sqlite3_column_int64(st, 0);
            rc = 0;
        } else {
            sti_sqlerr(err, errlen, c->db, "reading the next due time");
        }
        sti_end(st);
    }
    sti_reader_put(s, c);
    return rc;
}

int64_t store_next_due_ms(store *s)
{
    char err[ST_ERROR_MAX];
    int64_t due = INT64_MAX;
    return store_next_due(s, &due, err, sizeof(err)) == 0 ? due : INT64_MAX;
}
