#include "config.h"

#include "stock.h"

#include "conn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * stock - inventory in the `stock` table (schema version 7).  A unit's writes and moves
 * are conditional UPDATEs on the writer connection, inside the unit's savepoint: the
 * WHERE of each (conn.c) is what keeps 0 <= reserved <= on_hand, so two orders racing for
 * the last unit cannot both get it - the writer applies them one after the other, and the
 * second finds the condition false.  When no row changed, the record is read to tell an
 * untracked SKU, a version conflict, a short RESERVE and an out-of-range write apart.
 */

/* ---- validation ------------------------------------------------------------------------ */

/* A fixed array that holds its NUL and is not empty. */
static int key_ok(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL && field[0] != '\0';
}

static int check_key(const char *what, const char *seller_id, const char *sku, char *err,
                     size_t errlen)
{
    if (!key_ok(seller_id, ST_ID_MAX) || !key_ok(sku, ST_SKU_MAX)) {
        sti_err(err, errlen, "%s: seller_id (1..%d bytes) or sku (1..%d bytes) is empty or "
                "does not fit", what, ST_ID_MAX - 1, ST_SKU_MAX - 1);
        return -1;
    }
    return 0;
}

static int check_set(st_stock_set *w, char *err, size_t errlen)
{
    if (check_key("stock write", w->seller_id, w->sku, err, errlen) != 0)
        return -1;
    if ((w->mode != ST_STOCK_SET && w->mode != ST_STOCK_ADJUST) ||
        w->value < -ST_STOCK_QTY_MAX || w->value > ST_STOCK_QTY_MAX ||
        w->low_threshold < -2 || w->low_threshold > ST_STOCK_QTY_MAX ||
        w->expect_version < 0) {
        sti_err(err, errlen, "stock write %s/%s: mode %d, value %lld, low_threshold %lld or "
                "expect_version %lld out of range", w->seller_id, w->sku, (int)w->mode,
                (long long)w->value, (long long)w->low_threshold,
                (long long)w->expect_version);
        return -1;
    }
    w->failed = 0;
    memset(&w->after, 0, sizeof(w->after));
    return 0;
}

static int check_move(st_stock_move *m, char *err, size_t errlen)
{
    if (check_key("stock move", m->seller_id, m->sku, err, errlen) != 0)
        return -1;
    if (m->op < ST_STOCK_RESERVE || m->op > ST_STOCK_RESTOCK || m->qty < 1 ||
        m->qty > ST_STOCK_QTY_MAX) {
        sti_err(err, errlen, "stock move %s/%s: op %d or qty %lld out of range (qty 1..%lld)",
                m->seller_id, m->sku, (int)m->op, (long long)m->qty,
                (long long)ST_STOCK_QTY_MAX);
        return -1;
    }
    m->untracked = 0;
    m->is_short = 0;
    m->available = 0;
    m->low_threshold = -1;
    return 0;
}

