/*
 * orders.c - the order verbs: submit, show, timeline, list, the seller's actions (ack,
 * pack, ship, cancel) and the buyer's (payment, return, dispute) with the seller's and
 * support's steps of returns and disputes.
 */
#include "config.h"

#include "orders.h"

#include "ctl.h"
#include "host/host.h"
#include "http.h"
#include "options.h"
#include "output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILE (16 * 1024 * 1024)

static int oom(void)
{
    fprintf(stderr, "orderhubctl: out of memory\n");
    return CTL_REFUSED;
}

/* Options of verbs that take none of their own. */
static int no_opt(void *arg, int id, const char *value)
{
    return CTL_USAGE;
}

/* "ID STATE" for an action's answer, plus the id of a return or dispute it opened. */
static int print_state(ctl *c, ctl_resp *r, const char *id)
{
    if (c->json) {
        out_raw(r->body, r->len);
        ctl_resp_free(r);
        return CTL_OK;
    }
    const json_t *j = r->json;
    const char *jid = json_string_value(json_object_get(j, "id"));
    char *oid = out_clean(jid ? jid : id);
    char *st = out_scalar(json_object_get(j, "state"));
    if (oid == NULL || st == NULL) {
        free(oid);
        free(st);
        ctl_resp_free(r);
        return oom();
    }
    printf("%s %s\n", oid, st);
    static const char *const extra[] = {"return_id", "dispute_id"};
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
        const json_t *v = json_object_get(j, extra[i]);
        if (v != NULL) {
            char *s = out_scalar(v);
            printf("%s %s\n", extra[i], s ? s : "");
            free(s);
        }
    }
    free(oid);
    free(st);
    ctl_resp_free(r);
    return CTL_OK;
}

/* POST body (NULL: {}) to /v1/orders/{id}/{segments...} and print the new state. */
static int post_action(ctl *c, const char *id, json_t *body, const char *s1, const char *s2,
                       const char *s3)
{
    char *path = ctl_path("v1", "orders", id, s1, s2, s3, (const char *)NULL);
    if (path == NULL) {
        json_decref(body);
        return oom();
    }
    ctl_resp r;
    int rc = ctl_call(c, "POST", path, body, NULL, &r);
    free(path);
    json_decref(body);
    return rc != 0 ? rc : print_state(c, &r, id);
}

/* ---- submit ------------------------------------------------------------------------ */

static const char submit_help[] =
    "usage: orderhubctl submit [--idempotency-key K] FILE\n"
    "\n"
    "Place the order in FILE (a JSON object, see docs/api.md; - reads standard input)\n"
    "with POST /v1/orders, and print its id and state (awaiting_payment, placed while a\n"
    "filter is undecided, rejected when a filter refused it).\n"
    "\n"
    "  --idempotency-key K  1 to 128 visible ASCII characters: sending the same file again\n"
    "                       with the same key returns the first answer, not a new order\n";

