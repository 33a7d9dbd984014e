#include "config.h"

#include "reads.h"

#include "conn.h"
#include "records.h"
#include "store/records.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* One record by one or two text keys (key2 NULL: one): 0 and *rec filled, 1 when absent,
 * -1 with err set. */
static int get_one2(store_impl *s, sti_sql sql, const char *key, const char *key2, row_fn fn,
                    void *rec, char *err, size_t errlen)
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
        int b = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (key2 != NULL)
            b |= sqlite3_bind_text(st, 2, key2, -1, SQLITE_STATIC);
        int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
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

static int get_one(store_impl *s, sti_sql sql, const char *key, row_fn fn, void *rec, char *err,
                   size_t errlen)
{
    return get_one2(s, sql, key, NULL, fn, rec, err, errlen);
}

int sqlite_store_order_get(store_impl *s, const char *id, st_order *out, char *err, size_t errlen)
{
    if (out == NULL) {
        sti_err(err, errlen, "store_order_get: no output record");
        return -1;
    }
    memset(out, 0, sizeof(*out));
    return get_one(s, SQL_ORDER_GET, id, order_row, out, err, errlen);
}

int sqlite_store_idem_get(store_impl *s, const char *key, st_idem *out, char *err, size_t errlen)
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

static int get_list(store_impl *s, const list_query *q, void **out, size_t *count, char *err,
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

int sqlite_store_events(store_impl *s, const char *order_id, st_event **out, size_t *count,
                        char *err,
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

int sqlite_store_actions_dead(store_impl *s, st_action **out, size_t *count, char *err,
                              size_t errlen)
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


/* Every row's first column, copied: *out (st_strings_free), *n.  Ends the statement. */
static int text_rows(sti_conn *c, sqlite3_stmt *st, char ***out, size_t *n, char *err,
                     size_t errlen)
{
    char **v = NULL;
    size_t count = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **grown = ncap <= SIZE_MAX / sizeof(*v) ? realloc(v, ncap * sizeof(*v)) : NULL;
            if (grown == NULL)
                break;
            v = grown;
            cap = ncap;
        }
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (t == NULL || (v[count] = strdup((const char *)t)) == NULL)
            break;
        count++;
    }
    if (rc == SQLITE_ROW)
        sti_err(err, errlen, "out of memory");
    else if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, "reading");
    sti_end(st);
    if (rc != SQLITE_DONE) {
        st_strings_free(v, count);
        return -1;
    }
    *out = v;
    *n = count;
    return 0;
}

int sqlite_store_action_instances(store_impl *s, char ***out, size_t *count, char *err,
                                  size_t errlen)
{
    if (s == NULL || out == NULL || count == NULL) {
        sti_err(err, errlen, "store_action_instances: no store or no output");
        return -1;
    }
    *out = NULL;
    *count = 0;
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    sqlite3_stmt *st = sti_stmt(c, SQL_ACTION_INSTANCES, err, errlen);
    int rc = st != NULL ? text_rows(c, st, out, count, err, errlen) : -1;
    sti_reader_put(s, c);
    return rc;
}

int sqlite_store_next_due(store_impl *s, int64_t *due_ms, char *err, size_t errlen)
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

int sti_timers_claimable(store_impl *s, int64_t now_ms, char *err, size_t errlen)
{
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    int rc = -1;
    sqlite3_stmt *st = sti_stmt(c, SQL_TIMER_CLAIM_SELECT, err, errlen);
    if (st != NULL) {
        int b = sqlite3_bind_int64(st, 1, now_ms) | sqlite3_bind_int64(st, 2, 1);
        int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
        if (step == SQLITE_ROW || step == SQLITE_DONE)
            rc = step == SQLITE_ROW;
        else
            sti_sqlerr(err, errlen, c->db, "looking for due timers");
        sti_end(st);
    }
    sti_reader_put(s, c);
    return rc;
}

static int tracking_row(sqlite3_stmt *st, void *rec, char *err, size_t errlen)
{
    const char *id = (const char *)sqlite3_column_text(st, 0);
    if (id == NULL || strlen(id) >= ST_ID_MAX) {
        sti_err(err, errlen, "tracking row holds no valid order id");
        return -1;
    }
    memcpy(rec, id, strlen(id) + 1);
    return 0;
}

int sqlite_store_tracking_order(store_impl *s, const char *carrier, const char *number,
                                char *order_id,
                         char *err, size_t errlen)
{
    if (carrier == NULL || number == NULL || order_id == NULL) {
        sti_err(err, errlen, "store_tracking_order: missing argument");
        return -1;
    }
    order_id[0] = '\0';
    return get_one2(s, SQL_TRACKING_GET, carrier, number, tracking_row, order_id, err, errlen);
}

static int document_row(sqlite3_stmt *st, void *rec, char *err, size_t errlen)
{
    st_document *d = rec;
    const char *mime = (const char *)sqlite3_column_text(st, 0);
    const void *data = sqlite3_column_blob(st, 1);
    int len = sqlite3_column_bytes(st, 1);
    if (mime == NULL || len <= 0 || strlen(mime) >= sizeof(d->mime_type) ||
        (d->data = malloc((size_t)len)) == NULL) {
        sti_err(err, errlen, "document row unreadable or out of memory");
        return -1;
    }
    memcpy(d->data, data, (size_t)len);
    d->len = (size_t)len;
    snprintf(d->mime_type, sizeof(d->mime_type), "%s", mime);
    d->created_ms = sqlite3_column_int64(st, 2);
    return 0;
}

int sqlite_store_document_get(store_impl *s, const char *order_id, const char *name,
                              st_document *out,
                       char *err, size_t errlen)
{
    if (order_id == NULL || name == NULL || out == NULL ||
        strlen(order_id) >= sizeof(out->order_id) || strlen(name) >= sizeof(out->name)) {
        sti_err(err, errlen, "store_document_get: missing or oversized argument");
        return -1;
    }
    memset(out, 0, sizeof(*out));
    snprintf(out->order_id, sizeof(out->order_id), "%s", order_id);
    snprintf(out->name, sizeof(out->name), "%s", name);
    return get_one2(s, SQL_DOCUMENT_GET, order_id, name, document_row, out, err, errlen);
}

