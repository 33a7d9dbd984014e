/*
 * order_list.c - the list verb: the orders the token may see, filtered, page by page.
 */
#include "config.h"

#include "order_list.h"

#include "ctl.h"
#include "host/host.h"
#include "http.h"
#include "options.h"
#include "orders.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
        rc = ord_oom();
    for (int page = 0; rc <= 0; page++) {
        char *path = list_path(&o, cursor);
        if (path == NULL) {
            rc = ord_oom();
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
            const char *row[] = {id ? id : "", ord_str(x, "state"), ord_str(x, "seller_id"), when};
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
            out_collected(c->json, t, all, "orders", "next_cursor", "no orders");
            rc = CTL_OK;
            break;
        }
    }
    free(cursor);
    json_decref(all);
    out_table_free(t);
    return rc;
}