static int submit_opt(void *arg, int id, const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || n > 128)
        return ctl_usage("submit", "--idempotency-key: 1 to 128 characters");
    for (const char *p = value; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p > 0x7e)
            return ctl_usage("submit", "--idempotency-key: visible ASCII characters only "
                                       "(no spaces)");
    }
    *(const char **)arg = value;
    return 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "orderhubctl submit: %s: %s\n", path, strerror(errno));
        return CTL_USAGE;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *b = realloc(buf, cap);
            if (b == NULL) {
                rc = oom();
                break;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > MAX_FILE) {
            fprintf(stderr, "orderhubctl submit: %s: larger than %d MiB\n", path,
                    MAX_FILE >> 20);
            rc = CTL_USAGE;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "orderhubctl submit: %s: %s\n", path, strerror(errno));
                rc = CTL_USAGE;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int verb_submit(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"idempotency-key", required_argument, 1, 0}, {0}};
    const char *key = NULL;
    int first, rc = ctl_parse(c, argc, argv, submit_help, opts, submit_opt, &key, 1, 1, &first);
    if (rc >= 0)
        return rc;
    const char *file = argv[first];
    char *body;
    size_t len;
    if ((rc = read_file(file, &body, &len)) != 0)
        return rc;
    /* Checked here for a precise message; sent as read, byte for byte, so that a retry
     * with the same idempotency key has the same body. */
    json_error_t e;
    json_t *doc = json_loadb(body, len, 0, &e);
    if (!json_is_object(doc)) {
        if (doc == NULL)
            fprintf(stderr, "orderhubctl submit: %s:%d:%d: %s\n", file, e.line, e.column,
                    e.text);
        else
            fprintf(stderr, "orderhubctl submit: %s: the order must be a JSON object\n", file);
        json_decref(doc);
        free(body);
        return CTL_USAGE;
    }
    json_decref(doc);
    ctl_resp r;
    rc = ctl_call_raw(c, "POST", "/v1/orders", body, len, key, &r);
    free(body);
    return rc != 0 ? rc : print_state(c, &r, "");
}

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

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
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
        const char *row[] = {str(it, "sku"), qs, ps, as};
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
    join(text, sizeof(text), "", str(s, "tracking_number"));
    join(extra, sizeof(extra), ", ", str(s, "carrier"));
    join(extra, sizeof(extra), ", ", str(s, "service"));
    if (extra[0])
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s(%s)",
                 text[0] ? " " : "", extra);
    field("Tracking", "%s", text[0] ? text : "-");
    if (*str(s, "status"))
        field("Shipment", "%s", str(s, "status"));
    if (*str(s, "eta"))
        field("ETA", "%s", str(s, "eta"));
    const json_t *scan = json_object_get(s, "last_scan");
    if (json_is_object(scan) && *str(scan, "text")) {
        if (*str(scan, "time"))
            field("Last scan", "%s (%s)", str(scan, "text"), str(scan, "time"));
        else
            field("Last scan", "%s", str(scan, "text"));
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
    const char *cur = str(o, "currency");
    field("Order", "%s", str(o, "id"));
    field("State", "%s", str(o, "state"));
    const json_t *seller = json_object_get(o, "seller"), *buyer = json_object_get(o, "buyer");
    if (*str(seller, "email"))
        field("Seller", "%s <%s>", str(seller, "id"), str(seller, "email"));
    else
        field("Seller", "%s", str(seller, "id"));
    char b[512] = "";
    join(b, sizeof(b), " ", str(buyer, "name"));
    if (*str(buyer, "email"))
        snprintf(b + strlen(b), sizeof(b) - strlen(b), "%s<%s>", b[0] ? " " : "",
                 str(buyer, "email"));
    join(b, sizeof(b), ", ", str(buyer, "phone"));
    if (b[0] == '\0')
        join(b, sizeof(b), "", str(buyer, "id"));
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
        join(addr, sizeof(addr), ", ", str(a, "name"));
        join(addr, sizeof(addr), ", ", str(a, "street1"));
        join(addr, sizeof(addr), ", ", str(a, "street2"));
        join(addr, sizeof(addr), ", ", str(a, "city"));
        join(cityline, sizeof(cityline), " ", str(a, "region"));
        join(cityline, sizeof(cityline), " ", str(a, "postal_code"));
        join(addr, sizeof(addr), ", ", cityline);
        join(addr, sizeof(addr), ", ", str(a, "country"));
        field("Ship to", "%s", addr);
    }
    if (*str(o, "service_level"))
        field("Service", "%s", str(o, "service_level"));
    const json_t *pay = json_object_get(o, "payment");
    if (*str(pay, "transaction_id"))
        field("Payment", "%s", str(pay, "transaction_id")); /* never the payment token */
    if (*str(pay, "decline_code") || *str(pay, "message"))
        field("Declined", "%s%s%s", str(pay, "decline_code"),
              *str(pay, "decline_code") && *str(pay, "message") ? ": " : "",
              str(pay, "message"));
    show_parcels(json_object_get(json_object_get(o, "fulfillment"), "parcels"));
    const json_t *ship = json_object_get(o, "shipment");
    if (json_is_object(ship))
        show_shipment(ship);
    show_cases("Return", json_object_get(o, "returns"));
    show_cases("Dispute", json_object_get(o, "disputes"));
}

