/*
 * orderhub-plugin - the SDK's test kit: inspect and exercise a plugin offline.
 *
 *   orderhub-plugin info PLUGIN                       the descriptor as JSON
 *   orderhub-plugin track-parse PLUGIN RESPONSE_FILE  a recorded answer, normalised
 *   orderhub-plugin track-request PLUGIN NUMBER...    the request track_build makes
 *   orderhub-plugin auth-parse PLUGIN RESPONSE_FILE   a recorded OAuth2 token answer
 *   orderhub-plugin label-parse|rate-parse PLUGIN SHIPMENT.json RESPONSE_FILE
 *   orderhub-plugin label-request|rate-request PLUGIN SHIPMENT.json
 *   orderhub-plugin payment-parse|payment-request PLUGIN OPERATION FILE
 *   orderhub-plugin webhook-verify|webhook-parse PLUGIN BODY_FILE
 *
 * PLUGIN is a path to a .so (anything containing '/') or a module name looked up in
 * --plugin-path directories, ORDERHUB_PLUGIN_PATH, then the installed plugin directory.
 * The same loader as orderhubd's validates it, so a refusal here is a refusal there.
 */
#include "config.h"

#include "loader/describe.h"
#include "loader/loader.h"
#include "tk_cmds.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tk_usage(FILE *out)
{
    fprintf(out,
            "Usage: orderhub-plugin [--plugin-path DIR]... COMMAND ARGS\n"
            "Inspect and test an orderhub plugin offline.\n\n"
            "Commands:\n"
            "  info PLUGIN     print the plugin's descriptor (kind, ABI, operations, settings)\n"
            "                  as JSON; exit 1 with the reason if the loader refuses it\n"
            "  track-parse PLUGIN RESPONSE_FILE [--status HTTP_CODE] [--number N]...\n"
            "                  [--setting key=value]...\n"
            "                  run a recorded carrier answer through the plugin's track_parse\n"
            "                  and print the normalised tracking as JSON (events newest\n"
            "                  first); exit 1 with the reason if the plugin rejects it\n"
            "  track-request PLUGIN NUMBER... [--setting key=value]... [--auth-token T]\n"
            "                  print the request track_build makes (and the auth step's,\n"
            "                  if any), secrets shown as ***\n"
            "  auth-parse PLUGIN RESPONSE_FILE [--status HTTP_CODE] [--setting key=value]...\n"
            "                  run a recorded token answer through the auth step's\n"
            "                  auth_parse; print the lifetime and the token's length\n"
            "  label-parse PLUGIN SHIPMENT.json RESPONSE_FILE [--status HTTP_CODE]\n"
            "                  [--setting key=value]...\n"
            "                  run a recorded label answer through label_parse; print the\n"
            "                  label (tracking number, service, cost) and each document's\n"
            "                  kind, MIME type, size and SHA-256 as JSON\n"
            "  rate-parse PLUGIN SHIPMENT.json RESPONSE_FILE [--status HTTP_CODE]\n"
            "                  [--setting key=value]...\n"
            "                  run a recorded rate answer through rate_parse; print the rates\n"
            "  label-request PLUGIN SHIPMENT.json [--setting key=value]... [--auth-token T]\n"
            "  rate-request PLUGIN SHIPMENT.json [--setting key=value]... [--auth-token T]\n"
            "                  print the request label_build / rate_build makes\n"
            "  notify-render PLUGIN EVENT.json [--setting key=value]...\n"
            "                  print the request a notifier's render_build makes for one\n"
            "                  event ({event, order, data, dedupe_id, occurred_at_ms}),\n"
            "                  secrets shown as ***\n\n"
            "  payment-parse PLUGIN OPERATION RESPONSE_FILE [--status HTTP_CODE]\n"
            "                  [--header 'Name: value']... [--input INPUT.json]\n"
            "                  [--setting key=value]...\n"
            "                  run a recorded gateway answer to OPERATION (authorize,\n"
            "                  capture, void, refund) through the plugin's parse; print\n"
            "                  {status, transaction_id, amount, currency, code,\n"
            "                  decline_code, message, retryable}\n"
            "  payment-request PLUGIN OPERATION INPUT.json [--setting key=value]...\n"
            "                  print the request OPERATION's build makes, secrets as ***\n"
            "  webhook-verify PLUGIN --secret S [--now UNIX_TIME] --header 'Name: value'...\n"
            "                  BODY_FILE [--setting key=value]...\n"
            "                  check a recorded webhook's signature: \"valid\", exit 0, or\n"
            "                  the reason, exit 1 (the daemon's 401)\n"
            "  webhook-parse PLUGIN BODY_FILE [--header 'Name: value']...\n"
            "                  [--setting key=value]...\n"
            "                  print what webhook_parse reads from a (verified) webhook\n\n"
            "SHIPMENT.json is an oh_shipment as JSON: order_id, service_level, service,\n"
            "idempotency_key, currency, ship_from{...}, ship_to{...}, parcels[{weight_g,\n"
            "length_mm, width_mm, height_mm}], customs[{description, hs_code,\n"
            "origin_country, quantity, value, weight_g}] (see orderhub-plugin(1)).\n"
            "INPUT.json is an oh_payment_input as JSON: order_id, payment_token,\n"
            "transaction_id, idempotency_key, amount, currency, description.\n\n"
            "PLUGIN is a path to a .so, or a module name searched in --plugin-path DIRs,\n"
            "ORDERHUB_PLUGIN_PATH and %s.  --setting values are checked against\n"
            "the plugin's declared settings exactly as orderhubd checks its config file.\n\n"
            "Options:\n"
            "  -P, --plugin-path DIR  add a directory to search (repeatable)\n"
            "  -V, --version          print the version and the SDK ABI\n"
            "  -h, --help             this help\n\n"
            "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 usage error.\n",
            OH_PLUGINDIR);
}

