/*
 * carrier_cmds - the test kit's carrier verbs: run a recorded carrier answer through a
 * plugin's track_parse, label_parse or rate_parse exactly as orderhubd would (same host
 * table, same normalisation, same JSON), and show the request its track_build, label_build
 * or rate_build makes.  Labels and rates take the shipment from a JSON file (tk_shipment).
 */
#include "config.h"

#include "tk_cmds.h"
#include "tk_instance.h"
#include "tk_request.h"
#include "tk_shipment.h"

#include "host/host.h"

#include <getopt.h>
#include <openssl/evp.h>
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

/* ---- label and rate verbs: a shipment file instead of tracking numbers ----------------- */

typedef enum { SHIP_LABEL_PARSE, SHIP_RATE_PARSE, SHIP_LABEL_REQUEST, SHIP_RATE_REQUEST } ship_verb;

static json_t *document_json(const char *kind, const host_document *d)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
    if (EVP_Digest(d->data, d->len, md, &mdlen, EVP_sha256(), NULL) == 1)
        for (unsigned i = 0; i < mdlen; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return json_pack("{s:s, s:s, s:I, s:s}", "kind", kind, "mime_type", d->mime_type, "bytes",
                     (json_int_t)d->len, "sha256", hex);
}

static json_t *label_json(const host_label *hl)
{
    const oh_label *l = &hl->label;
    json_t *docs = json_array();
    static const char *const kinds[] = {"label", "customs"};
    for (size_t i = 0; i < 2; i++)
        if (hl->documents[i].data != NULL)
            json_array_append_new(docs, document_json(kinds[i], &hl->documents[i]));
    return json_pack("{s:s, s:s, s:I, s:s, s:o}", "tracking_number", l->tracking_number,
                     "service", l->service, "cost", (json_int_t)l->cost, "currency",
                     l->currency, "documents", docs);
}

static json_t *rates_json(const oh_rate_list *rl)
{
    json_t *list = json_array();
    for (size_t i = 0; i < rl->count; i++) {
        const oh_rate *r = &rl->rates[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s, s:i}", "service",
                                              r->service, "service_level", r->service_level,
                                              "amount", (json_int_t)r->amount, "currency",
                                              r->currency, "transit_days", r->transit_days));
    }
    return json_pack("{s:o}", "rates", list);
}

/* Run the parse operation of `verb` on the answer; prints the result or the refusal. */
static int ship_parse(const tk_instance *t, ship_verb verb, const oh_shipment *s,
                      const oh_response *resp)
{
    const ldr_module *m = t->inst.module;
    const oh_carrier_ops *ops = &m->ops.carrier;
    oh_error err = {{0}};
    int prc, rc = 1;
    if (verb == SHIP_LABEL_PARSE) {
        host_label hl;
        memset(&hl, 0, sizeof(hl));
        host_label_clear(&hl);
        prc = ops->label_parse(t->inst.state, s, resp, &hl.label, &err);
        if (prc == OH_OK)
            rc = tk_print_json(label_json(&hl));
        host_label_clear(&hl);
    } else {
        oh_rate_list rl = {0};
        prc = ops->rate_parse(t->inst.state, s, resp, &rl, &err);
        if (prc == OH_OK)
            rc = tk_print_json(rates_json(&rl));
        host_rate_list_clear(&rl);
    }
    if (prc != OH_OK)
        fprintf(stderr, "orderhub-plugin: %s rejected the answer (%s): %s\n", m->desc.name,
                prc == OH_RETRY ? "transient: the daemon retries later" : "permanent",
                err.message[0] ? err.message : "no reason given");
    return rc;
}

/* Print the auth step's request (if any) and the one label_build / rate_build makes. */
static int ship_request(const tk_instance *t, ship_verb verb, const oh_shipment *s,
                        const char *token)
{
    const ldr_module *m = t->inst.module;
    json_t *out = json_object();
    int rc = tk_auth_request(t, out);
    oh_request *req = rc == 0 ? host_request_new() : NULL;
    oh_error err = {{0}};
    if (req != NULL) {
        req->auth_token = m->desc.auth_build ? token : NULL;
        int brc = verb == SHIP_LABEL_REQUEST
                      ? m->ops.carrier.label_build(t->inst.state, s, req, &err)
                      : m->ops.carrier.rate_build(t->inst.state, s, req, &err);
        if (brc != OH_OK) {
            fprintf(stderr, "orderhub-plugin: %s: %s refused: %s\n", m->desc.name,
                    verb == SHIP_LABEL_REQUEST ? "label_build" : "rate_build", err.message);
            rc = 1;
        } else {
            json_object_set_new(out, "request", tk_request_json(req, t));
        }
        host_request_free(req);
    } else if (rc == 0) {
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        rc = 1;
    }
    return rc == 0 ? tk_print_json(out) : (json_decref(out), 1);
}

