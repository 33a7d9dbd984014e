/*
 * order_show.c - the verbs that read one order: show (its summary) and timeline (its
 * events).
 */
#include "config.h"

#include "order_show.h"

#include "ctl.h"
#include "http.h"
#include "options.h"
#include "orders.h"
#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- show ------------------------------------------------------------------------- */

static const char show_help[] =
    "usage: orderhubctl show ID\n"
    "\n"
    "Print the order's summary: state, seller, buyer, total, items, shipping address,\n"
    "payment, parcels and shipment tracking.  With --json, the snapshot as stored.\n";

/* "label:   value", the value cleaned of control characters. */
static void field(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void field(const char *label, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    char *v = out_clean(text);
    char lab[32];
    snprintf(lab, sizeof(lab), "%s%s", label, *label ? ":" : "");
    printf("%-11s%s\n", lab, v ? v : "");
    free(v);
}

/* Append s to buf with sep when both are non-empty. */
static void join(char *buf, size_t n, const char *sep, const char *s)
{
    if (s == NULL || *s == '\0')
        return;
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, "%s%s", l ? sep : "", s);
}

static void show_items(const json_t *items, const char *cur)
{
    static const char *const hdr[] = {"SKU", "QTY", "UNIT PRICE", "AMOUNT"};
    out_table *t = out_table_new(4, hdr, 0xe);
    if (t == NULL)
        return;
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        long long q = json_integer_value(json_object_get(it, "quantity"));
        long long p = json_integer_value(json_object_get(it, "unit_price"));
        char qs[32], ps[48], as[48] = "?";
        long long amount;
        snprintf(qs, sizeof(qs), "%lld", q);
        out_money(ps, sizeof(ps), p, cur);
        if (!__builtin_mul_overflow(q, p, &amount))
            out_money(as, sizeof(as), amount, cur);
        const char *row[] = {ord_str(it, "sku"), qs, ps, as};
        out_table_add(t, row);
    }
    out_table_print(t, stdout, 2);
    out_table_free(t);
}

static void show_parcels(const json_t *parcels)
{
    size_t i;
    const json_t *p;
    json_array_foreach(parcels, i, p) {
        char text[160];
        int n = snprintf(text, sizeof(text), "%lld g",
                         (long long)json_integer_value(json_object_get(p, "weight_g")));
        if (json_object_get(p, "length_mm") && n > 0 && (size_t)n < sizeof(text))
            snprintf(text + n, sizeof(text) - (size_t)n, ", %lldx%lldx%lld mm",
                     (long long)json_integer_value(json_object_get(p, "length_mm")),
                     (long long)json_integer_value(json_object_get(p, "width_mm")),
                     (long long)json_integer_value(json_object_get(p, "height_mm")));
        field(i == 0 ? "Parcels" : "", "%s", text);
    }
}

static void show_shipment(const json_t *s)
{
    char text[512] = "", extra[256] = "";
    join(text, sizeof(text), "", ord_str(s, "tracking_number"));
    join(extra, sizeof(extra), ", ", ord_str(s, "carrier"));
    join(extra, sizeof(extra), ", ", ord_str(s, "service"));
    if (extra[0])
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s(%s)",
                 text[0] ? " " : "", extra);
    field("Tracking", "%s", text[0] ? text : "-");
    if (*ord_str(s, "status"))
        field("Shipment", "%s", ord_str(s, "status"));
    if (*ord_str(s, "eta"))
        field("ETA", "%s", ord_str(s, "eta"));
    const json_t *scan = json_object_get(s, "last_scan");
    if (json_is_object(scan) && *ord_str(scan, "text")) {
        if (*ord_str(scan, "time"))
            field("Last scan", "%s (%s)", ord_str(scan, "text"), ord_str(scan, "time"));
        else
            field("Last scan", "%s", ord_str(scan, "text"));
    }
}

static const json_t *state_of(const json_t *x)
{
    const json_t *s = json_object_get(x, "state");
    return s ? s : json_object_get(x, "status");
}

/* Returns and disputes: their ids and states, whatever list or map holds them. */
static void show_cases(const char *label, const json_t *v)
{
    const char *key;
    size_t i;
    const json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            char *s = out_scalar(state_of(x));
            char *id = out_scalar(json_object_get(x, "id"));
            field(label, "%s %s", id ? id : "", s ? s : "");
            free(s);
            free(id);
        }
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, x) {
            char *s = out_scalar(json_is_object(x) ? state_of(x) : x);
            field(label, "%s %s", key, s ? s : "");
            free(s);
        }
    }
}

