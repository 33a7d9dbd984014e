/*
 * payment_cmds - the test kit's payment and webhook verbs: run a recorded gateway answer
 * through a payment plugin's parse operation exactly as orderhubd would, show the request
 * its build operation makes, and check (webhook-verify) or read (webhook-parse) a recorded
 * inbound webhook with the plugin's own signature scheme and a fixed clock.
 */
#include "config.h"

#include "payment_cmds.h"

#include "tk_instance.h"
#include "tk_payment.h"
#include "tk_request.h"

#include "host/host.h"

#include <stdlib.h>
#include <string.h>

/* A refusal of `what` ("answer", "webhook"): transient or permanent, and why. */
static void print_refusal(const char *plugin, const char *what, int rc, const oh_error *err)
{
    fprintf(stderr, "orderhub-plugin: %s rejected the %s (%s): %s\n", plugin, what,
            rc == OH_RETRY ? "transient: the daemon retries later" : "permanent",
            err->message[0] ? err->message : "no reason given");
}

/* ---- payment-parse PLUGIN OPERATION RESPONSE_FILE ------------------------------------ */

int cmd_payment_parse(int argc, char **argv, const tk_common *common)
{
    tk_args p;
    int rc = tk_args_parse(&p, argc, argv, TK_OPT_STATUS | TK_OPT_INPUT | TK_OPT_HEADER);
    if (rc == 0 && p.npositional != 3) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin payment-parse PLUGIN "
                "authorize|capture|void|refund RESPONSE_FILE [--status HTTP_CODE] "
                "[--header 'Name: value']... [--input INPUT.json] [--setting key=value]...\n");
        rc = 2;
    }
    if (rc != 0) {
        tk_args_free(&p);
        return rc;
    }
    int op = tk_payment_operation(p.positional[1]);
    if (op < 0) {
        fprintf(stderr, "orderhub-plugin: operation '%s': authorize, capture, void or refund\n",
                p.positional[1]);
        tk_args_free(&p);
        return 2;
    }
    tk_payment_input pin;
    size_t len = 0;
    char *body = NULL;
    rc = 1;
    if (p.input ? tk_payment_input_load(p.input, &pin) != 0
                : (tk_payment_input_empty(&pin), 0)) {
        tk_args_free(&p);
        return 1;
    }
    tk_instance t;
    if ((body = tk_read_file(p.positional[2], HOST_PARSE_MAX_BYTES, &len)) != NULL &&
        tk_instance_open(common, p.positional[0], OH_KIND_PAYMENT, &p, &t) == 0) {
        const oh_payment_ops *ops = &t.inst.module->ops.payment;
        oh_payment_parse_fn fns[4] = {ops->authorize_parse, ops->capture_parse,
                                      ops->void_parse, ops->refund_parse};
        oh_response resp = {.struct_size = sizeof(resp), .status = p.status, .body = body,
                            .body_len = len, .headers = p.headers,
                            .header_count = p.nheaders};
        oh_payment_result out = {.struct_size = sizeof(out)};
        oh_error err = {{0}};
        int prc = fns[op](t.inst.state, &pin.in, &resp, &out, &err);
        if (prc != OH_OK)
            print_refusal(t.inst.module->desc.name, "answer", prc, &err);
        else
            rc = tk_print_json(tk_payment_result_json(&out));
        tk_instance_close(&t);
    }
    free(body);
    tk_payment_input_free(&pin);
    tk_args_free(&p);
    return rc;
}

/* ---- payment-request PLUGIN OPERATION INPUT.json ------------------------------------- */

int cmd_payment_request(int argc, char **argv, const tk_common *common)
{
    tk_args p;
    int rc = tk_args_parse(&p, argc, argv, 0);
    if (rc == 0 && p.npositional != 3) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin payment-request PLUGIN "
                "authorize|capture|void|refund INPUT.json [--setting key=value]...\n");
        rc = 2;
    }
    if (rc != 0) {
        tk_args_free(&p);
        return rc;
    }
    int op = tk_payment_operation(p.positional[1]);
    if (op < 0) {
        fprintf(stderr, "orderhub-plugin: operation '%s': authorize, capture, void or refund\n",
                p.positional[1]);
        tk_args_free(&p);
        return 2;
    }
    tk_payment_input pin;
    tk_instance t;
    rc = 1;
    if (tk_payment_input_load(p.positional[2], &pin) != 0) {
        tk_args_free(&p);
        return 1;
    }
    if (tk_instance_open(common, p.positional[0], OH_KIND_PAYMENT, &p, &t) == 0) {
        const oh_payment_ops *ops = &t.inst.module->ops.payment;
        oh_payment_build_fn fns[4] = {ops->authorize_build, ops->capture_build,
                                      ops->void_build, ops->refund_build};
        oh_request *req = host_request_new();
        oh_error err = {{0}};
        if (req == NULL) {
            fprintf(stderr, "orderhub-plugin: out of memory\n");
        } else if (fns[op](t.inst.state, &pin.in, req, &err) != OH_OK) {
            fprintf(stderr, "orderhub-plugin: %s: %s_build refused: %s\n",
                    t.inst.module->desc.name, p.positional[1], err.message);
        } else {
            json_t *out = json_object();
            json_object_set_new(out, "request", tk_request_json(req, &t));
            rc = tk_print_json(out);
        }
        host_request_free(req);
        tk_instance_close(&t);
    }
    tk_payment_input_free(&pin);
    tk_args_free(&p);
    return rc;
}

/* ---- webhook-verify / webhook-parse PLUGIN BODY_FILE --------------------------------- */

