/*
 * stock.c - the stock verb: a seller's stock records set, adjusted and shown (import is
 * stock_import.c).  A seller token acts on its own seller; an admin names one (--seller).
 */
#include "config.h"

#include "stock.h"

#include "ctl.h"
#include "http.h"
#include "options.h"
#include "orders.h"
#include "output.h"
#include "stock_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char stock_help[] =
    "usage: orderhubctl stock set SKU N [--low T] [--version V] [--seller ID]\n"
    "       orderhubctl stock adjust SKU DELTA [--version V] [--seller ID]\n"
    "       orderhubctl stock show [SKU] [--low-only] [--seller ID]\n"
    "       orderhubctl stock import FILE [--seller ID]\n"
    "\n"
    "set     on hand is N units of SKU (the record is created when absent)\n"
    "adjust  on hand changes by DELTA (negative: fewer)\n"
    "show    one SKU's record, or every record of the seller\n"
    "import  stock levels from a CSV or JSON-lines file, all checked before any is sent\n"
    "\n"
    "A seller token manages its own seller's stock; an admin token names the seller\n"
    "with --seller.  Each sub-verb has --help.\n";

static const char set_help[] =
    "usage: orderhubctl stock set SKU N [--low T] [--version V] [--seller ID]\n"
    "\n"
    "Set SKU's units on hand to N (PUT /v1/stock/SKU); print the record as written.\n"
    "\n"
    "  --low T      warn (inventory.low) when fewer than T are available; 'none' clears it\n"
    "  --version V  only if the record is at version V (else 409, nothing changes)\n"
    "  --seller ID  the seller (required with an admin token)\n";

static const char adjust_help[] =
    "usage: orderhubctl stock adjust SKU DELTA [--version V] [--seller ID]\n"
    "\n"
    "Change SKU's units on hand by DELTA, e.g. 12 or -3 (POST /v1/stock/SKU/adjust);\n"
    "print the record as written.  Units reserved for orders cannot be adjusted away.\n"
    "A negative DELTA follows '--': orderhubctl stock adjust MUG-1 -- -3\n"
    "\n"
    "  --version V  only if the record is at version V (else 409, nothing changes)\n"
    "  --seller ID  the seller (required with an admin token)\n";

static const char show_help[] =
    "usage: orderhubctl stock show [SKU] [--low-only] [--seller ID]\n"
    "\n"
    "SKU's stock record, or (no SKU) every record of the seller by SKU, page by page\n"
    "(GET /v1/stock): on hand, reserved, available, low threshold, version.\n"
    "\n"
    "  --low-only   only records whose available units are below their threshold\n"
    "  --seller ID  the seller (required with an admin token)\n";

enum { S_LOW = 1, S_VERSION, S_SELLER, S_LOW_ONLY };

struct stock_opts {
    const char *verb;
    const char *seller;
    json_t *low;        /* --low: an integer or null ("none"); NULL: not given */
    long long version;  /* 0: not given */
    int low_only;
};

static int stock_opt(void *arg, int id, const char *value)
{
    struct stock_opts *o = arg;
    long long v;
    switch (id) {
    case S_SELLER:
        o->seller = value;
        return 0;
    case S_LOW_ONLY:
        o->low_only = 1;
        return 0;
    case S_VERSION:
        if (ctl_parse_uint(value, 1, 9223372036854775807LL, &v) != 0)
            return ctl_usage(o->verb, "--version: expected a positive integer, not '%s'",
                             value);
        o->version = v;
        return 0;
    case S_LOW:
        json_decref(o->low);
        if (strcmp(value, "none") == 0) {
            o->low = json_null();
            return 0;
        }
        if (ctl_parse_uint(value, 0, 1000000000LL, &v) != 0)
            return ctl_usage(o->verb, "--low: expected 0 to 1000000000 or 'none', not '%s'",
                             value);
        o->low = json_integer(v);
        return 0;
    }
    return CTL_USAGE;
}