int verb_show(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, show_help, NULL, no_opt, NULL, 1, 1, &first);
    if (rc >= 0)
        return rc;
    char *path = ctl_path("v1", "orders", argv[first], (const char *)NULL);
    if (path == NULL)
        return oom();
    ctl_resp r;
    rc = ctl_call(c, "GET", path, NULL, NULL, &r);
    free(path);
    if (rc != 0)
        return rc;
    if (c->json)
        out_raw(r.body, r.len);
    else
        show_summary(r.json);
    ctl_resp_free(&r);
    return CTL_OK;
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
    int first, rc = ctl_parse(c, argc, argv, timeline_help, NULL, no_opt, NULL, 1, 1, &first);
    if (rc >= 0)
        return rc;
    char *path = ctl_path("v1", "orders", argv[first], "events", (const char *)NULL);
    if (path == NULL)
        return oom();
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
        return oom();
    }
    size_t i;
    const json_t *ev;
    json_array_foreach(json_object_get(r.json, "events"), i, ev) {
        char when[64];
        out_local_time(when, sizeof(when), json_integer_value(json_object_get(ev, "at_ms")));
        const json_t *data = json_object_get(ev, "data");
        char *d = detail(data);
        const char *row[] = {when, str(ev, "name"), str(data, "state"), d ? d : ""};
        if (out_table_add(t, row) != 0)
            rc = oom();
        free(d);
    }
    out_table_print(t, stdout, 0);
    out_table_free(t);
    ctl_resp_free(&r);
    return rc > 0 ? rc : CTL_OK;
}

/* ---- list ------------------------------------------------------------------------- */

static const char list_help[] =
    "usage: orderhubctl list [--seller S] [--state ST] [--since TIME] [--limit N]\n"
    "                        [--all | --cursor C]\n"
    "\n"
    "List the orders the token may see, most recent first as the server orders them:\n"
    "id, state, seller, last update (local time).\n"
    "\n"
    "  --seller S    only seller S's orders\n"
    "  --state ST    only orders in state ST (awaiting_shipment, completed, ...)\n"
    "  --since TIME  only orders updated at or after TIME: Unix milliseconds (digits\n"
    "                only) or ISO 8601 (2026-11-26, 2026-11-26T17:45:03Z,\n"
    "                2026-11-26T17:45:03+01:00; without a zone, local time)\n"
    "  --limit N     at most N orders per page, 1 to 200 (server default 50)\n"
    "  --all         follow next_cursor through every page\n"
    "  --cursor C    start at the page of cursor C (from a previous answer)\n";

enum { L_SELLER = 1, L_STATE, L_SINCE, L_LIMIT, L_ALL, L_CURSOR };

struct list_opts {
    const char *seller, *state, *limit, *cursor;
    char since[32];
    int all;
};

/*
 * ISO 8601 date or date-time (see list_help) to Unix ms; -1 when not one.  The daemon's
 * parser reads it; a time without an offset is the user's local time here, not UTC.
 */
static int parse_iso(const char *s, long long *ms)
{
    int64_t utc_ms = 0;
    int rc = host_time_parse(s, &utc_ms);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        *ms = utc_ms;
        return 0;
    }
    /* Local wall-clock time: what UTC instant shows these digits here. */
    time_t wall = (time_t)(utc_ms / 1000);
    struct tm tm;
    gmtime_r(&wall, &tm);
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    *ms = (long long)t * 1000 + utc_ms % 1000;
    return 0;
}

