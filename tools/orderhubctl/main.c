/*
 * orderhubctl - command-line client of orderhubd's HTTP API (docs/api.md).
 *
 * main.c: the verb table and main.  The command line is parsed in options.c, the verbs
 * live in order_*.c (what they share in orders.c), stock*.c and admin.c, the HTTP client in http.c,
 * the output in output.c.
 */
#include "config.h"

#include "admin.h"
#include "ctl.h"
#include "http.h"
#include "ledger.h"
#include "options.h"
#include "order_actions.h"
#include "order_cases.h"
#include "order_list.h"
#include "order_show.h"
#include "order_submit.h"
#include "stock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct verb {
    const char *name;
    int (*run)(ctl *c, int argc, char **argv);
    const char *args;
    const char *summary;
} verbs[] = {
    {"submit", verb_submit, "FILE", "place the order in FILE (JSON; - for stdin)"},
    {"show", verb_show, "ID", "the order's summary"},
    {"timeline", verb_timeline, "ID", "the order's events, oldest first"},
    {"list", verb_list, "[--seller S] [--state ST] [--since T] [--limit N] [--all]",
     "list orders"},
    {"ack", verb_ack, "ID", "seller: acknowledge the order"},
    {"pack", verb_pack, "ID [--parcel W[xLxWxH]]...", "seller: the order is packed"},
    {"ship", verb_ship, "ID [--service-level L] [--carrier C] [--parcel ...]",
     "seller: pack and ship"},
    {"cancel", verb_cancel, "ID", "cancel the order"},
    {"payment", verb_payment, "ID TOKEN", "buyer: a new payment method after a decline"},
    {"return", verb_return, "request|approve|reject|received|inspected|exchange ...",
     "returns: the buyer's request, the seller's steps"},
    {"dispute", verb_dispute, "open|resolve ...", "disputes: open, resolve"},
    {"stock", verb_stock, "set|adjust|show|import ...",
     "a seller's stock: set, adjust, show, import a file"},
    {"ledger", verb_ledger, "[--month YYYY-MM] [--csv] [--seller ID]",
     "a seller's ledger entries; a month's statement as CSV"},
    {"dead-letters", verb_dead_letters, "", "admin: actions that gave up"},
    {"replay", verb_replay, "ACTION_ID", "admin: queue a dead letter again"},
    {"plugins", verb_plugins, "", "admin: the loaded plugin instances"},
    {"check-store", verb_check_store, "", "admin: integrity check of the database now"},
    {"check-config", verb_check_config, "[-c FILE]", "check a configuration (orderhubd -t)"},
};

static void main_help(void)
{
    printf("usage: " CTL_PROG " [GLOBAL OPTIONS] VERB [OPTIONS] [ARGS]\n"
           "Command-line client of orderhubd's HTTP API.\n\nVerbs:\n");
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        printf("  %-13s %s\n", verbs[i].name, verbs[i].summary);
    printf("\n'" CTL_PROG " VERB --help' describes a verb.\n\n%s", ctl_global_help);
    printf("\nExit status: 0 done; 1 the server refused or failed; 2 usage error;\n"
           "3 no answer (cannot connect, timeout).\n");
}

int main(int argc, char **argv)
{
    ctl c = {.prog = CTL_PROG, .timeout_ms = CTL_DEFAULT_TIMEOUT_MS};
    int first = 0;
    if (argc < 1)
        return CTL_USAGE;
    argv[0] = (char *)CTL_PROG;
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf(CTL_PROG " %s\n", PACKAGE_VERSION);
        return 0;
    }
    int rc = ctl_parse_global(&c, argc, argv, &first);
    if (rc == 0) { /* --help before any verb */
        main_help();
        return 0;
    }
    if (rc > 0)
        return rc;
    if (first >= argc)
        return ctl_usage(NULL, "no verb given");
    const struct verb *v = NULL;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        if (strcmp(verbs[i].name, argv[first]) == 0)
            v = &verbs[i];
    }
    if (v == NULL)
        return ctl_usage(NULL, "unknown verb '%s'", argv[first]);
    rc = v->run(&c, argc - first, argv + first);
    ctl_http_cleanup(&c);
    free((char *)c.opt_token);
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, CTL_PROG ": cannot write the output: %s\n", strerror(errno));
        rc = CTL_REFUSED;
    }
    return rc;
}
