#include "config.h"

#include "records.h"

#include "conn.h"
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

/* ---- column decoding ------------------------------------------------------------------ */

/* Copy a text column into a fixed array; a value that does not fit is an error. */
static int col_fixed(sqlite3_stmt *st, int col, char *dst, size_t size, char *err,
                     size_t errlen)
{
    dst[0] = '\0';
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return 0;
    const unsigned char *t = sqlite3_column_text(st, col);
    if (t == NULL) {
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (n >= size) {
        sti_err(err, errlen, "stored %s is longer than %zu bytes", sqlite3_column_name(st, col),
                size - 1);
        return -1;
    }
    memcpy(dst, t, n);
    dst[n] = '\0';
    return 0;
}

/* A heap copy of a text column; NULL stays NULL. */
static int col_dup(sqlite3_stmt *st, int col, char **dst, char *err, size_t errlen)
{
    *dst = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return 0;
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *copy = t != NULL ? malloc(n + 1) : NULL;
    if (copy == NULL) {
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    memcpy(copy, t, n);
    copy[n] = '\0';
    *dst = copy;
    return 0;
}

#define FIXED(col, field) col_fixed(st, (col), (field), sizeof(field), err, errlen)

/* ---- rows (column order: STI_*_COLS in sqlite_types.h) ---------------------------------- */

int sti_row_order(sqlite3_stmt *st, st_order *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    if (FIXED(0, o->id) != 0 || FIXED(1, o->state) != 0 || FIXED(2, o->seller_id) != 0 ||
        FIXED(7, o->created_by) != 0)
        return -1;
    o->version = sqlite3_column_int64(st, 3);
    o->created_ms = sqlite3_column_int64(st, 5);
    o->updated_ms = sqlite3_column_int64(st, 6);
    o->ship_by_ms = sqlite3_column_int64(st, 8);
    return col_dup(st, 4, &o->snapshot, err, errlen);
}

int sti_row_order_row(sqlite3_stmt *st, st_order_row *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    if (FIXED(0, r->id) != 0 || FIXED(1, r->state) != 0 || FIXED(2, r->seller_id) != 0)
        return -1;
    r->updated_ms = sqlite3_column_int64(st, 3);
    r->created_ms = sqlite3_column_int64(st, 4);
    r->ship_by_ms = sqlite3_column_int64(st, 5);
    return 0;
}

int sti_row_event(sqlite3_stmt *st, st_event *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    e->seq = sqlite3_column_int64(st, 0);
    if (FIXED(1, e->order_id) != 0 || FIXED(2, e->name) != 0)
        return -1;
    e->at_ms = sqlite3_column_int64(st, 4);
    return col_dup(st, 3, &e->data, err, errlen);
}

int sti_row_action(sqlite3_stmt *st, st_action *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    a->id = sqlite3_column_int64(st, 0);
    if (FIXED(1, a->order_id) != 0 || FIXED(2, a->instance) != 0 ||
        FIXED(3, a->operation) != 0 || FIXED(4, a->idem_key) != 0 ||
        FIXED(9, a->lease_owner) != 0 || FIXED(11, a->last_error) != 0)
        return -1;
    a->attempts = sqlite3_column_int(st, 6);
    a->next_at_ms = sqlite3_column_int64(st, 7);
    a->status = (st_action_status)sqlite3_column_int(st, 8);
    a->lease_until_ms = sqlite3_column_int64(st, 10);
    a->created_ms = sqlite3_column_int64(st, 12);
    a->sent = sqlite3_column_int(st, 13);
    return col_dup(st, 5, &a->payload, err, errlen);
}

int sti_row_timer(sqlite3_stmt *st, st_timer *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(st, 0);
    if (FIXED(1, t->order_id) != 0 || FIXED(2, t->name) != 0)
        return -1;
    t->due_ms = sqlite3_column_int64(st, 3);
    if (FIXED(5, t->lease_owner) != 0)
        return -1;
    t->lease_until_ms = sqlite3_column_int64(st, 6);
    return col_dup(st, 4, &t->data, err, errlen);
}

int sti_row_idem(sqlite3_stmt *st, st_idem *i, char *err, size_t errlen)
{
    memset(i, 0, sizeof(*i));
    if (FIXED(0, i->key) != 0 || FIXED(1, i->request_hash) != 0)
        return -1;
    i->status = sqlite3_column_int(st, 2);
    i->created_ms = sqlite3_column_int64(st, 4);
    return col_dup(st, 3, &i->response, err, errlen);
}

/* ---- lists ----------------------------------------------------------------------------- */

static size_t rec_size(sti_rec kind)
{
    switch (kind) {
    case REC_EVENT: return sizeof(st_event);
    case REC_ACTION: return sizeof(st_action);
    case REC_TIMER: return sizeof(st_timer);
    case REC_ORDER_ROW: return sizeof(st_order_row);
    }
    return 0;
}

static int rec_row(sti_rec kind, sqlite3_stmt *st, void *elem, char *err, size_t errlen)
{
    switch (kind) {
    case REC_EVENT: return sti_row_event(st, elem, err, errlen);
    case REC_ACTION: return sti_row_action(st, elem, err, errlen);
    case REC_TIMER: return sti_row_timer(st, elem, err, errlen);
    case REC_ORDER_ROW: return sti_row_order_row(st, elem, err, errlen);
    }
    return -1;
}

static void rec_free(sti_rec kind, void *arr, size_t count)
{
    switch (kind) {
    case REC_EVENT: st_events_free(arr, count); break;
    case REC_ACTION: st_actions_free(arr, count); break;
    case REC_TIMER: st_timers_free(arr, count); break;
    case REC_ORDER_ROW: free(arr); break; /* rows own nothing */
    }
}

int sti_rows(sti_conn *c, sqlite3_stmt *st, sti_rec kind, void **out, size_t *count, char *err,
             size_t errlen)
{
    size_t size = rec_size(kind), n = 0, cap = 0;
    char *arr = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap == 0 ? 16 : cap * 2;
            char *grown = ncap <= SIZE_MAX / size ? realloc(arr, ncap * size) : NULL;
            if (grown == NULL) {
                sti_err(err, errlen, "out of memory");
                break;
            }
            arr = grown;
            cap = ncap;
        }
        if (rec_row(kind, st, arr + n * size, err, errlen) != 0)
            break;
        n++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        sti_sqlerr(err, errlen, c->db, "reading");
    sti_end(st);
    if (rc != SQLITE_DONE) {
        rec_free(kind, arr, n);
        return -1;
    }
    *out = arr;
    *count = n;
    return 0;
}
