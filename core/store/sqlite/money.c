#include "config.h"

#include "money.h"

#include "conn.h"
#include "ledger.h"

#include <string.h>
#include <time.h>

/*
 * money - the payments table (schema version 8).  A refund is a conditional UPDATE on the
 * writer connection, inside the unit's savepoint: its WHERE is what keeps refunded within
 * what was captured, so two refunds racing for the last dollars cannot both get them - the
 * writer applies them one after the other, and the second finds the condition false.
 * When no row changed, the record is read to tell a missing record, a currency mismatch
 * and a refund beyond what remains apart.
 *
 * Every move that changes the order's net (captured - refunded once captured; before the
 * capture nothing reached the seller, so a void moves nothing) appends the seller's ledger
 * entry for that change in the same savepoint: summed, an order's entries are its net.
 */

/* A fixed array that holds its NUL (and, when required, is not empty). */
static int fixed_ok(const char *field, size_t size, int required)
{
    return memchr(field, '\0', size) != NULL && (!required || field[0] != '\0');
}

static int check_move(st_money_move *m, char *err, size_t errlen)
{
    if (!fixed_ok(m->order_id, ST_ID_MAX, 1) || !fixed_ok(m->currency, ST_CURRENCY_MAX, 1) ||
        !fixed_ok(m->cause, ST_CAUSE_MAX, m->op == ST_MONEY_REFUND) ||
        !fixed_ok(m->seller_id, ST_ID_MAX, 0) || !fixed_ok(m->event, ST_NAME_MAX, 0)) {
        sti_err(err, errlen, "money move: order_id, currency, cause, seller_id or event is "
                "empty or too long");
        return -1;
    }
    int64_t least = m->op == ST_MONEY_REFUND ? 1 : 0;
    if (m->op < ST_MONEY_AUTHORIZE || m->op > ST_MONEY_REFUND || m->amount < least ||
        m->amount > ST_MONEY_MAX) {
        sti_err(err, errlen, "money move %s: op %d or amount %lld out of range", m->order_id,
                (int)m->op, (long long)m->amount);
        return -1;
    }
    m->refused = 0;
    m->refundable = 0;
    return 0;
}

int sti_money_check(st_unit *u, char *err, size_t errlen)
{
    if (u->money_move_count && !u->money_moves) {
        sti_err(err, errlen, "a unit list has a count but no array");
        return -1;
    }
    for (size_t i = 0; i < u->money_move_count; i++) {
        if (check_move(&u->money_moves[i], err, errlen) != 0)
            return -1;
    }
    return sti_ledger_check(u, err, errlen);
}

/* The record of order_id on connection c: 0 and *out, 1 when there is none, -1. */
static int payment_find(sti_conn *c, const char *order_id, st_payment *out, char *err,
                        size_t errlen)
{
    memset(out, 0, sizeof(*out));
    STI_STMT(SQL_MONEY_GET);
    int b = sti_bind_text(st, 1, order_id);
    int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    int rc = -1;
    if (step == SQLITE_ROW) {
        const unsigned char *id = sqlite3_column_text(st, 0);
        const unsigned char *cur = sqlite3_column_text(st, 1);
        if (id != NULL && cur != NULL && strlen((const char *)id) < sizeof(out->order_id) &&
            strlen((const char *)cur) < sizeof(out->currency)) {
            strcpy(out->order_id, (const char *)id);
            strcpy(out->currency, (const char *)cur);
            out->authorized = sqlite3_column_int64(st, 2);
            out->captured = sqlite3_column_int64(st, 3);
            out->refunded = sqlite3_column_int64(st, 4);
            out->updated_ms = sqlite3_column_int64(st, 5);
            rc = 0;
        } else {
            sti_err(err, errlen, "a stored payment record is unreadable");
        }
    } else if (step == SQLITE_DONE) {
        rc = 1;
    } else {
        sti_sqlerr(err, errlen, c->db, "reading a payment record");
    }
    sti_end(st);
    return rc;
}

