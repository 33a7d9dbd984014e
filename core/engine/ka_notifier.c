/*
 * ka_notifier - the notifier kind's adapter: an event rendered and sent to the audience its
 * route chose (buyer, seller or operator) over a webhook, e-mail, SMS, chat or a file.  Its
 * inputs are the event, its data and the whole order (templates may name any of its
 * members); its answer leads to no input, except that the seller told of order.confirmed
 * is seller_notified.
 */
#include "config.h"

#include "ka.h"

#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

_Static_assert(CFG_AUDIENCE_BUYER == (int)OH_RECIPIENT_BUYER &&
                   CFG_AUDIENCE_SELLER == (int)OH_RECIPIENT_SELLER &&
                   CFG_AUDIENCE_OPERATOR == (int)OH_RECIPIENT_OPERATOR,
               "the route's audience is handed on as the notifier's role");

/* The payload's audience was decided when the route ran; actions queued before audiences
 * existed have none and were for the seller. */
static oh_recipient_role role_of(const json_t *payload)
{
    const char *a = str(payload, "audience");
    if (a != NULL && strcmp(a, "buyer") == 0)
        return OH_RECIPIENT_BUYER;
    if (a != NULL && strcmp(a, "operator") == 0)
        return OH_RECIPIENT_OPERATOR;
    return OH_RECIPIENT_SELLER;
}

/* The operator's address is no member of the order: the plugin's settings name it. */
static const char *recipient_of(const json_t *order, oh_recipient_role role)
{
    if (role == OH_RECIPIENT_OPERATOR)
        return NULL;
    if (role == OH_RECIPIENT_SELLER)
        return str(json_object_get(order, "seller"), "email");
    const char *mail = str(json_object_get(order, "buyer"), "email");
    return mail ? mail : str(json_object_get(order, "shipping_address"), "email");
}

static int needs_order(const action_run *r)
{
    (void)r;
    return 1; /* oh_notify_input.order: the template's view of the order */
}

static int fill(action_run *r, const char **why)
{
    oh_notify_input *note = calloc(1, sizeof(*note));
    if (note == NULL) {
        *why = "out of memory";
        return -1;
    }
    const json_t *ev = r->payload;
    oh_recipient_role role = role_of(ev);
    *note = (oh_notify_input){.struct_size = sizeof(*note), .event = str(ev, "event"),
                              .order_id = r->a.order_id, .dedupe_id = r->a.idem_key,
                              .role = role, .recipient = recipient_of(r->order, role),
                              .order = r->order, .data = json_object_get(ev, "data"),
                              .occurred_at_ms = r->a.created_ms};
    r->in = note;
    return 0;
}

static void release(void *in)
{
    free(in);
}

static int build(action_run *r, oh_request *req, oh_error *err)
{
    return r->inst->module->ops.notifier.render_build(r->inst->state, r->in, req, err);
}

/* notifier.h: OH_STOP is "nothing to send for this event" (no address for the audience,
 * say): the action is done, not failed. */
static int settle_stop(const action_run *r, const oh_error *err)
{
    const oh_notify_input *note = r->in;
    log_info("order %s: %s has nothing to send for %s: %s", r->a.order_id, r->inst->id,
             note->event ? note->event : "?", err->message);
    return 1;
}

static void parse(action_run *r, const ex_result *res)
{
    const oh_notifier_ops *n = &r->inst->module->ops.notifier;
    oh_error err = {{0}};
    int rc;
    if (n->response_parse != NULL) {
        rc = n->response_parse(r->inst->state, r->in, &res->response, &err);
    } else {
        ex_verdict v = r->smtp ? ex_classify_smtp(res) : ex_classify(res);
        rc = v == EX_OK ? OH_OK : v == EX_RETRY ? OH_RETRY : OH_FAIL;
        if (rc != OH_OK)
            snprintf(err.message, sizeof(err.message), "receiver answered HTTP %d",
                     res->response.status);
    }
    /* Only a route or instance that named the seller audience says who was told (es_route.c);
     * the worker applies it only while the order awaits shipment, and once. */
    const oh_notify_input *note = r->in;
    const char *named = str(r->payload, "audience");
    const char *input = rc == OH_OK && named != NULL && strcmp(named, "seller") == 0 &&
                                note->event && strcmp(note->event, "order.confirmed") == 0
                            ? "seller_notified"
                            : NULL;
    eng_run_finish(r, rc, input, NULL, err.message, r->retry_after_ms);
}

/* Receivers may answer HTML (Slack's "ok" is text/html). */
const ka_adapter ka_notifier = {.kind = OH_KIND_NOTIFIER, .accepts_html = 1,
                                .needs_order = needs_order, .fill = fill, .release = release,
                                .build = build, .settle_stop = settle_stop, .parse = parse};