int sti_stock_check(st_unit *u, char *err, size_t errlen)
{
    if ((u->stock_set_count && !u->stock_sets) || (u->stock_move_count && !u->stock_moves)) {
        sti_err(err, errlen, "a unit list has a count but no array");
        return -1;
    }
    for (size_t i = 0; i < u->stock_set_count; i++) {
        if (check_set(&u->stock_sets[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->stock_move_count; i++) {
        if (check_move(&u->stock_moves[i], err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* ---- records --------------------------------------------------------------------------- */

static int col_text(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (t == NULL || n >= size)
        return -1;
    memcpy(dst, t, n);
    dst[n] = '\0';
    return 0;
}

/* A row of STI_STOCK_COLS. */
static int stock_row(sqlite3_stmt *st, st_stock *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (col_text(st, 0, out->seller_id, sizeof(out->seller_id)) != 0 ||
        col_text(st, 1, out->sku, sizeof(out->sku)) != 0) {
        sti_err(err, errlen, "a stored stock key is unreadable or too long");
        return -1;
    }
    out->on_hand = sqlite3_column_int64(st, 2);
    out->reserved = sqlite3_column_int64(st, 3);
    out->low_threshold = sqlite3_column_int64(st, 4);
    out->version = sqlite3_column_int64(st, 5);
    out->updated_ms = sqlite3_column_int64(st, 6);
    return 0;
}

/* The record of (seller_id, sku) on connection c: 0 and *out, 1 when there is none, -1. */
static int stock_find(sti_conn *c, const char *seller_id, const char *sku, st_stock *out,
                      char *err, size_t errlen)
{
    STI_STMT(SQL_STOCK_GET);
    int b = sti_bind_text(st, 1, seller_id) | sti_bind_text(st, 2, sku);
    int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    int rc = -1;
    if (step == SQLITE_ROW)
        rc = stock_row(st, out, err, errlen);
    else if (step == SQLITE_DONE)
        rc = 1;
    else
        sti_sqlerr(err, errlen, c->db, "reading a stock record");
    sti_end(st);
    if (rc == 1) {
        memset(out, 0, sizeof(*out));
        out->low_threshold = -1;
    }
    return rc;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- writes ---------------------------------------------------------------------------- */

/* A write whose UPDATE changed nothing: a new record, a conflict or out of range. */
static int set_missed(sti_conn *c, st_stock_set *w, int64_t now, char *err, size_t errlen)
{
    int rc = stock_find(c, w->seller_id, w->sku, &w->after, err, errlen);
    if (rc < 0)
        return -1;
    if (rc == 0 && w->expect_version != 0 && w->after.version != w->expect_version) {
        w->failed = 1;
        sti_err(err, errlen, "stock %s/%s is at version %lld, not %lld", w->seller_id, w->sku,
                (long long)w->after.version, (long long)w->expect_version);
        return ST_ECONFLICT;
    }
    if (rc == 0) {
        w->failed = 1;
        sti_err(err, errlen, "stock %s/%s: on_hand would leave 0..%lld or fall below the %lld "
                "reserved", w->seller_id, w->sku, (long long)ST_STOCK_QTY_MAX,
                (long long)w->after.reserved);
        return ST_ERANGE;
    }
    if (w->expect_version != 0) {
        w->failed = 1;
        sti_err(err, errlen, "stock %s/%s does not exist (expected version %lld)",
                w->seller_id, w->sku, (long long)w->expect_version);
        return ST_ECONFLICT;
    }
    STI_STMT(SQL_STOCK_INSERT);
    int b = sti_bind_text(st, 1, w->seller_id) | sti_bind_text(st, 2, w->sku) |
            sqlite3_bind_int64(st, 3, w->value) | sqlite3_bind_int64(st, 4, w->low_threshold) |
            sqlite3_bind_int64(st, 5, now) | sqlite3_bind_int64(st, 6, ST_STOCK_QTY_MAX);
    if (sti_run(c, st, b, "creating a stock record", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0) {
        w->failed = 1;
        sti_err(err, errlen, "stock %s/%s: on_hand %lld is out of 0..%lld", w->seller_id,
                w->sku, (long long)w->value, (long long)ST_STOCK_QTY_MAX);
        return ST_ERANGE;
    }
    return stock_find(c, w->seller_id, w->sku, &w->after, err, errlen) == 0 ? 0 : -1;
}

static int apply_set(sti_conn *c, st_stock_set *w, int64_t now, char *err, size_t errlen)
{
    STI_STMT(SQL_STOCK_UPDATE);
    int b = sti_bind_text(st, 1, w->seller_id) | sti_bind_text(st, 2, w->sku) |
            sqlite3_bind_int(st, 3, (int)w->mode) | sqlite3_bind_int64(st, 4, w->value) |
            sqlite3_bind_int64(st, 5, w->low_threshold) |
            sqlite3_bind_int64(st, 6, w->expect_version) | sqlite3_bind_int64(st, 7, now) |
            sqlite3_bind_int64(st, 8, ST_STOCK_QTY_MAX);
    if (sti_run(c, st, b, "writing a stock record", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0)
        return set_missed(c, w, now, err, errlen);
    return stock_find(c, w->seller_id, w->sku, &w->after, err, errlen) == 0 ? 0 : -1;
}

/* ---- moves ----------------------------------------------------------------------------- */

static sti_sql move_sql(st_stock_op op)
{
    switch (op) {
    case ST_STOCK_RESERVE: return SQL_STOCK_RESERVE;
    case ST_STOCK_RELEASE: return SQL_STOCK_RELEASE;
    case ST_STOCK_SELL: return SQL_STOCK_SELL;
    case ST_STOCK_RESTOCK: break;
    }
    return SQL_STOCK_RESTOCK;
}

/* One move: 0 (applied, skipped as untracked, or flagged short), ST_ERANGE or -1. */
static int apply_move(sti_conn *c, st_stock_move *m, int refuse, int64_t now, char *err,
                      size_t errlen)
{
    STI_STMT(move_sql(m->op));
    int b = sti_bind_text(st, 1, m->seller_id) | sti_bind_text(st, 2, m->sku) |
            sqlite3_bind_int64(st, 3, m->qty) | sqlite3_bind_int64(st, 4, now);
    if (m->op == ST_STOCK_RESTOCK)
        b |= sqlite3_bind_int64(st, 5, ST_STOCK_QTY_MAX);
    if (sti_run(c, st, b, "moving stock", err, errlen) != 0)
        return -1;
    int changed = sqlite3_changes(c->db) > 0;
    st_stock rec;
    int rc = stock_find(c, m->seller_id, m->sku, &rec, err, errlen);
    if (rc < 0)
        return -1;
    m->untracked = rc == 1;
    m->available = rec.on_hand - rec.reserved;
    m->low_threshold = rec.low_threshold;
    if (changed || (m->untracked && !(refuse && m->op == ST_STOCK_RESERVE)))
        return 0;
    if (m->op == ST_STOCK_RESERVE) {
        m->is_short = 1;
        return 0;
    }
    sti_err(err, errlen, "stock %s/%s: %s %lld would leave 0 <= reserved (%lld) <= on_hand "
            "(%lld) <= %lld", m->seller_id, m->sku,
            m->op == ST_STOCK_RELEASE ? "releasing" : m->op == ST_STOCK_SELL ? "selling"
                                                                            : "restocking",
            (long long)m->qty, (long long)rec.reserved, (long long)rec.on_hand,
            (long long)ST_STOCK_QTY_MAX);
    return ST_ERANGE;
}

int sti_stock_apply(sti_conn *c, st_unit *u, char *err, size_t errlen)
{
    if (u->stock_set_count == 0 && u->stock_move_count == 0)
        return 0;
    int64_t now = wall_ms();
    for (size_t i = 0; i < u->stock_set_count; i++) {
        int rc = apply_set(c, &u->stock_sets[i], now, err, errlen);
        if (rc != 0)
            return rc;
    }
    size_t shorts = 0;
    const st_stock_move *first = NULL;
    for (size_t i = 0; i < u->stock_move_count; i++) {
        st_stock_move *m = &u->stock_moves[i];
        int rc = apply_move(c, m, u->stock_untracked_refuse, now, err, errlen);
        if (rc != 0)
            return rc;
        if (m->is_short && shorts++ == 0)
            first = m;
    }
    if (shorts > 0) {
        sti_err(err, errlen, "%zu SKU%s short: %s/%s has %lld available", shorts,
                shorts > 1 ? "s" : "", first->seller_id, first->sku,
                (long long)first->available);
        return ST_ESHORT;
    }
    return 0;
}

/* ---- reads ----------------------------------------------------------------------------- */

int sqlite_store_stock_get(store_impl *s, const char *seller_id, const char *sku,
                           st_stock *out, char *err, size_t errlen)
{
    if (s == NULL || seller_id == NULL || sku == NULL || out == NULL) {
        sti_err(err, errlen, "store_stock_get: no store, seller_id, sku or output");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    int rc = stock_find(c, seller_id, sku, out, err, errlen);
    sti_reader_put(s, c);
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

static int list_rows(sti_conn *c, sqlite3_stmt *st, size_t limit, st_stock **out,
                     size_t *count, char *err, size_t errlen)
{
    st_stock *rows = malloc(limit * sizeof(*rows));
    if (rows == NULL) {
        sti_end(st);
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    int rc = 0;
    while (n < limit) {
        int step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = sti_sqlerr(err, errlen, c->db, "listing stock");
            break;
        }
        if (stock_row(st, &rows[n], err, errlen) != 0) {
            rc = -1;
            break;
        }
        n++;
    }
    sti_end(st);
    if (rc != 0 || n == 0) {
        free(rows);
        rows = NULL;
        n = 0;
    }
    *out = rows;
    *count = n;
    return rc;
}

int sqlite_store_stock_list(store_impl *s, const char *seller_id, const char *after_sku,
                            int low_only, size_t limit, st_stock **out, size_t *count,
                            char *err, size_t errlen)
{
    if (out != NULL)
        *out = NULL;
    if (count != NULL)
        *count = 0;
    if (s == NULL) {
        sti_err(err, errlen, "store_stock_list: no store");
        return -1;
    }
    if (out == NULL || count == NULL || seller_id == NULL) {
        sti_err(err, errlen, "store_stock_list: no seller_id or no output");
        return ST_EINVAL;
    }
    if (limit < 1 || limit > ST_LIST_MAX) {
        sti_err(err, errlen, "limit must be from 1 to %d", ST_LIST_MAX);
        return ST_EINVAL;
    }
    if (after_sku == NULL)
        after_sku = "";
    if (strlen(seller_id) >= ST_ID_MAX || strlen(after_sku) >= ST_SKU_MAX) {
        sti_err(err, errlen, "seller_id (%d bytes) or after_sku (%d bytes) is too long",
                ST_ID_MAX - 1, ST_SKU_MAX - 1);
        return ST_EINVAL;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    sqlite3_stmt *st = sti_stmt(c, SQL_STOCK_LIST, err, errlen);
    int rc = -1;
    if (st != NULL) {
        int b = sti_bind_text(st, 1, seller_id) | sti_bind_text(st, 2, after_sku) |
                sqlite3_bind_int(st, 3, low_only != 0) |
                sqlite3_bind_int64(st, 4, (int64_t)limit);
        if (b != SQLITE_OK) {
            sti_sqlerr(err, errlen, c->db, "listing stock");
            sti_end(st);
        } else {
            rc = list_rows(c, st, limit, out, count, err, errlen);
        }
    }
    sti_reader_put(s, c);
    return rc;
}
