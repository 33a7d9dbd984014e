/*
 * ledger.c - the ledger verb: a seller's ledger entries (GET /v1/ledger, every page) as a
 * table, or as CSV - with --month, the month's statement.  A seller token reads its own
 * seller; an admin names one (--seller).
 */
#include "config.h"

#include "ledger.h"

#include "ctl.h"
#include "http.h"
#include "options.h"
#include "orders.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char ledger_help[] =
    "usage: orderhubctl ledger [--month YYYY-MM] [--csv] [--seller ID]\n"
    "\n"
    "The seller's ledger entries by id (GET /v1/ledger, every page): sales, refunds,\n"
    "reclaims, dispute losses and adjustments, in signed minor units.\n"
    "\n"
    "  --month YYYY-MM  only the entries of that month (UTC): a monthly statement\n"
    "  --csv            CSV with a header line: id,at_ms,order_id,event,kind,cause,\n"
    "                   currency,amount\n"
    "  --seller ID      the seller (required with an admin token)\n";

enum { L_MONTH = 1, L_CSV, L_SELLER };

struct ledger_opts {
    const char *seller;
    int csv;
    int month;          /* 1: from_ms .. to_ms set */
    long long from_ms, to_ms;
};

/* The first millisecond of year y, month m (1..13: 13 is January of y + 1), UTC. */
static long long month_start_ms(long long y, long long m)
{
    struct tm t;
    memset(&t, 0, sizeof(t));
    t.tm_year = (int)(y - 1900 + (m - 1) / 12);
    t.tm_mon = (int)((m - 1) % 12);
    t.tm_mday = 1;
    return (long long)timegm(&t) * 1000;
}

static int ledger_opt(void *arg, int id, const char *value)
{
    struct ledger_opts *o = arg;
    switch (id) {
    case L_SELLER:
        o->seller = value;
        return 0;
    case L_CSV:
        o->csv = 1;
        return 0;
    case L_MONTH: {
        char y[5], m[3];
        long long yy, mm;
        if (strlen(value) != 7 || value[4] != '-')
            return ctl_usage("ledger", "--month must be YYYY-MM");
        memcpy(y, value, 4);
        y[4] = '\0';
        memcpy(m, value + 5, 2);
        m[2] = '\0';
        if (ctl_parse_uint(y, 1970, 9999, &yy) != 0 || ctl_parse_uint(m, 1, 12, &mm) != 0)
            return ctl_usage("ledger", "--month must be YYYY-MM");
        o->month = 1;
        o->from_ms = month_start_ms(yy, mm);
        o->to_ms = month_start_ms(yy, mm + 1);
        return 0;
    }
    }
    return 0;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, stdout);
    } else {
        putchar('"');
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                putchar('"');
            putchar(*p);
        }
        putchar('"');
    }
    putchar(last ? '\n' : ',');
}

static const char *const keys[] = {"id", "at_ms", "order_id", "event", "kind", "cause",
                                   "currency", "amount"};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static int add_row(out_table *t, const json_t *x, int csv)
{
    char *cells[NKEYS];
    const char *row[NKEYS];
    for (size_t k = 0; k < NKEYS; k++) {
        const json_t *v = json_object_get(x, keys[k]);
        cells[k] = v && !json_is_null(v) ? out_scalar(v) : NULL;
        row[k] = cells[k] ? cells[k] : "";
    }
    int rc = 0;
    if (csv) {
        for (size_t k = 0; k < NKEYS; k++)
            csv_field(row[k], k + 1 == NKEYS);
    } else {
        for (size_t k = 0; k < NKEYS; k++)
            row[k] = row[k][0] ? row[k] : "-";
        rc = out_table_add(t, row);
    }
    for (size_t k = 0; k < NKEYS; k++)
        free(cells[k]);
    return rc;
}

static char *page_path(const struct ledger_opts *o, const char *after)
{
    char from[32], to[32];
    snprintf(from, sizeof(from), "%lld", o->from_ms);
    snprintf(to, sizeof(to), "%lld", o->to_ms);
    char *path = ctl_path("v1", "ledger", (const char *)NULL);
    if (path == NULL || ctl_query_add(&path, "seller", o->seller) != 0 ||
        ctl_query_add(&path, "from", o->month ? from : NULL) != 0 ||
        ctl_query_add(&path, "to", o->month ? to : NULL) != 0 ||
        ctl_query_add(&path, "limit", "200") != 0 || ctl_query_add(&path, "after", after) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

/* Every entry, following next_after. */
static int show_all(ctl *c, const struct ledger_opts *o)
{
    static const char *const hdr[] = {"ID", "AT_MS", "ORDER", "EVENT", "KIND", "CAUSE",
                                      "CURRENCY", "AMOUNT"};
    out_table *t = out_table_new(NKEYS, hdr, 0x83);
    json_t *all = json_array();
    char after[32] = "";
    int rc = t && all ? -1 : ord_oom();
    if (rc < 0 && o->csv && !c->json)
        fputs("id,at_ms,order_id,event,kind,cause,currency,amount\n", stdout);
    while (rc < 0) {
        char *path = page_path(o, after[0] ? after : NULL);
        if (path == NULL) {
            rc = ord_oom();
            break;
        }
        ctl_resp r;
        rc = ctl_call(c, "GET", path, NULL, NULL, &r);
        free(path);
        if (rc != 0)
            break;
        rc = -1;
        const json_t *next = json_object_get(r.json, "next_after");
        size_t i;
        const json_t *x;
        json_array_foreach(json_object_get(r.json, "entries"), i, x) {
            json_array_append(all, (json_t *)x);
            if (!c->json && add_row(t, x, o->csv) != 0)
                rc = ord_oom();
        }
        long long was = after[0] ? strtoll(after, NULL, 10) : 0;
        if (json_is_integer(next) && json_integer_value(next) <= was) {
            fprintf(stderr, "orderhubctl ledger: the server answered a cursor that does not "
                            "advance\n");
            rc = CTL_REFUSED;
        }
        if (rc < 0 && json_is_integer(next))
            snprintf(after, sizeof(after), "%lld", (long long)json_integer_value(next));
        else if (rc < 0)
            rc = CTL_OK;
        ctl_resp_free(&r);
    }
    if (rc == CTL_OK && (c->json || !o->csv))
        out_collected(c->json, t, all, "entries", "next_after", "no ledger entries");
    json_decref(all);
    out_table_free(t);
    return rc;
}

int verb_ledger(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"month", required_argument, L_MONTH, 0},
                                   {"csv", no_argument, L_CSV, 0},
                                   {"seller", required_argument, L_SELLER, 0}, {0}};
    struct ledger_opts o = {0};
    int first, rc = ctl_parse(c, argc, argv, ledger_help, opts, ledger_opt, &o, 0, 0, &first);
    if (rc >= 0)
        return rc;
    return show_all(c, &o);
}
