/*
 * carrier_cmds - the test kit's carrier verbs: run a recorded carrier answer through a
 * plugin's track_parse, label_parse or rate_parse exactly as orderhubd would (same host
 * table, same normalisation, same JSON), and show the request its track_build, label_build
 * or rate_build makes.  Labels and rates take the shipment from a JSON file (tk_shipment).
 */
#include "config.h"

#include "carrier_cmds.h"

#include "tk_instance.h"
#include "tk_request.h"
#include "tk_shipment.h"

#include "host/host.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* track-parse PLUGIN RESPONSE_FILE: the normalised tracking, as the daemon stores it. */
int cmd_track_parse(int argc, char **argv, const tk_common *common)
{
    tk_args a;
    int rc = tk_args_parse(&a, argc, argv, TK_OPT_STATUS | TK_OPT_NUMBER);
    if (rc == 0 && a.npositional != 2) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin track-parse PLUGIN "
                        "RESPONSE_FILE [--status HTTP_CODE] [--number N]... "
                        "[--setting key=value]...\n");
        rc = 2;
    }
    tk_instance t;
    tk_answer ans;
    if (rc == 0)
        rc = tk_answer_read(a.positional[1], a.status, &ans) == 0 ? 0 : 1;
    if (rc == 0 && tk_instance_open(common, a.positional[0], OH_KIND_CARRIER, &a, &t) != 0) {
        tk_answer_free(&ans);
        rc = 1;
    }
    if (rc == 0) {
        const ldr_module *m = t.inst.module;
        oh_track_result tr = {0};
        oh_error err = {{0}};
        int prc = m->ops.carrier.track_parse(t.inst.state, (const char *const *)a.numbers,
                                             a.nnumbers, &ans.resp, &tr, &err);
        rc = 1;
        if (prc != OH_OK)
            tk_report_rejection(m->desc.name, prc, &err);
        else if (host_track_normalise(&tr, m->desc.name) != 0)
            fprintf(stderr, "orderhub-plugin: out of memory\n");
        else
            rc = tk_print_json(host_track_result_json(&tr));
        host_track_result_clear(&tr);
        tk_instance_close(&t);
        tk_answer_free(&ans);
    }
    tk_args_free(&a);
    return rc;
}

typedef struct numbers_arg {
    char **numbers;
    size_t count;
} numbers_arg;

static int build_track(const tk_instance *t, oh_request *req, oh_error *err, void *arg)
{
    const numbers_arg *n = arg;
    return t->inst.module->ops.carrier.track_build(t->inst.state,
                                                   (const char *const *)n->numbers, n->count,
                                                   req, err);
}

/* track-request PLUGIN NUMBER...: the request track_build makes. */
int cmd_track_request(int argc, char **argv, const tk_common *common)
{
    tk_args a;
    int rc = tk_args_parse(&a, argc, argv, TK_OPT_AUTH_TOKEN);
    if (rc == 0 && a.npositional < 2) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin track-request PLUGIN "
                        "NUMBER... [--setting key=value]... [--auth-token TOKEN]\n");
        rc = 2;
    }
    tk_instance t;
    if (rc == 0 && tk_instance_open(common, a.positional[0], OH_KIND_CARRIER, &a, &t) != 0)
        rc = 1;
    if (rc == 0) {
        const ldr_module *m = t.inst.module;
        numbers_arg n = {a.positional + 1, a.npositional - 1};
        if (n.count > m->ops.carrier.max_batch) {
            fprintf(stderr, "orderhub-plugin: %s takes at most %u numbers per request, not "
                            "%zu\n", m->desc.name, m->ops.carrier.max_batch, n.count);
            rc = 1;
        } else {
            rc = tk_print_request(&t, a.auth_token, "track_build", build_track, &n);
        }
        tk_instance_close(&t);
    }
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
    for (size_t i = 0; i < hl->parcel_count; i++) {
        if (hl->parcel_docs[i].data == NULL)
            continue;
        json_t *d = document_json("label", &hl->parcel_docs[i]);
        json_object_set_new(d, "parcel", json_integer((json_int_t)i + 1));
        json_array_append_new(docs, d);
    }
    json_t *out = json_pack("{s:s, s:s, s:I, s:s, s:o}", "tracking_number",
                            l->tracking_number, "service", l->service, "cost",
                            (json_int_t)l->cost, "currency", l->currency, "documents", docs);
    if (out != NULL && l->carrier_ref[0] != '\0')
        json_object_set_new(out, "carrier_ref", json_string(l->carrier_ref));
    if (out != NULL && hl->parcel_count > 0) {
        json_t *parcels = json_array();
        for (size_t i = 0; i < hl->parcel_count; i++)
            json_array_append_new(parcels, json_string(hl->parcels[i]));
        json_object_set_new(out, "parcels", parcels);
    }
    return out;
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
            prc = host_label_check(s, &hl, &err);
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
        tk_report_rejection(m->desc.name, prc, &err);
    return rc;
}

