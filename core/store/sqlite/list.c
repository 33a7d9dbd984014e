#include "config.h"

#include "list.h"

#include "conn.h"
#include "records.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * list - the reads that walk many rows: a page of orders (keyset pagination on the index
 * of the filter, store.h's store_orders_list) and the counts for metrics, on pooled reader
 * connections like every read.
 */

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
static int list_args(store_impl *s, const st_order_filter *f, const char *cursor, size_t limit,
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
    if (f->sort != ST_SORT_UPDATED && f->sort != ST_SORT_SHIP_BY) {
        sti_err(err, errlen, "unknown listing order %d", (int)f->sort);
        return ST_EINVAL;
    }
    *variant = (f->created_by ? STI_LIST_CREATED_BY : 0) |
               (f->seller_id ? STI_LIST_SELLER : 0) | (f->state ? STI_LIST_STATE : 0) |
               (f->late_at_ms > 0 ? STI_LIST_LATE : 0) |
               (f->sort == ST_SORT_SHIP_BY ? STI_LIST_SHIP_BY : 0);
    if (cursor != NULL && cursor[0] != '\0') {
        if (parse_cursor(cursor, after_ms, after_id, idlen) != 0) {
            sti_err(err, errlen, "malformed cursor: pass back a next_cursor unchanged");
            return ST_EINVAL;
        }
        *variant |= STI_LIST_CURSOR;
    }
    return 0;
}

int sqlite_store_orders_list(store_impl *s, const st_order_filter *f, const char *cursor,
                             size_t limit,
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
        if (variant & (STI_LIST_LATE | STI_LIST_SHIP_BY))
            b |= sqlite3_bind_int64(st, 8, f->late_at_ms > 0 ? f->late_at_ms : INT64_MAX);
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
        /* The position in the listing's own order: a deadline when sorted by it. */
        int64_t at = f->sort == ST_SORT_SHIP_BY ? r[n - 1].ship_by_ms : r[n - 1].updated_ms;
        snprintf(next_cursor, next_len, "%lld:%s", (long long)at, r[n - 1].id);
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
        out->sla_warnings = sqlite3_column_int64(st, 6);
        out->sla_breaches = sqlite3_column_int64(st, 7);
    } else {
        sti_sqlerr(err, errlen, c->db, "counting events, actions and timers");
    }
    sti_end(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int sqlite_store_counts(store_impl *s, st_counts *out, char *err, size_t errlen)
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
