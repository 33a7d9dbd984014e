/*
 * stock_import.c - `stock import FILE`: every line is checked before the first request, so
 * a typo on line 9000 never leaves the first 8999 records written and the rest not.  The
 * records then go in bulk writes, each all or nothing on the server.
 */
#include "config.h"

#include "stock_import.h"

#include "ctl.h"
#include "http.h"
#include "options.h"
#include "orders.h"
#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char import_help[] =
    "usage: orderhubctl stock import FILE [--seller ID]\n"
    "\n"
    "Set the stock levels in FILE (- reads standard input) with bulk writes\n"
    "(POST /v1/stock), each of at most 1000 records and 64 KiB.  FILE is either\n"
    "  CSV         a header line 'sku,on_hand' or 'sku,on_hand,low_threshold', then one\n"
    "              record a line (no quoting: a SKU holds no comma; an empty\n"
    "              low_threshold keeps the record's)\n"
    "  JSON lines  one object a line: {\"sku\": \"...\", \"on_hand\": N} and optionally\n"
    "              \"low_threshold\" (an integer, or null for none)\n"
    "Empty lines are skipped.  Every line is checked first: a bad one (or a SKU given\n"
    "twice) is reported with its line number and nothing is sent.  When a request is\n"
    "refused, the records of the requests before it stay written; that one and the\n"
    "rest are not.\n"
    "\n"
    "  --seller ID  the seller (required with an admin token)\n";

#define SKU_MAX 64
#define QTY_MAX 1000000000LL

/* One record of the file and the line it came from. */
typedef struct rec {
    json_t *item;
    size_t line;
} rec;

typedef struct recs {
    rec *v;
    size_t n, cap;
} recs;

static int bad_line(const char *file, size_t line, const char *why)
{
    fprintf(stderr, "orderhubctl stock import: %s:%zu: %s; nothing was sent\n", file, line, why);
    return CTL_USAGE;
}

static int sku_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SKU_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            return 0;
    }
    return 1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* A CSV record line into an item; NULL with *why set. */
static json_t *csv_item(char *line, int with_low, const char **why)
{
    char *cols[4] = {0};
    size_t n = 0;
    for (char *p = line; n < 4; n++) {
        cols[n] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL) {
            n++;
            break;
        }
        *comma = '\0';
        p = comma + 1;
    }
    if (n != (size_t)(with_low ? 3 : 2)) {
        *why = with_low ? "expected 3 columns: sku,on_hand,low_threshold"
                        : "expected 2 columns: sku,on_hand";
        return NULL;
    }
    const char *sku = trim(cols[0]), *qty = trim(cols[1]);
    long long on_hand, low = -1;
    if (!sku_ok(sku)) {
        *why = "sku: 1 to 64 bytes without control characters";
        return NULL;
    }
    if (ctl_parse_uint(qty, 0, QTY_MAX, &on_hand) != 0) {
        *why = "on_hand: expected an integer from 0 to 1000000000";
        return NULL;
    }
    if (with_low && *trim(cols[2]) != '\0' &&
        ctl_parse_uint(trim(cols[2]), 0, QTY_MAX, &low) != 0) {
        *why = "low_threshold: expected empty or an integer from 0 to 1000000000";
        return NULL;
    }
    json_t *item = json_pack("{s:s, s:I}", "sku", sku, "on_hand", (json_int_t)on_hand);
    if (item != NULL && low >= 0)
        json_object_set_new(item, "low_threshold", json_integer(low));
    if (item == NULL)
        *why = "out of memory";
    return item;
}

