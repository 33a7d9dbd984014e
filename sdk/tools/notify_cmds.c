/*
 * notify_cmds - the test kit's notifier verb: render one event through a notifier's
 * render_build exactly as orderhubd would (same loader, settings, init, host table) and
 * print the request it would send, secrets redacted.  For template authors: edit a
 * template, run notify-render, read the message.
 *
 *   orderhub-plugin notify-render PLUGIN EVENT.json [--setting key=value]...
 *
 * EVENT.json: {"event", "order" (the snapshot), "data", "dedupe_id", "occurred_at_ms",
 * optionally "role" ("buyer" | "seller" | "operator", default "seller", as a route that
 * names no audience) and "recipient" (default: the role's address as orderhubd passes it:
 * buyer.email else shipping_address.email, seller.email, none for the operator)}.
 */
#include "config.h"

#include "notify_cmds.h"

#include "tk_instance.h"
#include "tk_request.h"

#include "host/host.h"

#include <stdlib.h>
#include <string.h>

static oh_recipient_role role_of(const char *s)
{
    if (s == NULL || strcmp(s, "seller") == 0)
        return OH_RECIPIENT_SELLER;
    if (strcmp(s, "buyer") == 0)
        return OH_RECIPIENT_BUYER;
    if (strcmp(s, "operator") == 0)
        return OH_RECIPIENT_OPERATOR;
    return (oh_recipient_role)0;
}

/* The event file as the notifier's input; pointers borrow from `ev`. */
static int event_input(const json_t *ev, const char *path, oh_notify_input *in)
{
    const json_t *order = json_object_get(ev, "order"), *data = json_object_get(ev, "data");
    const char *name = json_string_value(json_object_get(ev, "event"));
    const char *role = json_string_value(json_object_get(ev, "role"));
    const char *why = !json_is_object(ev)                     ? "not a JSON object"
                      : name == NULL                          ? "\"event\" (a string) missing"
                      : !json_is_object(order)                ? "\"order\" (an object) missing"
                      : data != NULL && !json_is_object(data) ? "\"data\" is not an object"
                      : role_of(role) == 0 ? "\"role\" must be buyer, seller or operator"
                                           : NULL;
    if (why != NULL) {
        fprintf(stderr, "orderhub-plugin: %s: %s\n", path, why);
        return -1;
    }
    oh_recipient_role r = role_of(role);
    const char *rcpt = json_string_value(json_object_get(ev, "recipient"));
    const char *party = r == OH_RECIPIENT_BUYER ? "buyer" : "seller";
    if (rcpt == NULL && r != OH_RECIPIENT_OPERATOR)
        rcpt = json_string_value(json_object_get(json_object_get(order, party), "email"));
    if (rcpt == NULL && r == OH_RECIPIENT_BUYER)
        rcpt = json_string_value(
            json_object_get(json_object_get(order, "shipping_address"), "email"));
    const char *dedupe = json_string_value(json_object_get(ev, "dedupe_id"));
    *in = (oh_notify_input){
        .struct_size = sizeof(*in), .event = name,
        .order_id = json_string_value(json_object_get(order, "id")),
        .dedupe_id = dedupe ? dedupe : "render/test#1", .role = r,
        .recipient = rcpt, .order = order, .data = data,
        .occurred_at_ms = json_integer_value(json_object_get(ev, "occurred_at_ms"))};
    return 0;
}

static int render(const tk_instance *t, const oh_notify_input *in)
{
    const ldr_module *m = t->inst.module;
    oh_request *req = host_request_new();
    oh_error err = {{0}};
    if (req == NULL) {
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        return 1;
    }
    int rc = m->ops.notifier.render_build(t->inst.state, in, req, &err);
    int out = 1;
    if (rc == OH_STOP) {
        out = tk_print_json(json_pack("{s:n, s:s}", "request", "stop",
                                      err.message[0] ? err.message : "nothing to send"));
    } else if (rc != OH_OK || req->url == NULL) {
        fprintf(stderr, "orderhub-plugin: %s: render_build refused %s (%s): %s\n", m->desc.name,
                in->event, rc == OH_RETRY ? "transient: the daemon retries later" : "permanent",
                err.message[0] ? err.message : "no request built");
    } else {
        out = tk_print_json(json_pack("{s:o}", "request", tk_request_json(req, t)));
    }
    host_request_free(req);
    return out;
}

int cmd_notify_render(int argc, char **argv, const tk_common *common)
{
    tk_args a;
    int rc = tk_args_parse(&a, argc, argv, 0);
    if (rc == 0 && a.npositional != 2) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin notify-render PLUGIN "
                        "EVENT.json [--setting key=value]...\n");
        rc = 2;
    }
    if (rc != 0) {
        tk_args_free(&a);
        return rc;
    }
    const char *path = a.positional[1];
    rc = 1;
    size_t len = 0;
    char *text = tk_read_file(path, HOST_PARSE_MAX_BYTES, &len);
    json_error_t jerr;
    json_t *ev = text ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (text != NULL && ev == NULL)
        fprintf(stderr, "orderhub-plugin: %s:%d: %s\n", path, jerr.line, jerr.text);
    free(text);
    oh_notify_input in;
    tk_instance t;
    if (ev != NULL && event_input(ev, path, &in) == 0 &&
        tk_instance_open(common, a.positional[0], OH_KIND_NOTIFIER, &a, &t) == 0) {
        rc = render(&t, &in);
        tk_instance_close(&t);
    }
    json_decref(ev);
    tk_args_free(&a);
    return rc;
}