static int ship_verb_run(int argc, char **argv, const tk_common *common, ship_verb verb)
{
    static const char *const usage[] = {
        "label-parse PLUGIN SHIPMENT.json RESPONSE_FILE [--status HTTP_CODE]",
        "rate-parse PLUGIN SHIPMENT.json RESPONSE_FILE [--status HTTP_CODE]",
        "label-request PLUGIN SHIPMENT.json [--auth-token TOKEN]",
        "rate-request PLUGIN SHIPMENT.json [--auth-token TOKEN]"};
    static const struct option longs[] = {{"status", required_argument, NULL, 's'},
                                          {"setting", required_argument, NULL, 'S'},
                                          {"auth-token", required_argument, NULL, 'a'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int parse = verb == SHIP_LABEL_PARSE || verb == SHIP_RATE_PARSE;
    int label = verb == SHIP_LABEL_PARSE || verb == SHIP_LABEL_REQUEST;
    tk_args a;
    if (tk_args_init(&a, argc) != 0)
        return 2;
    const char *token = "ACCESS-TOKEN-FROM-AUTH-STEP";
    int status = 200, c, rc = 2;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:S:a:h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!parse)
                goto usage;
            status = tk_parse_status(optarg);
            if (status < 0)
                goto out;
            break;
        case 'S': a.settings[a.nsettings++] = optarg; break;
        case 'a':
            if (parse)
                goto usage;
            token = optarg;
            break;
        case 'h': tk_usage(stdout); rc = 0; goto out;
        default: goto usage;
        }
    }
    if (optind + (parse ? 3 : 2) != argc)
        goto usage;
    tk_shipment sh;
    if (tk_shipment_load(argv[optind + 1], &sh) != 0) {
        rc = 1;
        goto out;
    }
    size_t len = 0;
    char *body = NULL;
    if (parse && (body = tk_read_file(argv[optind + 2], HOST_PARSE_MAX_BYTES, &len)) == NULL) {
        tk_shipment_free(&sh);
        rc = 1;
        goto out;
    }
    tk_instance t;
    rc = 1;
    if (tk_instance_open(common->reg, argv[optind], OH_KIND_CARRIER, common->dirs,
                         common->ndirs, a.settings, a.nsettings, &t) == 0) {
        const oh_carrier_ops *ops = &t.inst.module->ops.carrier;
        if (label ? ops->label_build == NULL : ops->rate_build == NULL) {
            fprintf(stderr, "orderhub-plugin: %s makes no %s\n", t.inst.module->desc.name,
                    label ? "labels" : "rate quotes");
        } else if (parse) {
            oh_response resp = {.struct_size = sizeof(resp), .status = status, .body = body,
                                .body_len = len};
            rc = ship_parse(&t, verb, &sh.s, &resp);
        } else {
            rc = ship_request(&t, verb, &sh.s, token);
        }
        tk_instance_close(&t);
    }
    free(body);
    tk_shipment_free(&sh);
    goto out;
usage:
    fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin %s [--setting key=value]...\n",
            usage[verb]);
out:
    tk_args_free(&a);
    return rc;
}

int cmd_label_parse(int argc, char **argv, const tk_common *common)
{
    return ship_verb_run(argc, argv, common, SHIP_LABEL_PARSE);
}

int cmd_rate_parse(int argc, char **argv, const tk_common *common)
{
    return ship_verb_run(argc, argv, common, SHIP_RATE_PARSE);
}

int cmd_label_request(int argc, char **argv, const tk_common *common)
{
    return ship_verb_run(argc, argv, common, SHIP_LABEL_REQUEST);
}

int cmd_rate_request(int argc, char **argv, const tk_common *common)
{
    return ship_verb_run(argc, argv, common, SHIP_RATE_REQUEST);
}

/* auth-parse: the plugin's auth_parse on a recorded token answer.  Prints the lifetime and
 * the token's length, never the token. */
int cmd_auth_parse(int argc, char **argv, const tk_common *common)
{
    static const struct option longs[] = {{"status", required_argument, NULL, 's'},
                                          {"setting", required_argument, NULL, 'S'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    tk_args a;
    if (tk_args_init(&a, argc) != 0)
        return 2;
    int status = 200, c, rc = 2;
    optind = 0;
    while ((c = getopt_long(argc, argv, "s:S:h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            if ((status = tk_parse_status(optarg)) < 0)
                goto out;
            break;
        case 'S': a.settings[a.nsettings++] = optarg; break;
        case 'h': tk_usage(stdout); rc = 0; goto out;
        default: goto usage;
        }
    }
    if (optind + 2 != argc)
        goto usage;
    size_t len = 0;
    char *body = tk_read_file(argv[optind + 1], HOST_PARSE_MAX_BYTES, &len);
    tk_instance t;
    rc = 1;
    if (body != NULL && tk_instance_open(common->reg, argv[optind], OH_KIND_CARRIER,
                                         common->dirs, common->ndirs, a.settings, a.nsettings,
                                         &t) == 0) {
        const oh_plugin *d = &t.inst.module->desc;
        oh_response resp = {.struct_size = sizeof(resp), .status = status, .body = body,
                            .body_len = len};
        oh_auth_token tok;
        oh_error err = {{0}};
        memset(&tok, 0, sizeof(tok));
        tok.struct_size = (uint32_t)sizeof(tok);
        int prc = d->auth_parse ? d->auth_parse(t.inst.state, &resp, &tok, &err) : OH_FAIL;
        if (d->auth_parse == NULL)
            fprintf(stderr, "orderhub-plugin: %s has no auth step\n", d->name);
        else if (prc != OH_OK)
            fprintf(stderr, "orderhub-plugin: %s rejected the answer (%s): %s\n", d->name,
                    prc == OH_RETRY ? "transient: the daemon retries later" : "permanent",
                    err.message[0] ? err.message : "no reason given");
        else
            rc = tk_print_json(json_pack("{s:I, s:I}", "expires_in_s",
                                         (json_int_t)tok.expires_in_s, "token_bytes",
                                         (json_int_t)strnlen(tok.token, sizeof(tok.token))));
        memset(&tok, 0, sizeof(tok));
        tk_instance_close(&t);
    }
    free(body);
    goto out;
usage:
    fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin auth-parse PLUGIN RESPONSE_FILE "
                    "[--status HTTP_CODE] [--setting key=value]...\n");
out:
    tk_args_free(&a);
    return rc;
}