/* A JSON line into an item (only the documented members); NULL with *why set. */
static json_t *json_item(const char *line, const char **why, char *buf, size_t buflen)
{
    json_error_t e;
    json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(j)) {
        snprintf(buf, buflen, "not a JSON object%s%s", j ? "" : ": ", j ? "" : e.text);
        *why = buf;
        json_decref(j);
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (strcmp(key, "sku") != 0 && strcmp(key, "on_hand") != 0 &&
            strcmp(key, "low_threshold") != 0) {
            snprintf(buf, buflen, "unknown member \"%.60s\" (sku, on_hand, low_threshold)", key);
            *why = buf;
            json_decref(j);
            return NULL;
        }
    }
    const json_t *sku = json_object_get(j, "sku"), *qty = json_object_get(j, "on_hand"),
                 *low = json_object_get(j, "low_threshold");
    *why = !json_is_string(sku) || !sku_ok(json_string_value(sku))
               ? "sku: a string of 1 to 64 bytes without control characters"
           : !json_is_integer(qty) || json_integer_value(qty) < 0 ||
                   json_integer_value(qty) > QTY_MAX
               ? "on_hand: an integer from 0 to 1000000000"
           : low != NULL && !json_is_null(low) &&
                   (!json_is_integer(low) || json_integer_value(low) < 0 ||
                    json_integer_value(low) > QTY_MAX)
               ? "low_threshold: null or an integer from 0 to 1000000000"
               : NULL;
    if (*why != NULL) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int recs_add(recs *r, json_t *item, size_t line)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        rec *v = realloc(r->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (rec){item, line};
    return 0;
}

static void recs_free(recs *r)
{
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->v[i].item);
    free(r->v);
}

static int by_sku(const void *a, const void *b)
{
    const rec *x = *(const rec *const *)a, *y = *(const rec *const *)b;
    int c = strcmp(json_string_value(json_object_get(x->item, "sku")),
                   json_string_value(json_object_get(y->item, "sku")));
    return c != 0 ? c : x->line < y->line ? -1 : 1;
}

/* A SKU twice would make the outcome depend on which request carried which. */
static int no_repeats(const char *file, const recs *r)
{
    const rec **p = malloc((r->n ? r->n : 1) * sizeof(*p));
    if (p == NULL)
        return ord_oom();
    for (size_t i = 0; i < r->n; i++)
        p[i] = &r->v[i];
    qsort(p, r->n, sizeof(*p), by_sku);
    int rc = 0;
    for (size_t i = 1; i < r->n && rc == 0; i++) {
        if (strcmp(json_string_value(json_object_get(p[i]->item, "sku")),
                   json_string_value(json_object_get(p[i - 1]->item, "sku"))) == 0) {
            char why[96];
            snprintf(why, sizeof(why), "this SKU is already on line %zu", p[i - 1]->line);
            rc = bad_line(file, p[i]->line, why);
        }
    }
    free(p);
    return rc;
}

/* Read and check the whole file into r: 0, or the exit status after saying why. */
static int read_all(const char *file, recs *r)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "orderhubctl stock import: %s: %s\n", file, strerror(errno));
        return CTL_USAGE;
    }
    char *line = NULL, buf[160];
    size_t cap = 0, lineno = 0;
    int format = 0; /* 0 unknown yet, 1 CSV, 2 CSV with low_threshold, 3 JSON lines */
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) != -1) {
        lineno++;
        /* A spreadsheet's UTF-8 export starts with a byte order mark. */
        char *t = trim(lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0 ? line + 3 : line);
        if (*t == '\0')
            continue;
        const char *why = NULL;
        if (format == 0 && *t != '{') {
            for (char *p = t; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            if (strcmp(t, "sku,on_hand") == 0 || strcmp(t, "sku, on_hand") == 0)
                format = 1;
            else if (strcmp(t, "sku,on_hand,low_threshold") == 0 ||
                     strcmp(t, "sku, on_hand, low_threshold") == 0)
                format = 2;
            else
                rc = bad_line(file, lineno, "expected the CSV header 'sku,on_hand' or "
                                            "'sku,on_hand,low_threshold', or a JSON object");
            continue;
        }
        if (format == 0)
            format = 3;
        json_t *item = format == 3 ? json_item(t, &why, buf, sizeof(buf))
                                   : csv_item(t, format == 2, &why);
        if (item == NULL)
            rc = bad_line(file, lineno, why);
        else if (recs_add(r, item, lineno) != 0) {
            json_decref(item);
            rc = ord_oom();
        }
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "orderhubctl stock import: %s: %s\n", file, strerror(errno));
        rc = CTL_USAGE;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    if (rc == 0 && r->n == 0) {
        fprintf(stderr, "orderhubctl stock import: %s: no records; nothing was sent\n", file);
        rc = CTL_USAGE;
    }
    return rc != 0 ? rc : no_repeats(file, r);
}

