/*
 * es_money - each order's money, kept twice: in the snapshot's payment member
 * (authorized_total, captured_total, refunded_total, currency, status), which the API shows
 * and the next step reads, and in the store's payments record, which bounds every refund.
 * The snapshot alone would do while one worker owns the order; the store's conditional
 * update is what still holds when it does not (a unit built on a stale copy, a second
 * process on the same store), since a refund reservation rides in the very unit that
 * enqueues the refund action: refused, it takes the action down with it.
 */
#include "config.h"

#include "es_money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *payment_of(es_unit *c)
{
    json_t *p = json_object_get(c->snapshot, "payment");
    if (!json_is_object(p)) {
        p = json_object();
        json_object_set_new(c->snapshot, "payment", p);
    }
    return p;
}

static int64_t member(const json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

/* The ledger entry's seller is left to the store: the order's, as stored. */
static int add_move(es_unit *c, st_money_op op, const char *currency, int64_t amount,
                    const char *cause, const char *event)
{
    if (c->nmoney == ES_MAX_MONEY) {
        snprintf(c->error, sizeof(c->error), "more than %d money moves for one input",
                 ES_MAX_MONEY);
        return -1;
    }
    st_money_move *m = &c->money[c->nmoney++];
    memset(m, 0, sizeof(*m));
    snprintf(m->order_id, sizeof(m->order_id), "%s", c->ce->id);
    m->op = op;
    snprintf(m->currency, sizeof(m->currency), "%s", currency);
    m->amount = amount;
    snprintf(m->cause, sizeof(m->cause), "%s", cause);
    snprintf(m->event, sizeof(m->event), "%s", event);
    return 0;
}

static const char *currency_of(es_unit *c)
{
    const char *cur = json_string_value(json_object_get(c->snapshot, "currency"));
    return cur != NULL && strlen(cur) == 3 ? cur : "XXX";
}

/* What refunds may still give back: the capture, or before it the authorization, less
 * what was refunded and what a void released. */
static int64_t remaining(const json_t *p)
{
    int64_t base = member(p, "captured_total") > 0 ? member(p, "captured_total")
                                                   : member(p, "authorized_total");
    return base - member(p, "refunded_total") - member(p, "voided_total");
}

static void set_status(json_t *p)
{
    int64_t refunded = member(p, "refunded_total");
    if (refunded > 0)
        json_object_set_new(p, "status", json_string(remaining(p) > 0 ? "partially_refunded"
                                                                      : "refunded"));
}

/*
 * The store's record is created with the first money move: orders authorized before
 * schema 8 (no authorized_total) get theirs, from the order's total, with their first
 * capture or refund.
 */
static int ensure_record(es_unit *c, json_t *p, const char *event)
{
    if (json_integer_value(json_object_get(p, "authorized_total")) > 0)
        return 0;
    /* Only money that was taken can go back: never authorized (declined, or not yet)
     * leaves nothing to refund. */
    const char *status = json_string_value(json_object_get(p, "status"));
    if (status == NULL || (strcmp(status, "authorized") != 0 && strcmp(status, "captured") != 0))
        return 0;
    int64_t total = member(c->snapshot, "total");
    json_object_set_new(p, "authorized_total", json_integer(total));
    json_object_set_new(p, "refunded_total", json_integer(0));
    return add_move(c, ST_MONEY_AUTHORIZE, currency_of(c), total, "", event);
}

void es_money_order_input(es_unit *c, lc_input in, const json_t *data)
{
    if (in != LC_IN_PAYMENT_AUTHORIZED && in != LC_IN_PAYMENT_CAPTURED)
        return;
    json_t *p = payment_of(c);
    const char *event = in == LC_IN_PAYMENT_AUTHORIZED ? "payment.authorized"
                                                       : "payment.captured";
    int64_t amount = member(data, "amount");
    if (amount <= 0 || amount > ST_MONEY_MAX)
        amount = member(c->snapshot, "total");
    if (in == LC_IN_PAYMENT_AUTHORIZED) {
        json_object_set_new(p, "authorized_total", json_integer(amount));
        json_object_set_new(p, "refunded_total", json_integer(0));
        add_move(c, ST_MONEY_AUTHORIZE, currency_of(c), amount, "", event);
        return;
    }
    /* The record again first (an upsert): the capture needs it, whenever it was made. */
    if (json_integer_value(json_object_get(p, "authorized_total")) <= 0)
        json_object_set_new(p, "authorized_total", json_integer(amount));
    add_move(c, ST_MONEY_AUTHORIZE, currency_of(c), member(p, "authorized_total"), "",
             event);
    json_object_set_new(p, "captured_total", json_integer(amount));
    add_move(c, ST_MONEY_CAPTURE, currency_of(c), amount, "", event);
}

static int sku_in(const json_t *skus, const char *sku)
{
    size_t i;
    const json_t *s;
    json_array_foreach(skus, i, s) {
        if (json_is_string(s) && sku != NULL && strcmp(json_string_value(s), sku) == 0)
            return 1;
    }
    return 0;
}

/*
 * A return gives back its lines: quantity x unit_price of every item whose SKU it names
 * (all the items when it names none).  What the total holds beyond the items (none today:
 * intake makes total the items' sum) goes back only with a return of the whole order.
 */
static int64_t return_amount(const es_unit *c, const json_t *ret)
{
    const json_t *skus = json_object_get(ret, "skus");
    const json_t *items = json_object_get(c->snapshot, "items");
    int64_t lines = 0, all = 0;
    int whole = 1;
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        int64_t line = member(it, "quantity") * member(it, "unit_price");
        all += line;
        if (!json_is_array(skus) ||
            sku_in(skus, json_string_value(json_object_get(it, "sku"))))
            lines += line;
        else
            whole = 0;
    }
    int64_t rest = member(c->snapshot, "total") - all;
    return whole && rest > 0 ? lines + rest : lines;
}