/* /v1/stock[/SKU[/tail]][?seller=ID]; NULL when out of memory. */
static char *stock_path(const char *sku, const char *tail, const char *seller)
{
    char *path = ctl_path("v1", "stock", sku, tail, (const char *)NULL);
    if (path != NULL && ctl_query_add(&path, "seller", seller) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

/* One record, as "key value" lines. */
static void print_record(const json_t *rec)
{
    static const char *const keys[] = {"seller_id", "sku",           "on_hand", "reserved",
                                       "available", "low_threshold", "version"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const json_t *v = json_object_get(rec, keys[i]);
        char *s = v && !json_is_null(v) ? out_scalar(v) : NULL;
        printf("%-14s %s\n", keys[i], s ? s : "-");
        free(s);
    }
    char when[64] = "";
    out_local_time(when, sizeof(when), json_integer_value(json_object_get(rec, "updated_ms")));
    printf("%-14s %s\n", "updated", when);
}

/* Send one write and print the record it answers. */
static int write_one(ctl *c, const char *method, const char *path, json_t *body)
{
    int rc = ctl_call_print(c, method, path, body, print_record);
    json_decref(body);
    return rc;
}

static int stock_write(ctl *c, int argc, char **argv, int adjust)
{
    static const ctl_opt set_opts[] = {{"low", required_argument, S_LOW, 0},
                                       {"version", required_argument, S_VERSION, 0},
                                       {"seller", required_argument, S_SELLER, 0}, {0}};
    struct stock_opts o = {.verb = argv[0]};
    int first, rc = ctl_parse(c, argc, argv, adjust ? adjust_help : set_help,
                              adjust ? set_opts + 1 : set_opts, stock_opt, &o, 2, 2, &first);
    if (rc >= 0) {
        json_decref(o.low);
        return rc;
    }
    const char *sku = argv[first], *qty = argv[first + 1];
    long long n;
    int bad = adjust ? (qty[0] == '-' ? ctl_parse_uint(qty + 1, 0, 1000000000LL, &n)
                                      : ctl_parse_uint(qty, 0, 1000000000LL, &n))
                     : ctl_parse_uint(qty, 0, 1000000000LL, &n);
    if (bad != 0) {
        json_decref(o.low);
        return ctl_usage(o.verb, adjust ? "DELTA: expected -1000000000 to 1000000000, not '%s'"
                                        : "N: expected 0 to 1000000000, not '%s'", qty);
    }
    if (adjust && qty[0] == '-')
        n = -n;
    json_t *body = json_pack("{s:I}", adjust ? "delta" : "on_hand", (json_int_t)n);
    if (o.low != NULL)
        json_object_set_new(body, "low_threshold", o.low);
    if (o.version > 0)
        json_object_set_new(body, "version", json_integer(o.version));
    char *path = stock_path(sku, adjust ? "adjust" : NULL, o.seller);
    if (path == NULL || body == NULL) {
        free(path);
        json_decref(body);
        return ord_oom();
    }
    rc = write_one(c, adjust ? "POST" : "PUT", path, body);
    free(path);
    return rc;
}

static int add_row(out_table *t, const json_t *x)
{
    static const char *const keys[] = {"sku", "on_hand", "reserved", "available",
                                       "low_threshold", "version"};
    char *cells[6];
    const char *row[6];
    for (size_t k = 0; k < 6; k++) {
        const json_t *v = json_object_get(x, keys[k]);
        cells[k] = v && !json_is_null(v) ? out_scalar(v) : NULL;
        row[k] = cells[k] ? cells[k] : "-";
    }
    int rc = out_table_add(t, row);
    for (size_t k = 0; k < 6; k++)
        free(cells[k]);
    return rc;
}

/* Every record, following next_after; the table (or, with --json, one document). */
static int show_all(ctl *c, const struct stock_opts *o)
{
    static const char *const hdr[] = {"SKU", "ON_HAND", "RESERVED", "AVAILABLE", "LOW",
                                      "VERSION"};
    out_table *t = out_table_new(6, hdr, 0x3e);
    json_t *all = json_array();
    char *after = NULL;
    int rc = t && all ? -1 : ord_oom();
    while (rc < 0) {
        char *path = stock_path(NULL, NULL, o->seller);
        if (path == NULL || ctl_query_add(&path, "limit", "200") != 0 ||
            ctl_query_add(&path, "low", o->low_only ? "1" : NULL) != 0 ||
            ctl_query_add(&path, "after", after) != 0) {
            free(path);
            rc = ord_oom();
            break;
        }
        ctl_resp r;
        rc = ctl_call(c, "GET", path, NULL, NULL, &r);
        free(path);
        if (rc != 0)
            break;
        rc = -1;
        const json_t *list = json_object_get(r.json, "stock");
        const char *next = json_string_value(json_object_get(r.json, "next_after"));
        size_t i;
        const json_t *x;
        json_array_foreach(list, i, x) {
            json_array_append(all, (json_t *)x);
            add_row(t, x);
        }
        if (next != NULL && after != NULL && strcmp(next, after) <= 0) {
            fprintf(stderr, "orderhubctl stock show: the server answered a cursor that "
                            "does not advance\n");
            rc = CTL_REFUSED;
        }
        free(after);
        after = next != NULL && rc < 0 ? strdup(next) : NULL;
        ctl_resp_free(&r);
        if (rc < 0 && after == NULL)
            rc = CTL_OK;
    }
    if (rc == CTL_OK)
        out_collected(c->json, t, all, "stock", "next_after", "no stock records");
    free(after);
    json_decref(all);
    out_table_free(t);
    return rc;
}

static int stock_show(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"low-only", no_argument, S_LOW_ONLY, 0},
                                   {"seller", required_argument, S_SELLER, 0}, {0}};
    struct stock_opts o = {.verb = argv[0]};
    int first, rc = ctl_parse(c, argc, argv, show_help, opts, stock_opt, &o, 0, 1, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc)
        return show_all(c, &o);
    char *path = stock_path(argv[first], NULL, o.seller);
    if (path == NULL)
        return ord_oom();
    rc = ctl_call_print(c, "GET", path, NULL, print_record);
    free(path);
    return rc;
}

int verb_stock(ctl *c, int argc, char **argv)
{
    static const char *const names[] = {"set", "adjust", "show", "import"};
    static const char *const shown[] = {"stock set", "stock adjust", "stock show",
                                        "stock import"};
    if (argc < 2)
        return ctl_usage(argv[0], "which one? (set, adjust, show or import)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(stock_help, stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(argv[1], names[i]) != 0)
            continue;
        argv[1] = (char *)shown[i];
        if (i <= 1)
            return stock_write(c, argc - 1, argv + 1, i == 1);
        return i == 2 ? stock_show(c, argc - 1, argv + 1) : stock_import(c, argc - 1, argv + 1);
    }
    return ctl_usage(argv[0], "unknown sub-verb '%s'", argv[1]);
}