typedef struct shipment_arg {
    ship_verb verb;
    const oh_shipment *s;
} shipment_arg;

static int build_shipment(const tk_instance *t, oh_request *req, oh_error *err, void *arg)
{
    const shipment_arg *sa = arg;
    const oh_carrier_ops *ops = &t->inst.module->ops.carrier;
    return sa->verb == SHIP_LABEL_REQUEST ? ops->label_build(t->inst.state, sa->s, req, err)
                                          : ops->rate_build(t->inst.state, sa->s, req, err);
}

static int ship_verb_run(int argc, char **argv, const tk_common *common, ship_verb verb)
{
    static const char *const usage[] = {
        "label-parse PLUGIN SHIPMENT.json RESPONSE_FILE [--status HTTP_CODE]",
        "rate-parse PLUGIN SHIPMENT.json RESPONSE_FILE [--status HTTP_CODE]",
        "label-request PLUGIN SHIPMENT.json [--auth-token TOKEN]",
        "rate-request PLUGIN SHIPMENT.json [--auth-token TOKEN]"};
    int parse = verb == SHIP_LABEL_PARSE || verb == SHIP_RATE_PARSE;
    int label = verb == SHIP_LABEL_PARSE || verb == SHIP_LABEL_REQUEST;
    tk_args a;
    int rc = tk_args_parse(&a, argc, argv, parse ? TK_OPT_STATUS : TK_OPT_AUTH_TOKEN);
    if (rc == 0 && a.npositional != (parse ? 3u : 2u)) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin %s [--setting key=value]...\n",
                usage[verb]);
        rc = 2;
    }
    tk_shipment sh;
    tk_answer ans = {0};
    if (rc == 0 && tk_shipment_load(a.positional[1], &sh) != 0)
        rc = 1;
    if (rc == 0 && parse && tk_answer_read(a.positional[2], a.status, &ans) != 0) {
        tk_shipment_free(&sh);
        rc = 1;
    }
    if (rc != 0) {
        tk_args_free(&a);
        return rc;
    }
    tk_instance t;
    rc = 1;
    if (tk_instance_open(common, a.positional[0], OH_KIND_CARRIER, &a, &t) == 0) {
        const oh_carrier_ops *ops = &t.inst.module->ops.carrier;
        shipment_arg sa = {verb, &sh.s};
        if (label ? ops->label_build == NULL : ops->rate_build == NULL)
            fprintf(stderr, "orderhub-plugin: %s makes no %s\n", t.inst.module->desc.name,
                    label ? "labels" : "rate quotes");
        else if (parse)
            rc = ship_parse(&t, verb, &sh.s, &ans.resp);
        else
            rc = tk_print_request(&t, a.auth_token, label ? "label_build" : "rate_build",
                                  build_shipment, &sa);
        tk_instance_close(&t);
    }
    tk_answer_free(&ans);
    tk_shipment_free(&sh);
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
    tk_args a;
    int rc = tk_args_parse(&a, argc, argv, TK_OPT_STATUS);
    if (rc == 0 && a.npositional != 2) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin auth-parse PLUGIN "
                        "RESPONSE_FILE [--status HTTP_CODE] [--setting key=value]...\n");
        rc = 2;
    }
    tk_answer ans;
    if (rc == 0)
        rc = tk_answer_read(a.positional[1], a.status, &ans) == 0 ? 0 : 1;
    tk_instance t;
    if (rc == 0 && tk_instance_open(common, a.positional[0], OH_KIND_CARRIER, &a, &t) != 0) {
        tk_answer_free(&ans);
        rc = 1;
    }
    if (rc != 0) {
        tk_args_free(&a);
        return rc;
    }
    const oh_plugin *d = &t.inst.module->desc;
    oh_auth_token tok;
    oh_error err = {{0}};
    memset(&tok, 0, sizeof(tok));
    tok.struct_size = (uint32_t)sizeof(tok);
    int prc = d->auth_parse ? d->auth_parse(t.inst.state, &ans.resp, &tok, &err) : OH_FAIL;
    rc = 1;
    if (d->auth_parse == NULL)
        fprintf(stderr, "orderhub-plugin: %s has no auth step\n", d->name);
    else if (prc != OH_OK)
        tk_report_rejection(d->name, prc, &err);
    else
        rc = tk_print_json(json_pack("{s:I, s:I}", "expires_in_s", (json_int_t)tok.expires_in_s,
                                     "token_bytes",
                                     (json_int_t)strnlen(tok.token, sizeof(tok.token))));
    memset(&tok, 0, sizeof(tok));
    tk_instance_close(&t);
    tk_answer_free(&ans);
    tk_args_free(&a);
    return rc;
}