int es_money_void(es_unit *c, const char *event)
{
    json_t *p = payment_of(c);
    int64_t left = remaining(p);
    if (member(p, "authorized_total") <= 0 || member(p, "captured_total") > 0 || left <= 0)
        return 0;
    json_object_set_new(p, "voided_total", json_integer(member(p, "voided_total") + left));
    return add_move(c, ST_MONEY_REFUND, currency_of(c), left, "void", event);
}

json_t *es_money_refund(es_unit *c, const char *event, const json_t *data, int *skip)
{
    *skip = 0;
    json_t *p = payment_of(c);
    if (ensure_record(c, p, event) != 0)
        return NULL;
    int64_t left = remaining(p), amount;
    const char *cause;
    if (strcmp(event, "return.inspected") == 0) {
        cause = "return";
        amount = return_amount(c, data);
    } else if (strcmp(event, "dispute.resolved") == 0) {
        cause = "dispute";
        amount = json_is_integer(json_object_get(data, "amount")) ? member(data, "amount")
                                                                  : left;
    } else {
        cause = "delivery_unconfirmed";
        amount = left;
    }
    if (amount <= 0 && strcmp(cause, "dispute") != 0) {
        *skip = 1; /* nothing to give back: no refund action */
        return NULL;
    }
    if (amount <= 0 || amount > left) {
        c->overrefund = 1;
        c->refundable = left < 0 ? 0 : left;
        snprintf(c->error, sizeof(c->error), "a refund (%s) of %lld %s exceeds the %lld %s "
                 "refundable", cause, (long long)amount, currency_of(c),
                 (long long)c->refundable, currency_of(c));
        return NULL;
    }
    if (add_move(c, ST_MONEY_REFUND, currency_of(c), amount, cause, event) != 0)
        return NULL;
    json_object_set_new(p, "refunded_total",
                        json_integer(member(p, "refunded_total") + amount));
    set_status(p);
    json_t *out = json_is_object(data) ? json_deep_copy(data) : json_object();
    json_object_set_new(out, "refund", json_pack("{s:I, s:s, s:s}", "amount",
                                                 (json_int_t)amount, "currency",
                                                 currency_of(c), "cause", cause));
    return out;
}
