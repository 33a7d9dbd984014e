#include "config.h"

#include "store_int.h"

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
static int get_one2(store *s, sti_sql sql, const char *key, const char *key2, row_fn fn,
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

static int get_one(store *s, sti_sql sql, const char *key, row_fn fn, void *rec, char *err,
                   size_t errlen)
{
    return get_one2(s, sql, key, NULL, fn, rec, err, errlen);
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

void st_strings_free(char **v, size_t count)
{
    for (size_t i = 0; v != NULL && i < count; i++)
        free(v[i]);
    free(v);
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

int store_action_instances(store *s, char ***out, size_t *count, char *err, size_t errlen)
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

/* ---- listing orders ------------------------------------------------------------------ */

/*
 * A cursor is exactly what store_orders_list writes: "<updated_ms>:<id>", the number in
 * canonical decimal (optional '-', no leading zero, no "-0", within int64), the id 1..
 * ST_ID_MAX-1 bytes (anything but NUL: it is only ever a bound parameter).
 */
static int parse_cursor(const char *cur, int64_t *ms, char *id, size_t idlen)
{
    const char *colon = strchr(cur, ':');
    if (colon == NULL)
        return -1;
    const char *digits = cur[0] == '-' ? cur + 1 : cur;
    size_t ndigits = (size_t)(colon - digits);
    if (colon < digits || ndigits == 0 || ndigits > 19 ||
        (digits[0] == '0' && (ndigits > 1 || digits != cur)))
        return -1;
    for (const char *p = digits; p < colon; p++) {
        if (*p < '0' || *p > '9')
            return -1;
    }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(cur, &end, 10);
    if (errno != 0 || end != colon)
        return -1; /* out of range */
    size_t n = strlen(colon + 1);
    if (n == 0 || n >= idlen)
        return -1;
    memcpy(id, colon + 1, n + 1);
    *ms = (int64_t)v;
    return 0;
}

static int too_long(const char *value, size_t size)
{
    return value != NULL && strlen(value) >= size;
}

/* Check the arguments of store_orders_list and read the cursor: 0, or ST_EINVAL / -1. */
static int list_args(store *s, const st_order_filter *f, const char *cursor, size_t limit,
                     st_order_row **out, size_t *count, char *next_cursor, size_t next_len,
                     unsigned *variant, int64_t *after_ms, char *after_id, size_t idlen,
                     char *err, size_t errlen)
{
    if (s == NULL) {
        sti_err(err, errlen, "store_orders_list: no store");
        return -1;
    }
    if (out == NULL || count == NULL || next_cursor == NULL || next_len < ST_CURSOR_MAX) {
        sti_err(err, errlen, "store_orders_list: no output, or next_cursor shorter than %d",
                ST_CURSOR_MAX);
        return ST_EINVAL;
    }
    if (limit < 1 || limit > ST_LIST_MAX) {
        sti_err(err, errlen, "limit must be from 1 to %d", ST_LIST_MAX);
        return ST_EINVAL;
    }
    if (too_long(f->seller_id, ST_ID_MAX) || too_long(f->created_by, ST_ID_MAX) ||
        too_long(f->state, ST_NAME_MAX)) {
        sti_err(err, errlen, "a filter value is longer than any stored one (seller_id and "
                "created_by: %d bytes, state: %d)", ST_ID_MAX - 1, ST_NAME_MAX - 1);
        return ST_EINVAL;
    }
    *variant = (f->created_by ? STI_LIST_CREATED_BY : 0) |
               (f->seller_id ? STI_LIST_SELLER : 0) | (f->state ? STI_LIST_STATE : 0);
    if (cursor != NULL && cursor[0] != '\0') {
        if (parse_cursor(cursor, after_ms, after_id, idlen) != 0) {
            sti_err(err, errlen, "malformed cursor: pass back a next_cursor unchanged");
            return ST_EINVAL;
        }
        *variant |= STI_LIST_CURSOR;
    }
    return 0;
}

int store_orders_list(store *s, const st_order_filter *f, const char *cursor, size_t limit,
                      st_order_row **out, size_t *count, char *next_cursor, size_t next_len,
                      char *err, size_t errlen)
{
    static const st_order_filter none = {0};
    if (f == NULL)
        f = &none;
    unsigned variant = 0;
    int64_t after_ms = 0;
    char after_id[ST_ID_MAX];
    /* The cursor is read before the outputs are touched: it may be next_cursor itself. */
    int arc = list_args(s, f, cursor, limit, out, count, next_cursor, next_len, &variant,
                        &after_ms, after_id, sizeof(after_id), err, errlen);
    if (out != NULL)
        *out = NULL;
    if (count != NULL)
        *count = 0;
    if (next_cursor != NULL && next_len > 0)
        next_cursor[0] = '\0';
    if (arc != 0)
        return arc;

    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    sqlite3_stmt *st = sti_list_stmt(c, variant, err, errlen);
    void *rows = NULL;
    size_t n = 0;
    int rc = -1;
    if (st != NULL) {
        /* One row more than asked: it says whether there is a next page. */
        int b = sqlite3_bind_int64(st, 1, f->since_ms > 0 ? f->since_ms : INT64_MIN) |
                sqlite3_bind_int64(st, 7, (int64_t)limit + 1);
        if (variant & STI_LIST_CURSOR)
            b |= sqlite3_bind_int64(st, 2, after_ms) |
                 sqlite3_bind_text(st, 3, after_id, -1, SQLITE_STATIC);
        if (f->created_by != NULL)
            b |= sqlite3_bind_text(st, 4, f->created_by, -1, SQLITE_STATIC);
        if (f->seller_id != NULL)
            b |= sqlite3_bind_text(st, 5, f->seller_id, -1, SQLITE_STATIC);
        if (f->state != NULL)
            b |= sqlite3_bind_text(st, 6, f->state, -1, SQLITE_STATIC);
        if (b != SQLITE_OK) {
            sti_sqlerr(err, errlen, c->db, "listing orders");
            sti_end(st);
        } else {
            rc = sti_rows(c, st, REC_ORDER_ROW, &rows, &n, err, errlen);
        }
    }
    sti_reader_put(s, c);
    if (rc != 0)
        return -1;
    st_order_row *r = rows;
    if (n > limit) {
        n = limit;
        snprintf(next_cursor, next_len, "%lld:%s", (long long)r[n - 1].updated_ms, r[n - 1].id);
    }
    *out = r;
    *count = n;
    return 0;
}

/* ---- counts -------------------------------------------------------------------------- */

static int count_states(sti_conn *c, st_counts *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = sti_stmt(c, SQL_COUNT_STATES, err, errlen);
    if (st == NULL)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t n = sqlite3_column_int64(st, 1);
        out->orders += n;
        if (out->state_count == ST_COUNTS_STATES) {
            out->states_truncated = 1;
            continue;
        }
        st_state_count *sc = &out->states[out->state_count];
        const unsigned char *name = sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if (name == NULL || len >= sizeof(sc->state)) {
            sti_err(err, errlen, "a stored order state is longer than %zu bytes",
                    sizeof(sc->state) - 1);
            sti_end(st);
            return -1;
        }
        memcpy(sc->state, name, len);
        sc->state[len] = '\0';
        sc->count = n;
        out->state_count++;
    }
    if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, "counting orders by state");
    sti_end(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int count_others(sti_conn *c, st_counts *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = sti_stmt(c, SQL_COUNT_OTHERS, err, errlen);
    if (st == NULL)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->events = sqlite3_column_int64(st, 0); /* NULL (no event yet) reads as 0 */
        int64_t actions = sqlite3_column_int64(st, 1);
        out->actions_pending = sqlite3_column_int64(st, 2);
        out->actions_claimed = sqlite3_column_int64(st, 3);
        out->actions_dead = sqlite3_column_int64(st, 4);
        out->actions_done = actions - out->actions_pending - out->actions_claimed -
                            out->actions_dead; /* status is 0..3 (a CHECK constraint) */
        out->timers = sqlite3_column_int64(st, 5);
    } else {
        sti_sqlerr(err, errlen, c->db, "counting events, actions and timers");
    }
    sti_end(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int store_counts(store *s, st_counts *out, char *err, size_t errlen)
{
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (s == NULL || out == NULL) {
        sti_err(err, errlen, "store_counts: no store or no output");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    /* One read transaction: every number from the same commit. */
    int rc = sti_exec(c, SQL_READ_BEGIN, err, errlen);
    if (rc == 0)
        rc = count_states(c, out, err, errlen) == 0 && count_others(c, out, err, errlen) == 0 &&
                     sti_exec(c, SQL_COMMIT, err, errlen) == 0
                 ? 0
                 : -1;
    if (!sqlite3_get_autocommit(c->db)) {
        char scratch[ST_ERROR_MAX];
        sti_exec(c, SQL_ROLLBACK, scratch, sizeof(scratch));
    }
    if (sqlite3_get_autocommit(c->db))
        sti_reader_put(s, c);
    else
        sti_conn_close(c); /* never pool a connection stuck in a transaction */
    if (rc != 0)
        memset(out, 0, sizeof(*out));
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

int store_tracking_order(store *s, const char *carrier, const char *number, char *order_id,
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

int store_document_get(store *s, const char *order_id, const char *name, st_document *out,
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

void st_document_clear(st_document *d)
{
    free(d->data);
    memset(d, 0, sizeof(*d));
}
