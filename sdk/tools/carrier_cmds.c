/*
 * carrier_cmds - the test kit's carrier verbs: run a recorded carrier answer through a
 * plugin's track_parse exactly as orderhubd would (same host table, same normalisation,
 * same JSON), and show the request its track_build makes.
 */
#include "config.h"

#include "tk_cmds.h"
#include "tk_instance.h"
#include "tk_request.h"

#include "host/host.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The answer file as an oh_response: status from --status (default 200), no headers. */
int cmd_track_parse(int argc, char **argv, const tk_common *common)
{
    static const struct option longs[] = {{"status", required_argument, NULL, 's'},
                                          {"setting", required_argument, NULL, 'S'},
                                          {"number", required_argument, NULL, 'n'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    tk_args a;
    if (tk_args_init(&a, argc) != 0)
        return 2;
    int status = 200, c, rc = 2;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:S:n:h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            status = tk_parse_status(optarg);
            if (status < 0)
                goto out;
            break;
        case 'S': a.settings[a.nsettings++] = optarg; break;
        case 'n': a.numbers[a.nnumbers++] = optarg; break;
        case 'h': tk_usage(stdout); rc = 0; goto out;
        default: goto usage;
        }
    }
    if (optind + 2 != argc)
        goto usage;
    size_t len = 0;
    char *body = tk_read_file(argv[optind + 1], HOST_PARSE_MAX_BYTES, &len);
    if (body == NULL) {
        rc = 1;
        goto out;
    }
    tk_instance t;
    rc = 1;
    if (tk_instance_open(common->reg, argv[optind], OH_KIND_CARRIER, common->dirs, common->ndirs, a.settings,
                         a.nsettings, &t) != 0) {
        free(body);
        goto out;
    }
    const ldr_module *m = t.inst.module;
    {
        oh_response resp = {.struct_size = sizeof(resp), .status = status, .body = body,
                            .body_len = len};
        oh_track_result tr = {0};
        oh_error err = {{0}};
        int prc = m->ops.carrier.track_parse(t.inst.state, (const char *const *)a.numbers,
                                             a.nnumbers, &resp, &tr, &err);
        if (prc != OH_OK) {
            fprintf(stderr, "orderhub-plugin: %s rejected the answer (%s): %s\n",
                    m->desc.name, prc == OH_RETRY ? "transient: the daemon retries later"
                                                  : "permanent",
                    err.message[0] ? err.message : "no reason given");
        } else if (host_track_normalise(&tr, m->desc.name) != 0) {
            fprintf(stderr, "orderhub-plugin: out of memory\n");
        } else {
            rc = tk_print_json(host_track_result_json(&tr));
        }
        host_track_result_clear(&tr);
    }
    tk_instance_close(&t);
    free(body);
    goto out;
usage:
    fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin track-parse PLUGIN RESPONSE_FILE "
                    "[--status HTTP_CODE] [--number N]... [--setting key=value]...\n");
out:
    tk_args_free(&a);
    return rc;
}

int cmd_track_request(int argc, char **argv, const tk_common *common)
{
    static const struct option longs[] = {{"setting", required_argument, NULL, 'S'},
                                          {"auth-token", required_argument, NULL, 'a'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    tk_args a;
    if (tk_args_init(&a, argc) != 0)
        return 2;
    const char *token = "ACCESS-TOKEN-FROM-AUTH-STEP";
    int c, rc = 2;
    optind = 0;
    while ((c = getopt_long(argc, argv, "S:a:h", longs, NULL)) != -1) {
        switch (c) {
        case 'S': a.settings[a.nsettings++] = optarg; break;
        case 'a': token = optarg; break;
        case 'h': tk_usage(stdout); rc = 0; goto out;
        default: goto usage;
        }
    }
    if (optind + 2 > argc)
        goto usage;
    tk_instance t;
    rc = 1;
    if (tk_instance_open(common->reg, argv[optind], OH_KIND_CARRIER, common->dirs, common->ndirs, a.settings,
                         a.nsettings, &t) != 0)
        goto out;
    const ldr_module *m = t.inst.module;
    size_t count = (size_t)(argc - optind - 1);
    if (count > m->ops.carrier.max_batch) {
        fprintf(stderr, "orderhub-plugin: %s takes at most %u numbers per request, not %zu\n",
                m->desc.name, m->ops.carrier.max_batch, count);
    } else {
        json_t *out = json_object();
        rc = tk_auth_request(&t, out);
        oh_request *req = rc == 0 ? host_request_new() : NULL;
        oh_error err = {{0}};
        if (req != NULL) {
            req->auth_token = m->desc.auth_build ? token : NULL;
            if (m->ops.carrier.track_build(t.inst.state,
                                           (const char *const *)&argv[optind + 1], count, req,
                                           &err) != OH_OK) {
                fprintf(stderr, "orderhub-plugin: %s: track_build refused: %s\n",
                        m->desc.name, err.message);
                rc = 1;
            } else {
                json_object_set_new(out, "request", tk_request_json(req, &t));
            }
            host_request_free(req);
        }
        rc = rc == 0 ? tk_print_json(out) : (json_decref(out), 1);
    }
    tk_instance_close(&t);
    goto out;
usage:
    fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin track-request PLUGIN NUMBER... "
                    "[--setting key=value]... [--auth-token TOKEN]\n");
out:
    tk_args_free(&a);
    return rc;
}