static int list_opt(void *arg, int id, const char *value)
{
    struct list_opts *o = arg;
    long long v;
    switch (id) {
    case L_SELLER:
        o->seller = value;
        return 0;
    case L_STATE:
        o->state = value;
        return 0;
    case L_LIMIT:
        if (ctl_parse_uint(value, 1, 200, &v) != 0)
            return ctl_usage("list", "--limit: expected 1 to 200, not '%s'", value);
        o->limit = value;
        return 0;
    case L_ALL:
        o->all = 1;
        return 0;
    case L_CURSOR:
        o->cursor = value;
        return 0;
    case L_SINCE:
        if (ctl_parse_uint(value, 0, 253402300799999LL, &v) != 0 && parse_iso(value, &v) != 0)
            return ctl_usage("list", "--since: expected Unix milliseconds or an ISO 8601 "
                                     "date or time (2026-11-26T17:45:03Z), not '%s'", value);
        snprintf(o->since, sizeof(o->since), "%lld", v);
        return 0;
    }
    return CTL_USAGE;
}

static char *list_path(const struct list_opts *o, const char *cursor)
{
    char *path = ctl_path("v1", "orders", (const char *)NULL);
    if (path == NULL || ctl_query_add(&path, "seller", o->seller) ||
        ctl_query_add(&path, "state", o->state) ||
        ctl_query_add(&path, "since", o->since[0] ? o->since : NULL) ||
        ctl_query_add(&path, "limit", o->limit) || ctl_query_add(&path, "cursor", cursor)) {
        free(path);
        return NULL;
    }
    return path;
}

int verb_list(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {
        {"seller", required_argument, L_SELLER, 0}, {"state", required_argument, L_STATE, 0},
        {"since", required_argument, L_SINCE, 0},   {"limit", required_argument, L_LIMIT, 0},
        {"all", no_argument, L_ALL, 0},             {"cursor", required_argument, L_CURSOR, 0},
        {0}};
    struct list_opts o = {0};
    int first, rc = ctl_parse(c, argc, argv, list_help, opts, list_opt, &o, 0, 0, &first);
    if (rc >= 0)
        return rc;
    if (o.all && o.cursor)
        return ctl_usage("list", "--all starts at the first page: no --cursor with it");

    static const char *const hdr[] = {"ID", "STATE", "SELLER", "UPDATED"};
    out_table *t = out_table_new(4, hdr, 0);
    json_t *all = json_array();
    char *cursor = o.cursor ? strdup(o.cursor) : NULL;
    if (t == NULL || all == NULL || (o.cursor && cursor == NULL))
        rc = oom();
    for (int page = 0; rc <= 0; page++) {
        char *path = list_path(&o, cursor);
        if (path == NULL) {
            rc = oom();
            break;
        }
        ctl_resp r;
        rc = ctl_call(c, "GET", path, NULL, NULL, &r);
        free(path);
        if (rc != 0)
            break;
        const json_t *orders = json_object_get(r.json, "orders");
        const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
        if (!json_is_array(orders)) {
            fprintf(stderr, "orderhubctl list: the answer has no \"orders\" array\n");
            ctl_resp_free(&r);
            rc = CTL_REFUSED;
            break;
        }
        if (c->json && !o.all) {
            out_raw(r.body, r.len);
            ctl_resp_free(&r);
            rc = CTL_OK;
            break;
        }
        size_t i;
        const json_t *x;
        json_array_foreach(orders, i, x) {
            json_array_append(all, (json_t *)x);
            char when[64] = "";
            if (json_object_get(x, "updated_ms"))
                out_local_time(when, sizeof(when),
                               json_integer_value(json_object_get(x, "updated_ms")));
            char *id = out_scalar(json_object_get(x, "id"));
            const char *row[] = {id ? id : "", str(x, "state"), str(x, "seller_id"), when};
            out_table_add(t, row);
            free(id);
        }
        if (next != NULL && *next != '\0' && cursor != NULL && strcmp(next, cursor) == 0) {
            fprintf(stderr, "orderhubctl list: the server answered the same cursor again\n");
            ctl_resp_free(&r);
            rc = CTL_REFUSED;
            break;
        }
        free(cursor);
        cursor = next && *next ? strdup(next) : NULL;
        ctl_resp_free(&r);
        if (!o.all || cursor == NULL) {
            if (!o.all && cursor != NULL) {
                char *cc = out_clean(cursor);
                fprintf(stderr, "orderhubctl: more orders: --all, or --cursor %s\n",
                        cc ? cc : "");
                free(cc);
            }
            if (c->json) {
                json_t *doc = json_pack("{s:O, s:n}", "orders", all, "next_cursor");
                out_json(doc);
                json_decref(doc);
            } else if (out_table_rows(t) == 0) {
                printf("no orders\n");
            } else {
                out_table_print(t, stdout, 0);
            }
            rc = CTL_OK;
            break;
        }
    }
    free(cursor);
    json_decref(all);
    out_table_free(t);
    return rc;
}

