#include "config.h"

#include "ledger.h"

#include "conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * ledger - the ledger table (schema version 10).  Entries are only ever inserted, in the
 * savepoint of the unit whose money move they mirror (money.c) or that carries the
 * adjustment, so a unit that fails leaves no entry behind.
 */

static const char *const kind_names[] = {
    [ST_LEDGER_SALE] = "sale",
    [ST_LEDGER_REFUND] = "refund",
    [ST_LEDGER_RECLAIM] = "reclaim",
    [ST_LEDGER_DISPUTE_LOSS] = "dispute_loss",
    [ST_LEDGER_ADJUSTMENT] = "adjustment",
};

const char *sti_ledger_kind_name(st_ledger_kind kind)
{
    return kind >= ST_LEDGER_SALE && kind <= ST_LEDGER_ADJUSTMENT ? kind_names[kind] : NULL;
}

static st_ledger_kind kind_of(const char *name)
{
    for (int k = ST_LEDGER_SALE; k <= ST_LEDGER_ADJUSTMENT; k++) {
        if (name != NULL && strcmp(name, kind_names[k]) == 0)
            return (st_ledger_kind)k;
    }
    return 0;
}

int sti_ledger_append(sti_conn *c, const st_ledger_entry *e, int64_t at_ms, char *err,
                      size_t errlen)
{
    STI_STMT(SQL_LEDGER_INSERT);
    int b = sti_bind_text(st, 1, e->seller_id) | sti_bind_text(st, 2, e->currency) |
            sti_bind_text(st, 3, e->order_id) | sti_bind_text(st, 4, e->event) |
            sti_bind_text(st, 5, sti_ledger_kind_name(e->kind)) |
            sti_bind_text(st, 6, e->cause) | sqlite3_bind_int64(st, 7, e->amount) |
            sqlite3_bind_int64(st, 8, at_ms);
    return sti_run(c, st, b, "appending a ledger entry", err, errlen);
}

static int fixed_ok(const char *field, size_t size, int required)
{
    return memchr(field, '\0', size) != NULL && (!required || field[0] != '\0');
}

int sti_ledger_check(const st_unit *u, char *err, size_t errlen)
{
    if (u->ledger_adjustment_count && !u->ledger_adjustments) {
        sti_err(err, errlen, "a unit list has a count but no array");
        return -1;
    }
    for (size_t i = 0; i < u->ledger_adjustment_count; i++) {
        const st_ledger_entry *e = &u->ledger_adjustments[i];
        if (!fixed_ok(e->seller_id, ST_ID_MAX, 1) || !fixed_ok(e->currency, ST_CURRENCY_MAX, 1) ||
            !fixed_ok(e->order_id, ST_ID_MAX, 0) || !fixed_ok(e->event, ST_NAME_MAX, 0) ||
            !fixed_ok(e->cause, ST_CAUSE_MAX, 1) || e->amount == 0 ||
            e->amount > ST_MONEY_MAX || e->amount < -ST_MONEY_MAX) {
            sti_err(err, errlen, "ledger adjustment: seller_id, currency or cause empty or "
                    "too long, or amount 0 or out of range");
            return -1;
        }
    }
    return 0;
}

