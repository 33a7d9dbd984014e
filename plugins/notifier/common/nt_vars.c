/*
 * nt_vars - the FIXED list of template variables and where each reads its value.
 *
 * A variable reads the event's data first where the event carries the fact (a shipment
 * event's tracking number is the one the event is about, even if the order moved on since),
 * then the order snapshot (docs/api.md lists its members).  Every name here is documented in
 * plugins/notifier/common/README.md; tests/notify_render.sh checks the two lists agree.
 */
#include "nt_template.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef enum nt_root { R_NONE = 0, R_ORDER = 1, R_DATA = 2 } nt_root;

/* One place to look: a dotted path under the order or the event's data.  A data source
 * may be limited to events starting with `only` ("shipment."): a payment event's "status"
 * is not a shipment's. */
typedef struct nt_src {
    nt_root root;
    const char *path;
    const char *only;
} nt_src;

typedef struct nt_var nt_var;
typedef const char *(*nt_fn)(const nt_var *v, const nt_ctx *c, char *buf, size_t len);

struct nt_var {
    const char *name;
    nt_src src[4]; /* tried in order; the first non-empty value wins */
    nt_fn fn;      /* computed instead */
    const char *arg;
};

/* ---- reading the JSON ---------------------------------------------------------------------- */

static const json_t *at_path(const json_t *j, const char *path)
{
    char key[64];
    while (j != NULL && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        j = json_object_get(j, key);
        path += n + (path[n] == '.');
    }
    return j;
}

/* A scalar as text; objects, arrays and null are "". */
static const char *scalar(const json_t *j, char *buf, size_t len)
{
    buf[0] = '\0';
    if (json_is_string(j))
        snprintf(buf, len, "%s", json_string_value(j));
    else if (json_is_integer(j))
        snprintf(buf, len, "%lld", (long long)json_integer_value(j));
    else if (json_is_real(j))
        snprintf(buf, len, "%g", json_real_value(j));
    else if (json_is_boolean(j))
        snprintf(buf, len, "%s", json_is_true(j) ? "true" : "false");
    return buf;
}

static const json_t *root_of(const nt_ctx *c, nt_root r)
{
    return r == R_ORDER ? c->in->order : r == R_DATA ? c->in->data : NULL;
}

static const char *str_at(const json_t *j, const char *path)
{
    return json_string_value(at_path(j, path));
}

/* ---- computed values ------------------------------------------------------------------------ */

/* Minor units per currency: ISO 4217 exponents other than 2. */
static int exponent(const char *cur)
{
    static const char *const zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV "
                                    "XAF XOF XPF";
    static const char *const three = "BHD IQD JOD KWD LYD OMR TND";
    if (cur == NULL || strlen(cur) != 3)
        return 2;
    return strstr(zero, cur) ? 0 : strstr(three, cur) ? 3 : 2;
}

/* "37.99 USD" from 3799 and "USD"; integers only, no floating point. */
static const char *money(const json_t *amount, const char *cur, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!json_is_integer(amount))
        return buf;
    long long v = json_integer_value(amount), a = v < 0 ? -v : v;
    int e = exponent(cur);
    long long div = e == 0 ? 1 : e == 3 ? 1000 : 100;
    if (e == 0)
        snprintf(buf, len, "%s%lld", v < 0 ? "-" : "", a);
    else
        snprintf(buf, len, "%s%lld.%0*lld", v < 0 ? "-" : "", a / div, e, a % div);
    if (cur != NULL && *cur) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, " %s", cur);
    }
    return buf;
}

static const char *fn_order_total(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    return money(at_path(c->in->order, "total"), str_at(c->in->order, "currency"), buf, len);
}

static const char *fn_payment_amount(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    const json_t *d = c->in->data;
    if (c->in->event && strncmp(c->in->event, "payment.", 8) == 0 &&
        json_is_integer(at_path(d, "amount")))
        return money(at_path(d, "amount"), str_at(d, "currency"), buf, len);
    const json_t *o = c->in->order;
    if (json_is_integer(at_path(o, "payment.amount")))
        return money(at_path(o, "payment.amount"), str_at(o, "payment.currency"), buf, len);
    return fn_order_total(v, c, buf, len);
}

/* Append `s` to buf after `sep` (when buf is not empty); empty strings skipped. */
static void join(char *buf, size_t len, const char *sep, const char *s)
{
    if (s == NULL || *s == '\0')
        return;
    size_t n = strlen(buf);
    snprintf(buf + n, len - n, "%s%s", n ? sep : "", s);
}