/* ---- seller actions --------------------------------------------------------------- */

static const char ack_help[] =
    "usage: orderhubctl ack ID\n"
    "\n"
    "Seller: acknowledge the order (POST /v1/orders/ID/ack); print its id and state.\n";

static const char cancel_help[] =
    "usage: orderhubctl cancel ID\n"
    "\n"
    "Cancel the order (seller, storefront, support); print its id and state.\n";

static int simple_action(ctl *c, int argc, char **argv, const char *help, const char *action)
{
    int first, rc = ctl_parse(c, argc, argv, help, NULL, no_opt, NULL, 1, 1, &first);
    return rc >= 0 ? rc : post_action(c, argv[first], NULL, action, NULL, NULL);
}

int verb_ack(ctl *c, int argc, char **argv)
{
    return simple_action(c, argc, argv, ack_help, "ack");
}

int verb_cancel(ctl *c, int argc, char **argv)
{
    return simple_action(c, argc, argv, cancel_help, "cancel");
}

static const char pack_help[] =
    "usage: orderhubctl pack ID [--parcel WEIGHT_G[xLxWxH]]...\n"
    "\n"
    "Seller: the order is packed (POST /v1/orders/ID/pack); print its id and state.\n"
    "\n"
    "  --parcel WEIGHT_G[xLxWxH]  one parcel (repeat for more): its weight in grams and\n"
    "                             optionally its length, width and height in mm, as\n"
    "                             950 or 950x250x200x120\n";

static const char ship_help[] =
    "usage: orderhubctl ship ID [--service-level L] [--carrier C]\n"
    "                        [--parcel WEIGHT_G[xLxWxH]]...\n"
    "\n"
    "Seller: pack and ship (POST /v1/orders/ID/ship), noting the service level and the\n"
    "carrier on the order; print its id and state.\n"
    "\n"
    "  --service-level L          the service level (standard, express, ...)\n"
    "  --carrier C                the carrier\n"
    "  --parcel WEIGHT_G[xLxWxH]  as for pack (repeat for more parcels)\n";

enum { P_PARCEL = 1, P_SERVICE, P_CARRIER };

struct pack_opts {
    const char *verb;
    json_t *parcels;
    const char *service, *carrier;
};

static json_t *parse_parcel(const char *text)
{
    static const char *const keys[] = {"weight_g", "length_mm", "width_mm", "height_mm"};
    long long v[4];
    int n = 0;
    const char *p = text;
    while (n < 4) {
        char num[24];
        size_t len = strcspn(p, "xX");
        if (len == 0 || len >= sizeof(num))
            return NULL;
        memcpy(num, p, len);
        num[len] = '\0';
        if (ctl_parse_uint(num, 1, 1000000000LL, &v[n]) != 0)
            return NULL;
        n++;
        p += len;
        if (*p == '\0')
            break;
        p++;
    }
    if (*p != '\0' || (n != 1 && n != 4))
        return NULL;
    json_t *o = json_object();
    for (int i = 0; o && i < n; i++)
        json_object_set_new(o, keys[i], json_integer(v[i]));
    return o;
}