static int cmd_info(int argc, char **argv, const tk_common *common)
{
    if (argc != 2) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin info PLUGIN\n");
        return 2;
    }
    const ldr_module *m = tk_load(common, argv[1]);
    return m ? tk_print_json(ldr_describe(m)) : 1;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv, const tk_common *common);
} commands[] = {
    {"info", cmd_info},
    {"track-parse", cmd_track_parse},
    {"track-request", cmd_track_request},
    {"auth-parse", cmd_auth_parse},
    {"label-parse", cmd_label_parse},
    {"rate-parse", cmd_rate_parse},
    {"label-request", cmd_label_request},
    {"rate-request", cmd_rate_request},
    {"notify-render", cmd_notify_render},
    {"payment-parse", cmd_payment_parse},
    {"payment-request", cmd_payment_request},
    {"webhook-verify", cmd_webhook_verify},
    {"webhook-parse", cmd_webhook_parse},
};

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"plugin-path", required_argument, NULL, 'P'},
                                          {"version", no_argument, NULL, 'V'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    char *dirs[32];
    size_t ndirs = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+P:Vh", longs, NULL)) != -1) {
        switch (c) {
        case 'P':
            if (ndirs == sizeof(dirs) / sizeof(dirs[0])) {
                fprintf(stderr, "orderhub-plugin: too many --plugin-path options\n");
                return 2;
            }
            dirs[ndirs++] = optarg;
            break;
        case 'V':
            printf("orderhub-plugin %s (plugin SDK ABI %d.%d)\n", PACKAGE_VERSION,
                   OH_ABI_MAJOR, OH_ABI_MINOR);
            return 0;
        case 'h': tk_usage(stdout); return 0;
        default: tk_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        tk_usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(cmd, commands[i].name) != 0)
            continue;
        ldr_registry reg;
        ldr_registry_init(&reg);
        tk_common common = {&reg, dirs, ndirs};
        int rc = commands[i].run(argc - optind, argv + optind, &common);
        ldr_registry_free(&reg);
        return rc;
    }
    fprintf(stderr, "orderhub-plugin: unknown command '%s' (try --help)\n", cmd);
    return 2;
}
