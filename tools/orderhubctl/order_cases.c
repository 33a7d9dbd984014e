/*
 * order_cases.c - returns and disputes: the buyer's request and opening, the seller's and
 * support's steps, each a sub-verb (return approve ORDER RET ...).
 */
#include "config.h"

#include "order_cases.h"

#include "ctl.h"
#include "options.h"
#include "orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        return ord_oom();
    int first, rc = ctl_parse(c, argc, argv, return_request_help, opts, case_opt, &o, 1, 1,
                              &first);
    json_t *body = rc >= 0 ? NULL : json_object();
    if (rc < 0 && body == NULL)
        rc = ord_oom();
    if (rc >= 0) {
        json_decref(o.skus);
        return rc;
    }
    if (o.reason)
        json_object_set_new(body, "reason", json_string(o.reason));
    if (json_array_size(o.skus) > 0)
        json_object_set(body, "skus", o.skus);
    json_decref(o.skus);
    return ord_post_action(c, argv[first], body, "returns", NULL, NULL);
}

static int return_step(ctl *c, int argc, char **argv, const char *step)
{
    int first, rc = ctl_parse(c, argc, argv, return_step_help, NULL, ord_no_opt, NULL, 2, 2,
                              &first);
    if (rc >= 0)
        return rc;
    return ord_post_action(c, argv[first], NULL, "returns", argv[first + 1], step);
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
        return ord_oom();
    return ord_post_action(c, argv[first], body, s1, argv[first + 1], s3);
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
        return ord_oom();
    if (o.reason)
        json_object_set_new(body, "reason", json_string(o.reason));
    return ord_post_action(c, argv[first], body, "disputes", NULL, NULL);
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