static int pack_opt(void *arg, int id, const char *value)
{
    struct pack_opts *o = arg;
    if (id == P_SERVICE) {
        o->service = value;
        return 0;
    }
    if (id == P_CARRIER) {
        o->carrier = value;
        return 0;
    }
    json_t *parcel = parse_parcel(value);
    if (parcel == NULL)
        return ctl_usage(o->verb, "--parcel: expected WEIGHT_G or WEIGHT_GxLxWxH (positive "
                                  "integers: grams, millimetres), as 950x250x200x120, not '%s'",
                         value);
    json_array_append_new(o->parcels, parcel);
    return 0;
}

static int pack_or_ship(ctl *c, int argc, char **argv, int ship)
{
    static const ctl_opt pack_opts[] = {{"parcel", required_argument, P_PARCEL, 0}, {0}};
    static const ctl_opt ship_opts[] = {{"parcel", required_argument, P_PARCEL, 0},
                                        {"service-level", required_argument, P_SERVICE, 0},
                                        {"carrier", required_argument, P_CARRIER, 0},
                                        {0}};
    struct pack_opts o = {.verb = argv[0], .parcels = json_array()};
    if (o.parcels == NULL)
        return oom();
    int first, rc = ctl_parse(c, argc, argv, ship ? ship_help : pack_help,
                              ship ? ship_opts : pack_opts, pack_opt, &o, 1, 1, &first);
    if (rc >= 0) {
        json_decref(o.parcels);
        return rc;
    }
    json_t *body = json_object();
    if (body == NULL) {
        json_decref(o.parcels);
        return oom();
    }
    if (json_array_size(o.parcels) > 0)
        json_object_set(body, "parcels", o.parcels);
    if (o.service)
        json_object_set_new(body, "service_level", json_string(o.service));
    if (o.carrier)
        json_object_set_new(body, "carrier", json_string(o.carrier));
    json_decref(o.parcels);
    return post_action(c, argv[first], body, ship ? "ship" : "pack", NULL, NULL);
}

int verb_pack(ctl *c, int argc, char **argv)
{
    return pack_or_ship(c, argc, argv, 0);
}

int verb_ship(ctl *c, int argc, char **argv)
{
    return pack_or_ship(c, argc, argv, 1);
}

/* ---- buyer: payment ----------------------------------------------------------------- */

static const char payment_help[] =
    "usage: orderhubctl payment ID TOKEN\n"
    "\n"
    "Buyer (storefront): give a declined order a new payment method, TOKEN being the\n"
    "payment provider's token (not the API token); print the order's id and state.\n";

int verb_payment(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, payment_help, NULL, no_opt, NULL, 2, 2, &first);
    if (rc >= 0)
        return rc;
    json_t *body = json_pack("{s:s}", "token", argv[first + 1]);
    if (body == NULL)
        return ctl_usage("payment", "TOKEN must be UTF-8 text");
    return post_action(c, argv[first], body, "payment", NULL, NULL);
}

/* ---- returns and disputes --------------------------------------------------------- */

static const char return_help[] =
    "usage: orderhubctl return request ID [--reason R] [--sku S]...\n"
    "       orderhubctl return approve|reject|received|exchange ID RID\n"
    "       orderhubctl return inspected ID RID --outcome refund|exchange|reject\n"
    "\n"
    "request    buyer (storefront): ask to return the order's items (or only the SKUs\n"
    "           given with --sku, repeated); prints the order's id and state and the\n"
    "           new return's id\n"
    "approve, reject, received, exchange\n"
    "           seller: the return RID's next step\n"
    "inspected  seller: the returned goods were inspected, with the outcome\n"
    "\n"
    "Each sub-verb has --help.  Global options go before 'return' or after the sub-verb.\n";

