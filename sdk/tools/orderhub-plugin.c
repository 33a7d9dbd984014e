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

#include "carrier_cmds.h"
#include "void_cmds.h"
#include "notify_cmds.h"
#include "payment_cmds.h"
#include "tk_instance.h"
#include "tk_usage.h"

#include "loader/describe.h"
#include "loader/loader.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    {"void-request", cmd_void_request},
    {"void-parse", cmd_void_parse},
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