/* Send records [from, to) in one bulk write: 0, or the exit status after saying why (with
 * the line of the record the server's refusal names, when it names one). */
static int send_batch(ctl *c, const char *path, const char *file, const recs *r, size_t from,
                      size_t to)
{
    json_t *items = json_array();
    for (size_t i = from; items != NULL && i < to; i++)
        json_array_append(items, r->v[i].item);
    json_t *body = json_pack("{s:o}", "items", items);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL)
        return ord_oom();
    ctl_resp resp;
    int rc = ctl_request(c, "POST", path, text, strlen(text), NULL, &resp);
    free(text);
    if (rc != 0)
        return rc;
    if (resp.status >= 200 && resp.status < 300) {
        ctl_resp_free(&resp);
        return 0;
    }
    rc = ctl_report(c, &resp);
    size_t k;
    const char *field = json_string_value(json_object_get(resp.json, "field"));
    if (field != NULL && sscanf(field, "items[%zu]", &k) == 1 && k < to - from)
        fprintf(stderr, "orderhubctl stock import: %s:%zu: the record refused\n", file,
                r->v[from + k].line);
    ctl_resp_free(&resp);
    fprintf(stderr, "orderhubctl stock import: lines %zu to %zu were not written",
            r->v[from].line, r->v[to - 1].line);
    if (from > 0)
        fprintf(stderr, "; the %zu records before line %zu were", from, r->v[from].line);
    fprintf(stderr, "\n");
    return rc;
}

static int import_opt(void *arg, int id, const char *value)
{
    *(const char **)arg = value;
    return 0;
}

int stock_import(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"seller", required_argument, 1, 0}, {0}};
    const char *seller = NULL;
    int first, rc = ctl_parse(c, argc, argv, import_help, opts, import_opt, &seller, 1, 1,
                              &first);
    if (rc >= 0)
        return rc;
    const char *file = argv[first];
    recs r = {0};
    if ((rc = read_all(file, &r)) != 0) {
        recs_free(&r);
        return rc;
    }
    char *path = ctl_path("v1", "stock", (const char *)NULL);
    if (path == NULL || ctl_query_add(&path, "seller", seller) != 0) {
        free(path);
        recs_free(&r);
        return ord_oom();
    }
    /* Batches cut by count and by bytes: {"items":[...]} with its commas stays under the
     * server's body limit. */
    size_t from = 0, bytes = 16, requests = 0;
    for (size_t i = 0; rc == 0 && i <= r.n; i++) {
        size_t len = 0;
        if (i < r.n) {
            char *t = json_dumps(r.v[i].item, JSON_COMPACT);
            len = t ? strlen(t) + 1 : 0;
            free(t);
            if (len == 0) {
                rc = ord_oom();
                break;
            }
        }
        if (i == r.n || i - from == STOCK_BULK_ITEMS || bytes + len > STOCK_BULK_BYTES) {
            if (i > from) {
                rc = send_batch(c, path, file, &r, from, i);
                requests++;
            }
            from = i;
            bytes = 16;
        }
        bytes += len;
    }
    if (rc == 0) {
        if (c->json)
            printf("{\"records\":%zu,\"requests\":%zu}\n", r.n, requests);
        else
            printf("%zu record%s written in %zu request%s\n", r.n, r.n == 1 ? "" : "s",
                   requests, requests == 1 ? "" : "s");
    }
    free(path);
    recs_free(&r);
    return rc;
}