/* "2 x Blue mug, 1 x COASTER-4PK": the item's name, else its SKU. */
static const char *fn_items(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t i;
    const json_t *it;
    json_array_foreach(at_path(c->in->order, "items"), i, it) {
        const char *name = str_at(it, "name") ? str_at(it, "name") : str_at(it, "sku");
        char line[320];
        snprintf(line, sizeof(line), "%lld x %s",
                 (long long)json_integer_value(json_object_get(it, "quantity")),
                 name ? name : "?");
        join(buf, len, ", ", line);
    }
    return buf;
}

/* One line of an address object (v->arg: its path in the order). */
static const char *fn_address(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    const json_t *a = at_path(c->in->order, v->arg);
    buf[0] = '\0';
    static const char *const parts[] = {"street1", "street2", "city", NULL};
    for (size_t i = 0; parts[i]; i++)
        join(buf, len, ", ", str_at(a, parts[i]));
    char tail[160] = "";
    join(tail, sizeof(tail), " ", str_at(a, "region"));
    join(tail, sizeof(tail), " ", str_at(a, "postal_code"));
    join(buf, len, ", ", tail);
    join(buf, len, ", ", str_at(a, "country"));
    return buf;
}

/* Where the latest scan happened: "Springfield, IL, US". */
static const char *fn_location(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    const json_t *l = NULL;
    if (c->in->event && strncmp(c->in->event, "shipment.", 9) == 0)
        l = at_path(c->in->data, "last_scan.location");
    if (l == NULL)
        l = at_path(c->in->order, "shipment.last_scan.location");
    buf[0] = '\0';
    join(buf, len, ", ", str_at(l, "city"));
    join(buf, len, ", ", str_at(l, "region"));
    join(buf, len, ", ", str_at(l, "country"));
    return buf;
}

/* A member of the return or dispute the event is about (v->arg: "returns.reason"). */
static const char *fn_subflow(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    const char *dot = strchr(v->arg, '.');
    int is_return = strncmp(v->arg, "returns", 7) == 0;
    const char *id = str_at(c->in->data, is_return ? "return_id" : "dispute_id");
    buf[0] = '\0';
    const json_t *flows = json_object_get(c->in->order, is_return ? "returns" : "disputes");
    const json_t *one = id ? json_object_get(flows, id) : NULL;
    const char *member = dot + 1;
    /* The event says it first - except "state": the data's is the ORDER's state. */
    const json_t *val = strcmp(member, "state") == 0 ? NULL : json_object_get(c->in->data, member);
    if (val == NULL || (json_is_string(val) && *json_string_value(val) == '\0'))
        val = json_object_get(one, member);
    return scalar(val, buf, len);
}

static const char *fn_ctx(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    const char *s = strcmp(v->arg, "event") == 0       ? c->in->event
                    : strcmp(v->arg, "dedupe") == 0    ? c->in->dedupe_id
                    : strcmp(v->arg, "role") == 0      ? c->audience
                    : strcmp(v->arg, "address") == 0   ? c->address
                                                       : NULL;
    snprintf(buf, len, "%s", s ? s : "");
    return buf;
}

