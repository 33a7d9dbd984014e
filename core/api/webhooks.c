/*
 * webhooks - POST /v1/webhooks/{instance}: an inbound gateway or carrier webhook,
 * authenticated by the instance's plugin (its signature scheme), never by a bearer token.
 * Nothing is stored unless the signature verifies; a verified payment event becomes an
 * engine input for its order; carrier events go to carrier_webhooks.c.
 */
#include "config.h"

#include "webhooks.h"

#include "carrier_webhooks.h"
#include "reply.h"

#include "api/intake_codes.h"
#include "host/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 64

typedef struct header_list {
    oh_header items[MAX_HEADERS];
    size_t count;
} header_list;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    header_list *h = cls;
    if (h->count < MAX_HEADERS && key != NULL)
        h->items[h->count++] = (oh_header){(char *)key, (char *)(value ? value : ""), 0};
    return MHD_YES;
}

/* The gateway's state of the payment -> the order's input. */
static const char *input_of(oh_payment_status s)
{
    switch (s) {
    case OH_PAYMENT_AUTHORIZED: return "payment_authorized";
    case OH_PAYMENT_CAPTURED: return "payment_captured";
    case OH_PAYMENT_DECLINED: return "payment_declined";
    case OH_PAYMENT_CANCELED: return "payment_voided";
    case OH_PAYMENT_REFUNDED: return "payment_refunded";
    default: return NULL;
    }
}

/* Senders retry anything but 2xx: an event the order has no use for any more is done. */
static void webhook_reply(void *arg, int rc, const char *state, const char *error)
{
    req_ctx *ctx = arg;
    if (rc == ENG_EREFUSED) {
        ctx->extra = json_pack("{s:s, s:s}", "status", "ignored", "reason",
                               error ? error : "not applicable");
        rc = 0;
    } else if (rc == 0) {
        ctx->extra = json_pack("{s:s}", "status", "applied");
    }
    api_on_engine_reply(arg, rc, state, error);
}

enum MHD_Result api_webhook(req_ctx *ctx, const char *method, const char *id)
{
    if (strcmp(method, "POST") != 0)
        return api_send_error(ctx, 405, "use POST", "");
    rt_gen *g = api_current(ctx->a);
    struct oh_instance *inst = g && intake_id_ok(id) ? rt_instance(g, id) : NULL;
    const oh_plugin *d = inst ? &inst->module->desc : NULL;
    if (d == NULL || (d->kind == OH_KIND_PAYMENT && d->payment->webhook_verify == NULL) ||
        (d->kind != OH_KIND_PAYMENT && d->kind != OH_KIND_CARRIER) ||
        (d->kind == OH_KIND_CARRIER && d->carrier->webhook_verify == NULL)) {
        rt_gen_unref(g);
        return api_send_error(ctx, 404, "no instance takes webhooks here", "");
    }
    header_list h = {.count = 0};
    MHD_get_connection_values(ctx->conn, MHD_HEADER_KIND, collect, &h);
    oh_inbound in = {.struct_size = sizeof(in), .method = method, .path = "/v1/webhooks",
                     .query = "", .headers = h.items, .header_count = h.count,
                     .body = ctx->body ? ctx->body : "", .body_len = ctx->len};
    oh_error err = {{0}};
    int64_t now = host_api()->now_ms() / 1000;
    int verified = d->kind == OH_KIND_CARRIER
                       ? d->carrier->webhook_verify(inst->state, &in, now, &err)
                       : d->payment->webhook_verify(inst->state, &in, now, &err);
    if (verified != OH_OK) {
        rt_gen_unref(g);
        return api_send_error(ctx, 401, err.message[0] ? err.message : "signature refused", "");
    }
    if (d->kind == OH_KIND_CARRIER) {
        enum MHD_Result r = api_carrier_webhook(ctx, inst, &in);
        rt_gen_unref(g);
        return r;
    }
    oh_payment_event ev = {.struct_size = sizeof(ev)};
    ev.result.struct_size = sizeof(ev.result);
    int rc = d->payment->webhook_parse(inst->state, &in, &ev, &err);
    char instance[ST_ID_MAX];
    snprintf(instance, sizeof(instance), "%s", inst->id);
    rt_gen_unref(g);
    if (rc != OH_OK)
        return api_send_error(ctx, 400, err.message[0] ? err.message : "unreadable event", "");
    const char *input = input_of(ev.result.status);
    if (!intake_id_ok(ev.order_id) || input == NULL)
        return api_send_json(ctx, 202, json_pack("{s:s, s:s}", "status", "ignored", "reason",
                                                 input ? "the event names no order"
                                                       : "no lifecycle meaning"));
    json_t *data = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "transaction_id",
                             ev.result.transaction_id, "amount", (json_int_t)ev.result.amount,
                             "currency", ev.result.currency, "webhook_event", ev.event_id,
                             "webhook_type", ev.event_type, "via", instance);
    api_suspend(ctx);
    if (eng_input(ctx->a->h->engine, ev.order_id, input, data, webhook_reply, ctx) != 0)
        api_on_engine_reply(ctx, -1, NULL, "the engine refused the event");
    return MHD_YES;
}