static const char return_request_help[] =
    "usage: orderhubctl return request ID [--reason R] [--sku S]...\n"
    "\n"
    "Buyer (storefront): request a return (POST /v1/orders/ID/returns); print the\n"
    "order's id and state and the new return's id (return_id).\n"
    "\n"
    "  --reason R  why\n"
    "  --sku S     a SKU to return (repeat for more; default: as the server decides)\n";

static const char return_step_help[] =
    "usage: orderhubctl return approve|reject|received|exchange ID RID\n"
    "\n"
    "Seller: the next step of return RID of order ID\n"
    "(POST /v1/orders/ID/returns/RID/STEP); print the order's id and state.\n";

static const char return_inspected_help[] =
    "usage: orderhubctl return inspected ID RID --outcome refund|exchange|reject\n"
    "\n"
    "Seller: return RID's goods were inspected, with this outcome\n"
    "(POST /v1/orders/ID/returns/RID/inspected); print the order's id and state.\n"
    "\n"
    "  --outcome O  refund, exchange or reject (required)\n";

static const char dispute_help[] =
    "usage: orderhubctl dispute open ID [--reason R]\n"
    "       orderhubctl dispute resolve ID DID --resolution refund|exchange|reject\n"
    "\n"
    "open     buyer (storefront): open a dispute; prints the order's id and state and\n"
    "         the dispute's id\n"
    "resolve  support: resolve dispute DID\n"
    "\n"
    "Each sub-verb has --help.  Global options go before 'dispute' or after the sub-verb.\n";

static const char dispute_open_help[] =
    "usage: orderhubctl dispute open ID [--reason R]\n"
    "\n"
    "Buyer (storefront): open a dispute (POST /v1/orders/ID/disputes); print the order's\n"
    "id and state and the dispute's id (dispute_id).\n"
    "\n"
    "  --reason R  why\n";

static const char dispute_resolve_help[] =
    "usage: orderhubctl dispute resolve ID DID --resolution refund|exchange|reject\n"
    "\n"
    "Support: resolve dispute DID of order ID (POST /v1/orders/ID/disputes/DID/resolve);\n"
    "print the order's id and state.\n"
    "\n"
    "  --resolution R  refund, exchange or reject (required)\n";

enum { C_REASON = 1, C_SKU, C_OUTCOME };

struct case_opts {
    const char *verb;
    const char *reason, *outcome;
    json_t *skus;
};

static int case_opt(void *arg, int id, const char *value)
{
    struct case_opts *o = arg;
    switch (id) {
    case C_REASON:
        o->reason = value;
        return 0;
    case C_SKU:
        json_array_append_new(o->skus, json_string(value));
        return 0;
    case C_OUTCOME:
        if (strcmp(value, "refund") != 0 && strcmp(value, "exchange") != 0 &&
            strcmp(value, "reject") != 0)
            return ctl_usage(o->verb, "expected refund, exchange or reject, not '%s'", value);
        o->outcome = value;
        return 0;
    }
    return CTL_USAGE;
}

static int return_request(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"reason", required_argument, C_REASON, 0},
                                   {"sku", required_argument, C_SKU, 0},
                                   {0}};
    struct case_opts o = {.verb = argv[0], .skus = json_array()};
    if (o.skus == NULL)
        return oom();
    int first, rc = ctl_parse(c, argc, argv, return_request_help, opts, case_opt, &o, 1, 1,
                              &first);
    json_t *body = rc >= 0 ? NULL : json_object();
    if (rc < 0 && body == NULL)
        rc = oom();
    if (rc >= 0) {
        json_decref(o.skus);
        return rc;
    }
    if (o.reason)
        json_object_set_new(body, "reason", json_string(o.reason));
    if (json_array_size(o.skus) > 0)
        json_object_set(body, "skus", o.skus);
    json_decref(o.skus);
    return post_action(c, argv[first], body, "returns", NULL, NULL);
}