static int64_t refundable_of(const st_payment *p)
{
    return (p->captured > 0 ? p->captured : p->authorized) - p->refunded;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sti_sql move_sql(st_money_op op)
{
    switch (op) {
    case ST_MONEY_AUTHORIZE: return SQL_MONEY_AUTHORIZE;
    case ST_MONEY_CAPTURE: return SQL_MONEY_CAPTURE;
    case ST_MONEY_REFUND: break;
    }
    return SQL_MONEY_REFUND;
}

/* A move whose statement changed nothing: why. */
static int move_missed(sti_conn *c, st_money_move *m, char *err, size_t errlen)
{
    st_payment p;
    int rc = payment_find(c, m->order_id, &p, err, errlen);
    if (rc < 0)
        return -1;
    if (rc == 1 || strcmp(p.currency, m->currency) != 0) {
        sti_err(err, errlen, "payment of %s: %s", m->order_id,
                rc == 1 ? "no record" : "another currency");
        return -1;
    }
    m->refundable = refundable_of(&p);
    if (m->op != ST_MONEY_REFUND) {
        sti_err(err, errlen, "payment of %s: %lld is below the %lld already refunded",
                m->order_id, (long long)m->amount, (long long)p.refunded);
        return -1;
    }
    m->refused = 1;
    sti_err(err, errlen, "refund (%s) of %lld %s on %s exceeds the %lld refundable", m->cause,
            (long long)m->amount, m->currency, m->order_id, (long long)m->refundable);
    return ST_EOVERREFUND;
}

/* What the seller holds of the order: nothing before the capture. */
static int64_t net_of(const st_payment *p)
{
    return p->captured > 0 ? p->captured - p->refunded : 0;
}

static st_ledger_kind kind_of(const st_money_move *m)
{
    if (m->op != ST_MONEY_REFUND)
        return ST_LEDGER_SALE;
    if (strcmp(m->cause, "delivery_unconfirmed") == 0)
        return ST_LEDGER_RECLAIM;
    if (strcmp(m->cause, "dispute") == 0)
        return ST_LEDGER_DISPUTE_LOSS;
    return ST_LEDGER_REFUND;
}

/* The ledger entry of move m, which took the order's net from `before` to after->'s. */
static int mirror(sti_conn *c, const st_money_move *m, int64_t before, const st_payment *after,
                  int64_t now, char *err, size_t errlen)
{
    int64_t delta = net_of(after) - before;
    if (delta == 0)
        return 0;
    st_ledger_entry e;
    memset(&e, 0, sizeof(e));
    memcpy(e.seller_id, m->seller_id, sizeof(e.seller_id));
    memcpy(e.currency, m->currency, sizeof(e.currency));
    memcpy(e.order_id, m->order_id, sizeof(e.order_id));
    memcpy(e.event, m->event, sizeof(e.event));
    memcpy(e.cause, m->cause, sizeof(e.cause));
    e.kind = kind_of(m);
    e.amount = delta;
    return sti_ledger_append(c, &e, now, err, errlen);
}

int sti_money_apply(sti_conn *c, st_unit *u, char *err, size_t errlen)
{
    if (u->money_move_count == 0 && u->ledger_adjustment_count == 0)
        return 0;
    int64_t now = wall_ms();
    for (size_t i = 0; i < u->money_move_count; i++) {
        st_money_move *m = &u->money_moves[i];
        st_payment p;
        int had = payment_find(c, m->order_id, &p, err, errlen);
        if (had < 0)
            return -1;
        int64_t before = had == 0 ? net_of(&p) : 0;
        STI_STMT(move_sql(m->op));
        int b = sti_bind_text(st, 1, m->order_id) | sti_bind_text(st, 2, m->currency) |
                sqlite3_bind_int64(st, 3, m->amount) | sqlite3_bind_int64(st, 4, now);
        if (sti_run(c, st, b, "moving money", err, errlen) != 0)
            return -1;
        if (sqlite3_changes(c->db) == 0)
            return move_missed(c, m, err, errlen);
        if (payment_find(c, m->order_id, &p, err, errlen) != 0 ||
            mirror(c, m, before, &p, now, err, errlen) != 0)
            return -1;
        m->refundable = refundable_of(&p);
    }
    return sti_ledger_apply(c, u, now, err, errlen);
}

int sqlite_store_payment_get(store_impl *s, const char *order_id, st_payment *out, char *err,
                             size_t errlen)
{
    if (s == NULL || order_id == NULL || out == NULL) {
        sti_err(err, errlen, "store_payment_get: no store, order_id or output");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    int rc = payment_find(c, order_id, out, err, errlen);
    sti_reader_put(s, c);
    return rc;
}