int sti_ledger_apply(sti_conn *c, st_unit *u, int64_t at_ms, char *err, size_t errlen)
{
    for (size_t i = 0; i < u->ledger_adjustment_count; i++) {
        st_ledger_entry *e = &u->ledger_adjustments[i];
        e->kind = ST_LEDGER_ADJUSTMENT;
        if (sti_ledger_append(c, e, at_ms, err, errlen) != 0)
            return -1;
        e->id = sqlite3_last_insert_rowid(c->db);
        e->at_ms = at_ms;
    }
    return 0;
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

static void read_entry(sqlite3_stmt *st, st_ledger_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->id = sqlite3_column_int64(st, 0);
    copy_text(e->seller_id, sizeof(e->seller_id), sqlite3_column_text(st, 1));
    copy_text(e->currency, sizeof(e->currency), sqlite3_column_text(st, 2));
    copy_text(e->order_id, sizeof(e->order_id), sqlite3_column_text(st, 3));
    copy_text(e->event, sizeof(e->event), sqlite3_column_text(st, 4));
    e->kind = kind_of((const char *)sqlite3_column_text(st, 5));
    copy_text(e->cause, sizeof(e->cause), sqlite3_column_text(st, 6));
    e->amount = sqlite3_column_int64(st, 7);
    e->at_ms = sqlite3_column_int64(st, 8);
}

static int list_on(sti_conn *c, const char *seller_id, const char *currency, int64_t from_ms,
                   int64_t to_ms, int64_t after_id, size_t limit, st_ledger_entry *rows,
                   size_t *count, char *err, size_t errlen)
{
    STI_STMT(SQL_LEDGER_LIST);
    int b = sti_bind_text(st, 1, seller_id) | sti_bind_text(st, 2, currency ? currency : "") |
            sqlite3_bind_int64(st, 3, from_ms) | sqlite3_bind_int64(st, 4, to_ms) |
            sqlite3_bind_int64(st, 5, after_id) | sqlite3_bind_int64(st, 6, (int64_t)limit);
    int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    size_t n = 0;
    while (step == SQLITE_ROW && n < limit) {
        read_entry(st, &rows[n++]);
        step = sqlite3_step(st);
    }
    int rc = step == SQLITE_DONE || step == SQLITE_ROW ? 0 : -1;
    if (rc != 0)
        sti_sqlerr(err, errlen, c->db, "listing ledger entries");
    sti_end(st);
    *count = n;
    return rc;
}

int sqlite_store_ledger_list(store_impl *s, const char *seller_id, const char *currency,
                             int64_t from_ms, int64_t to_ms, int64_t after_id, size_t limit,
                             st_ledger_entry **out, size_t *count, char *err, size_t errlen)
{
    if (out == NULL || count == NULL) {
        sti_err(err, errlen, "store_ledger_list: no output");
        return -1;
    }
    *out = NULL;
    *count = 0;
    if (seller_id == NULL || seller_id[0] == '\0' || strlen(seller_id) >= ST_ID_MAX ||
        (currency != NULL && strlen(currency) >= ST_CURRENCY_MAX) || limit < 1 ||
        limit > ST_LIST_MAX || after_id < 0) {
        sti_err(err, errlen, "store_ledger_list: seller_id, currency, limit or cursor invalid");
        return ST_EINVAL;
    }
    st_ledger_entry *rows = calloc(limit, sizeof(*rows));
    if (rows == NULL) {
        sti_err(err, errlen, "store_ledger_list: out of memory");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL) {
        free(rows);
        return -1;
    }
    size_t n = 0;
    int rc = list_on(c, seller_id, currency, from_ms, to_ms, after_id, limit, rows, &n, err,
                     errlen);
    sti_reader_put(s, c);
    if (rc != 0 || n == 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *count = n;
    return 0;
}

static int balance_on(sti_conn *c, const char *seller_id, st_ledger_balance *out,
                      size_t *count, char *err, size_t errlen)
{
    STI_STMT(SQL_LEDGER_BALANCE);
    int b = sti_bind_text(st, 1, seller_id) | sqlite3_bind_int(st, 2, ST_LEDGER_CURRENCIES);
    int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    size_t n = 0;
    while (step == SQLITE_ROW && n < ST_LEDGER_CURRENCIES) {
        st_ledger_balance *r = &out[n++];
        memset(r, 0, sizeof(*r));
        copy_text(r->currency, sizeof(r->currency), sqlite3_column_text(st, 0));
        r->balance = sqlite3_column_int64(st, 1);
        r->entries = sqlite3_column_int64(st, 2);
        step = sqlite3_step(st);
    }
    int rc = step == SQLITE_DONE || step == SQLITE_ROW ? 0 : -1;
    if (rc != 0)
        sti_sqlerr(err, errlen, c->db, "summing a seller's ledger");
    sti_end(st);
    *count = n;
    return rc;
}

int sqlite_store_ledger_balance(store_impl *s, const char *seller_id, st_ledger_balance *out,
                                size_t *count, char *err, size_t errlen)
{
    if (out == NULL || count == NULL) {
        sti_err(err, errlen, "store_ledger_balance: no output");
        return -1;
    }
    *count = 0;
    if (seller_id == NULL || seller_id[0] == '\0' || strlen(seller_id) >= ST_ID_MAX) {
        sti_err(err, errlen, "store_ledger_balance: seller_id empty or too long");
        return ST_EINVAL;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    int rc = balance_on(c, seller_id, out, count, err, errlen);
    sti_reader_put(s, c);
    return rc;
}