/* The event's instant as ISO 8601 UTC ("2026-03-02T14:05:00Z"): a true instant. */
static const char *fn_occurred(const nt_var *v, const nt_ctx *c, char *buf, size_t len)
{
    time_t t = (time_t)(c->in->occurred_at_ms / 1000);
    struct tm tm;
    buf[0] = '\0';
    if (c->in->occurred_at_ms > 0 && gmtime_r(&t, &tm) != NULL)
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* ---- the list ------------------------------------------------------------------------------ */

#define O(p) {R_ORDER, p, NULL}
#define D(p, only) {R_DATA, p, only}
#define SHIP "shipment."
#define PAY "payment."

static const nt_var vars[] = {
    {"event.name", {{0}}, fn_ctx, "event"},
    {"event.occurred_at", {{0}}, fn_occurred, NULL},
    {"event.dedupe_id", {{0}}, fn_ctx, "dedupe"},
    {"recipient.role", {{0}}, fn_ctx, "role"},
    {"recipient.address", {{0}}, fn_ctx, "address"},

    {"order.id", {O("id")}, NULL, NULL},
    {"order.state", {D("state", NULL), O("state")}, NULL, NULL},
    {"order.total", {{0}}, fn_order_total, NULL},
    {"order.total_minor", {O("total")}, NULL, NULL},
    {"order.currency", {O("currency")}, NULL, NULL},
    {"order.service_level", {O("service_level")}, NULL, NULL},
    {"order.description", {O("description")}, NULL, NULL},
    {"order.items", {{0}}, fn_items, NULL},

    {"buyer.id", {O("buyer.id")}, NULL, NULL},
    {"buyer.name", {O("buyer.name"), O("shipping_address.name")}, NULL, NULL},
    {"buyer.email", {O("buyer.email"), O("shipping_address.email")}, NULL, NULL},
    {"buyer.phone", {O("buyer.phone"), O("shipping_address.phone")}, NULL, NULL},

    {"seller.id", {O("seller.id")}, NULL, NULL},
    {"seller.name", {O("seller.address.name"), O("seller.id")}, NULL, NULL},
    {"seller.email", {O("seller.email")}, NULL, NULL},

    {"shipping.name", {O("shipping_address.name")}, NULL, NULL},
    {"shipping.city", {O("shipping_address.city")}, NULL, NULL},
    {"shipping.region", {O("shipping_address.region")}, NULL, NULL},
    {"shipping.postal_code", {O("shipping_address.postal_code")}, NULL, NULL},
    {"shipping.country", {O("shipping_address.country")}, NULL, NULL},
    {"shipping.address", {{0}}, fn_address, "shipping_address"},

    {"shipment.tracking_number",
     {D("tracking_number", SHIP), D("number", SHIP), O("shipment.tracking_number")}, NULL, NULL},
    {"shipment.status", {D("status", SHIP), O("shipment.status")}, NULL, NULL},
    {"shipment.carrier",
     {D("carrier", SHIP), O("shipment.carrier"), O("fulfillment.carrier")}, NULL, NULL},
    {"shipment.service", {D("service", SHIP), O("shipment.service")}, NULL, NULL},
    {"shipment.eta", {D("eta", SHIP), O("shipment.eta")}, NULL, NULL},
    {"shipment.last_scan", {D("last_scan.text", SHIP), O("shipment.last_scan.text")}, NULL, NULL},
    {"shipment.last_scan_time", {D("last_scan.time", SHIP), O("shipment.last_scan.time")}, NULL,
     NULL},
    {"shipment.location", {{0}}, fn_location, NULL},
    {"shipment.signed_by", {D("proof.signed_by", SHIP), O("shipment.proof.signed_by")}, NULL,
     NULL},

    {"payment.status", {O("payment.status")}, NULL, NULL},
    {"payment.amount", {{0}}, fn_payment_amount, NULL},
    {"payment.transaction_id", {D("transaction_id", PAY), O("payment.transaction_id")}, NULL,
     NULL},
    {"payment.decline_reason",
     {D("message", PAY), D("decline_code", PAY), O("payment.message"), O("payment.decline_code")},
     NULL, NULL},
    {"payment.decline_code", {D("decline_code", PAY), O("payment.decline_code")}, NULL, NULL},

    {"cancellation.reason", {O("cancellation.reason"), D("reason", "order.cancelled")}, NULL,
     NULL},

    {"return.id", {D("return_id", NULL)}, NULL, NULL},
    {"return.state", {{0}}, fn_subflow, "returns.state"},
    {"return.reason", {{0}}, fn_subflow, "returns.reason"},
    {"return.outcome", {{0}}, fn_subflow, "returns.outcome"},
    {"return.tracking_number", {{0}}, fn_subflow, "returns.tracking_number"},
    {"dispute.id", {D("dispute_id", NULL)}, NULL, NULL},
    {"dispute.state", {{0}}, fn_subflow, "disputes.state"},
    {"dispute.reason", {{0}}, fn_subflow, "disputes.reason"},
    {"dispute.resolution", {{0}}, fn_subflow, "disputes.resolution"},
};

#define NVARS (sizeof(vars) / sizeof(vars[0]))

int nt_var_index(const char *name, size_t len)
{
    for (size_t i = 0; i < NVARS; i++)
        if (strlen(vars[i].name) == len && strncmp(vars[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

const char *nt_var_value(int i, const nt_ctx *c, char *buf, size_t buflen)
{
    buf[0] = '\0';
    if (i < 0 || (size_t)i >= NVARS)
        return buf;
    const nt_var *v = &vars[i];
    if (v->fn != NULL)
        return v->fn(v, c, buf, buflen);
    for (size_t k = 0; k < 4 && v->src[k].root != R_NONE; k++) {
        const nt_src *s = &v->src[k];
        if (s->only != NULL && (c->in->event == NULL ||
                                strncmp(c->in->event, s->only, strlen(s->only)) != 0))
            continue;
        scalar(at_path(root_of(c, s->root), s->path), buf, buflen);
        if (buf[0] != '\0')
            return buf;
    }
    return buf;
}