/* Open the plugin (payment or carrier, whichever it is) and read the body. */
static int webhook_open(const tk_common *common, const char *plugin, const char *file,
                        tk_args *p, tk_instance *t, char **body, size_t *len)
{
    const ldr_module *m = tk_load(common, plugin);
    if (m == NULL)
        return -1;
    if (m->desc.kind != OH_KIND_PAYMENT && m->desc.kind != OH_KIND_CARRIER) {
        fprintf(stderr, "orderhub-plugin: %s is a %s plugin: it takes no webhooks\n",
                m->desc.name, ldr_kind_name(m->desc.kind));
        return -1;
    }
    int has = m->desc.kind == OH_KIND_PAYMENT ? m->ops.payment.webhook_verify != NULL
                                              : m->ops.carrier.webhook_verify != NULL;
    if (!has) {
        fprintf(stderr, "orderhub-plugin: %s takes no webhooks (no webhook_verify)\n",
                m->desc.name);
        return -1;
    }
    if ((*body = tk_read_file(file, HOST_PARSE_MAX_BYTES, len)) == NULL)
        return -1;
    if (tk_instance_open(common, plugin, m->desc.kind, p, t) != 0) {
        free(*body);
        return -1;
    }
    return 0;
}

static json_t *event_json(const oh_payment_event *ev)
{
    json_t *j = json_object();
    json_object_set_new(j, "event_id", json_string(ev->event_id));
    json_object_set_new(j, "event_type", json_string(ev->event_type));
    json_object_set_new(j, "order_id",
                        ev->order_id[0] ? json_string(ev->order_id) : json_null());
    json_object_set_new(j, "result", tk_payment_result_json(&ev->result));
    return j;
}

/* webhook-verify: "valid" and 0, or the reason and 1 (the daemon would answer 401). */
static int verify(const tk_instance *t, const oh_inbound *in, int64_t now_s)
{
    const ldr_module *m = t->inst.module;
    oh_error err = {{0}};
    /* The daemon's clock as the plugin reads it: fixed when --now is given. */
    if (now_s > 0)
        host_now_override(now_s * 1000);
    int64_t now = host_api()->now_ms() / 1000;
    int vrc = m->desc.kind == OH_KIND_PAYMENT
                  ? m->ops.payment.webhook_verify(t->inst.state, in, now, &err)
                  : m->ops.carrier.webhook_verify(t->inst.state, in, now, &err);
    host_now_override(0);
    if (vrc == OH_OK) {
        printf("valid\n");
        return 0;
    }
    fprintf(stderr, "orderhub-plugin: %s: invalid webhook (the daemon answers 401): %s\n",
            m->desc.name, err.message[0] ? err.message : "no reason given");
    return 1;
}

/* webhook-parse: what the plugin reads from the webhook, as JSON. */
static int parse(const tk_instance *t, const oh_inbound *in)
{
    const ldr_module *m = t->inst.module;
    oh_error err = {{0}};
    int prc, rc = 1;
    if (m->desc.kind == OH_KIND_PAYMENT) {
        oh_payment_event ev = {.struct_size = sizeof(ev)};
        ev.result.struct_size = sizeof(ev.result);
        prc = m->ops.payment.webhook_parse(t->inst.state, in, &ev, &err);
        if (prc == OH_OK)
            rc = tk_print_json(event_json(&ev));
    } else {
        oh_track_result tr = {0};
        prc = m->ops.carrier.webhook_parse(t->inst.state, in, &tr, &err);
        if (prc == OH_OK && host_track_normalise(&tr, m->desc.name) == 0)
            rc = tk_print_json(host_track_result_json(&tr));
        host_track_result_clear(&tr);
    }
    if (prc != OH_OK)
        print_refusal(m->desc.name, "webhook", prc, &err);
    return rc;
}

/* webhook-verify / webhook-parse PLUGIN BODY_FILE: the body and headers as an oh_inbound. */
static int webhook_run(int argc, char **argv, const tk_common *common, int verifying)
{
    tk_args p;
    int rc = tk_args_parse(&p, argc, argv,
                           TK_OPT_HEADER | TK_OPT_SECRET | (verifying ? TK_OPT_NOW : 0));
    if (rc == 0 && p.npositional != 2) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin %s\n",
                verifying ? "webhook-verify PLUGIN --secret S [--now UNIX_TIME] --header "
                            "'Name: value'... BODY_FILE [--setting key=value]..."
                          : "webhook-parse PLUGIN BODY_FILE [--header 'Name: value']... "
                            "[--setting key=value]...");
        rc = 2;
    }
    if (rc != 0) {
        tk_args_free(&p);
        return rc;
    }
    tk_instance t;
    char *body = NULL;
    size_t len = 0;
    rc = 1;
    if (webhook_open(common, p.positional[0], p.positional[1], &p, &t, &body, &len) == 0) {
        oh_inbound in = {.struct_size = sizeof(in), .method = "POST",
                         .path = "/v1/webhooks", .query = "", .headers = p.headers,
                         .header_count = p.nheaders, .body = body, .body_len = len};
        rc = verifying ? verify(&t, &in, p.now_s) : parse(&t, &in);
        tk_instance_close(&t);
        free(body);
    }
    tk_args_free(&p);
    return rc;
}

int cmd_webhook_verify(int argc, char **argv, const tk_common *common)
{
    return webhook_run(argc, argv, common, 1);
}

int cmd_webhook_parse(int argc, char **argv, const tk_common *common)
{
    return webhook_run(argc, argv, common, 0);
}