static int return_step(ctl *c, int argc, char **argv, const char *step)
{
    int first, rc = ctl_parse(c, argc, argv, return_step_help, NULL, no_opt, NULL, 2, 2,
                              &first);
    if (rc >= 0)
        return rc;
    return post_action(c, argv[first], NULL, "returns", argv[first + 1], step);
}

/* The outcome of inspected, the resolution of resolve: required, one of three. */
static int decided(ctl *c, int argc, char **argv, const char *help, const char *opt,
                   const char *key, const char *s1, const char *s3)
{
    const ctl_opt opts[] = {{opt, required_argument, C_OUTCOME, 0}, {0}};
    struct case_opts o = {.verb = argv[0]};
    int first, rc = ctl_parse(c, argc, argv, help, opts, case_opt, &o, 2, 2, &first);
    if (rc >= 0)
        return rc;
    if (o.outcome == NULL)
        return ctl_usage(argv[0], "--%s refund|exchange|reject is required", opt);
    json_t *body = json_pack("{s:s}", key, o.outcome);
    if (body == NULL)
        return oom();
    return post_action(c, argv[first], body, s1, argv[first + 1], s3);
}

/* "return approve ...": argv[1] names the sub-verb; it runs with argv + 1, named in
 * messages as "return approve". */
static int sub_verb(ctl *c, int argc, char **argv, const char *help, const char *const *names,
                    const char *const *shown, size_t n, size_t *which)
{
    if (argc < 2)
        return ctl_usage(argv[0], "which one? (%s)", names[0]);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(help, stdout);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], names[i]) == 0) {
            argv[1] = (char *)shown[i];
            *which = i;
            return -1;
        }
    }
    return ctl_usage(argv[0], "unknown sub-verb '%s'", argv[1]);
}

int verb_return(ctl *c, int argc, char **argv)
{
    static const char *const names[] = {"request", "approve", "reject",
                                         "received", "exchange", "inspected"};
    static const char *const shown[] = {"return request", "return approve", "return reject",
                                        "return received", "return exchange",
                                        "return inspected"};
    size_t which = 0;
    int rc = sub_verb(c, argc, argv, return_help, names, shown, 6, &which);
    if (rc >= 0)
        return rc;
    if (which == 0)
        return return_request(c, argc - 1, argv + 1);
    if (which == 5)
        return decided(c, argc - 1, argv + 1, return_inspected_help, "outcome", "outcome",
                       "returns", "inspected");
    return return_step(c, argc - 1, argv + 1, names[which]);
}

static int dispute_open(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"reason", required_argument, C_REASON, 0}, {0}};
    struct case_opts o = {.verb = argv[0]};
    int first, rc = ctl_parse(c, argc, argv, dispute_open_help, opts, case_opt, &o, 1, 1,
                              &first);
    if (rc >= 0)
        return rc;
    json_t *body = json_object();
    if (body == NULL)
        return oom();
    if (o.reason)
        json_object_set_new(body, "reason", json_string(o.reason));
    return post_action(c, argv[first], body, "disputes", NULL, NULL);
}

int verb_dispute(ctl *c, int argc, char **argv)
{
    static const char *const names[] = {"open", "resolve"};
    static const char *const shown[] = {"dispute open", "dispute resolve"};
    size_t which = 0;
    int rc = sub_verb(c, argc, argv, dispute_help, names, shown, 2, &which);
    if (rc >= 0)
        return rc;
    if (which == 0)
        return dispute_open(c, argc - 1, argv + 1);
    return decided(c, argc - 1, argv + 1, dispute_resolve_help, "resolution", "resolution",
                   "disputes", "resolve");
}