static void show_summary(const json_t *o)
{
    const char *cur = ord_str(o, "currency");
    field("Order", "%s", ord_str(o, "id"));
    field("State", "%s", ord_str(o, "state"));
    const json_t *seller = json_object_get(o, "seller"), *buyer = json_object_get(o, "buyer");
    if (*ord_str(seller, "email"))
        field("Seller", "%s <%s>", ord_str(seller, "id"), ord_str(seller, "email"));
    else
        field("Seller", "%s", ord_str(seller, "id"));
    char b[512] = "";
    join(b, sizeof(b), " ", ord_str(buyer, "name"));
    if (*ord_str(buyer, "email"))
        snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s<%s>", b[0] ? " " : "",
                 ord_str(buyer, "email"));
    join(b, sizeof(b), ", ", ord_str(buyer, "phone"));
    if (b[0] == '\0')
        join(b, sizeof(b), "", ord_str(buyer, "id"));
    field("Buyer", "%s", b[0] ? b : "-");

    const json_t *items = json_object_get(o, "items"), *tot = json_object_get(o, "total");
    long long total = 0;
    int overflow = 0;
    if (json_is_integer(tot)) {
        total = json_integer_value(tot);
    } else { /* a snapshot without a total: the items' sum */
        size_t i;
        const json_t *it;
        json_array_foreach(items, i, it) {
            long long line;
            overflow |= __builtin_mul_overflow(
                (long long)json_integer_value(json_object_get(it, "quantity")),
                (long long)json_integer_value(json_object_get(it, "unit_price")), &line);
            overflow |= __builtin_add_overflow(total, line, &total);
        }
    }
    char money[64] = "?";
    if (!overflow)
        out_money(money, sizeof(money), total, cur);
    field("Total", "%s %s", money, cur);
    if (json_array_size(items) > 0) {
        field("Items", "%zu line%s", json_array_size(items),
              json_array_size(items) == 1 ? "" : "s");
        show_items(items, cur);
    }
    const json_t *a = json_object_get(o, "shipping_address");
    if (json_is_object(a)) {
        char addr[1024] = "", cityline[256] = "";
        join(addr, sizeof(addr), ", ", ord_str(a, "name"));
        join(addr, sizeof(addr), ", ", ord_str(a, "street1"));
        join(addr, sizeof(addr), ", ", ord_str(a, "street2"));
        join(addr, sizeof(addr), ", ", ord_str(a, "city"));
        join(cityline, sizeof(cityline), " ", ord_str(a, "region"));
        join(cityline, sizeof(cityline), " ", ord_str(a, "postal_code"));
        join(addr, sizeof(addr), ", ", cityline);
        join(addr, sizeof(addr), ", ", ord_str(a, "country"));
        field("Ship to", "%s", addr);
    }
    if (*ord_str(o, "service_level"))
        field("Service", "%s", ord_str(o, "service_level"));
    const json_t *pay = json_object_get(o, "payment");
    if (*ord_str(pay, "transaction_id"))
        field("Payment", "%s", ord_str(pay, "transaction_id")); /* never the payment token */
    if (*ord_str(pay, "decline_code") || *ord_str(pay, "message"))
        field("Declined", "%s%s%s", ord_str(pay, "decline_code"),
              *ord_str(pay, "decline_code") && *ord_str(pay, "message") ? ": " : "",
              ord_str(pay, "message"));
    show_parcels(json_object_get(json_object_get(o, "fulfillment"), "parcels"));
    const json_t *ship = json_object_get(o, "shipment");
    if (json_is_object(ship))
        show_shipment(ship);
    show_cases("Return", json_object_get(o, "returns"));
    show_cases("Dispute", json_object_get(o, "disputes"));
}

int verb_show(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, show_help, NULL, ord_no_opt, NULL, 1, 1, &first);
    if (rc >= 0)
        return rc;
    char *path = ctl_path("v1", "orders", argv[first], (const char *)NULL);
    if (path == NULL)
        return ord_oom();
    rc = ctl_call_print(c, "GET", path, NULL, show_summary);
    free(path);
    return rc;
}

/* ---- timeline --------------------------------------------------------------------- */

static const char timeline_help[] =
    "usage: orderhubctl timeline ID\n"
    "\n"
    "Print the order's events, oldest first: local time, event name, the order's state\n"
    "after it, and a detail (last scan, transaction id, tracking number or reason).\n";

/* The detail of an event: the first non-empty of these. */
static char *detail(const json_t *data)
{
    const json_t *cand[] = {
        json_object_get(json_object_get(data, "last_scan"), "text"),
        json_object_get(data, "transaction_id"),
        json_object_get(data, "tracking_number"),
        json_object_get(data, "reason"),
        json_object_get(data, "return_id"),
        json_object_get(data, "dispute_id"),
        json_object_get(data, "message"),
        json_object_get(data, "error"),
    };
    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
        if (cand[i] == NULL || json_is_null(cand[i]) ||
            (json_is_string(cand[i]) && json_string_length(cand[i]) == 0))
            continue;
        return out_scalar(cand[i]);
    }
    return out_clean("");
}

int verb_timeline(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, timeline_help, NULL, ord_no_opt, NULL, 1, 1, &first);
    if (rc >= 0)
        return rc;
    char *path = ctl_path("v1", "orders", argv[first], "events", (const char *)NULL);
    if (path == NULL)
        return ord_oom();
    ctl_resp r;
    rc = ctl_call(c, "GET", path, NULL, NULL, &r);
    free(path);
    if (rc != 0)
        return rc;
    if (c->json) {
        out_raw(r.body, r.len);
        ctl_resp_free(&r);
        return CTL_OK;
    }
    static const char *const hdr[] = {"TIME", "EVENT", "STATE", "DETAIL"};
    out_table *t = out_table_new(4, hdr, 0);
    if (t == NULL) {
        ctl_resp_free(&r);
        return ord_oom();
    }
    size_t i;
    const json_t *ev;
    json_array_foreach(json_object_get(r.json, "events"), i, ev) {
        char when[64];
        out_local_time(when, sizeof(when), json_integer_value(json_object_get(ev, "at_ms")));
        const json_t *data = json_object_get(ev, "data");
        char *d = detail(data);
        const char *row[] = {when, ord_str(ev, "name"), ord_str(data, "state"), d ? d : ""};
        if (out_table_add(t, row) != 0)
            rc = ord_oom();
        free(d);
    }
    out_table_print(t, stdout, 0);
    out_table_free(t);
    ctl_resp_free(&r);
    return rc > 0 ? rc : CTL_OK;
}
