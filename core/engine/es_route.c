/*
 * es_route - an event of the order: journaled with the unit and run through
 * the chains of the routes that match it.  Local filters run here and now; every other
 * step becomes an outbound action of the unit.
 */
#include "config.h"

#include "es_route.h"

#include "eng_clock.h"
#include "es_money.h"
#include "engine/router.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run a local filter; 1 = go on, 0 = chain ends here, and sets the rejection if any. */
static int run_filter(es_unit *c, const struct oh_instance *inst, const char *event,
                      const json_t *data)
{
    const oh_filter_ops *ops = &inst->module->ops.filter;
    oh_error err = {{0}};
    int rc;
    if (ops->check == NULL) {
        rc = oh_error_set(&err, OH_FAIL, "remote filters (check_build/check_parse) are not "
                          "run by this engine yet");
    } else {
        oh_filter_input in = {.struct_size = sizeof(in), .event = event,
                              .order_id = c->ce->id, .order = c->snapshot, .data = data};
        rc = ops->check(inst->state, &in, &err);
    }
    if (rc == OH_OK)
        return 1;
    if (rc == OH_STOP)
        return 0;
    int placement = strcmp(event, "order.placed") == 0;
    /* Cannot decide now (its remote is down): placement waits and asks again later. */
    if (placement && rc == OH_RETRY && !c->rejected) {
        c->retry_placement = 1;
        snprintf(c->reject_reason, sizeof(c->reject_reason), "%s: %s", inst->id,
                 err.message[0] ? err.message : "could not decide");
        return 0;
    }
    /* A broken filter fails closed: placing an order it could not judge would wave through
     * exactly what it exists to stop. */
    if (placement && !c->rejected) {
        c->rejected = 1;
        snprintf(c->reject_reason, sizeof(c->reject_reason), "%s: %s", inst->id,
                 err.message[0] ? err.message : "rejected");
    } else if (rc != OH_REJECT) {
        log_warn("order %s: filter %s on %s: %s", c->ce->id, inst->id, event, err.message);
    }
    return 0;
}

/* The route's audience wins over the instance's.  Neither: NULL, which the notifier adapter
 * hands on as the seller (as before audiences existed) - but only an audience NAMED seller
 * counts as telling the seller (seller.notified), since an unnamed one may be a plugin that
 * picks its own recipient (notify_email's `to = "buyer"`). */
static const char *audience(const rt_route *route, const struct oh_instance *inst)
{
    static const char *const names[] = {[CFG_AUDIENCE_BUYER] = "buyer",
                                        [CFG_AUDIENCE_SELLER] = "seller",
                                        [CFG_AUDIENCE_OPERATOR] = "operator"};
    cfg_audience a = route->audience != CFG_AUDIENCE_UNSET ? route->audience : inst->audience;
    return a != CFG_AUDIENCE_UNSET ? names[a] : NULL;
}

/* A refund action, with its amount reserved in the same unit (es_money). */
static int refund(es_unit *c, const char *instance, const char *event, int64_t occurrence,
                  const json_t *data)
{
    int skip = 0;
    json_t *with = es_money_refund(c, event, data, &skip);
    if (with == NULL)
        return skip ? 0 : -1;
    int rc = es_add_action(c, instance, "refund", event, occurrence, with);
    json_decref(with);
    return rc;
}

int es_route_event(es_unit *c, const char *event, int64_t occurrence, const json_t *data)
{
    const rt_gen *g = c->gen;
    size_t first_action = c->nactions;
    /* A carrier named when packing takes the label, whether or not a route names it. */
    const char *named = strcmp(event, "fulfillment.packed") == 0
                            ? json_string_value(json_object_get(
                                  json_object_get(c->snapshot, "fulfillment"), "carrier"))
                            : NULL;
    int named_done = 0, carrier_routed = 0;
    for (size_t r = 0; r < g->route_count; r++) {
        const rt_route *route = &g->routes[r];
        if (!router_matches(route, event, c->snapshot))
            continue;
        for (size_t k = 0; k < route->chain_len; k++) {
            const struct oh_instance *inst = route->chain[k];
            oh_plugin_kind kind = inst->module->desc.kind;
            if (kind == OH_KIND_CARRIER && named != NULL && strcmp(inst->id, named) != 0)
                continue; /* the seller packed for another carrier */
            if (kind == OH_KIND_FILTER) {
                if (!run_filter(c, inst, event, data))
                    break;
                continue;
            }
            const char *op = router_operation(kind, event);
            if (op == NULL || !router_step_applies(kind, event, data)) {
                /* nothing for this instance on this event */
            } else if (strcmp(op, "refund") == 0) {
                if (refund(c, inst->id, event, occurrence, data) != 0)
                    return -1;
            } else if (strcmp(op, "void") == 0) {
                if (es_money_void(c, event) != 0 ||
                    es_add_action(c, inst->id, op, event, occurrence, data) != 0)
                    return -1;
            } else if (es_add_notification(c, inst->id, op, event, occurrence, data,
                                           kind == OH_KIND_NOTIFIER ? audience(route, inst)
                                                                    : NULL) != 0) {
                return -1;
            }
            named_done |= named != NULL && kind == OH_KIND_CARRIER;
            carrier_routed |= kind == OH_KIND_CARRIER;
        }
    }
    if (named == NULL && !carrier_routed && strcmp(event, "fulfillment.packed") == 0)
        log_error("order %s: packed, but no carrier is routed on fulfillment.packed: no label "
                  "will be made for it", c->ce->id);
    if (named != NULL && !named_done) {
        /* The API checked the carrier, but a reload may have removed it since: the label
         * action still goes out, so the dispatcher dead-letters it (visible, replayable once
         * the carrier is configured again) instead of the order waiting for nothing. */
        struct oh_instance *carrier = rt_instance(g, named);
        if (carrier == NULL || carrier->module->desc.kind != OH_KIND_CARRIER)
            log_error("order %s: carrier '%s' named at packing is not a carrier instance of "
                      "the configuration; its label action will be dead-lettered",
                      c->ce->id, named);
        if (es_add_action(c, named, "label", event, occurrence, data) != 0)
            return -1;
    }
    /* A rejected or undecided placement takes no money: drop the authorizations it queued. */
    if ((c->rejected || c->retry_placement) && strcmp(event, "order.placed") == 0) {
        size_t kept = first_action;
        for (size_t i = first_action; i < c->nactions; i++) {
            if (strcmp(c->actions[i].operation, "authorize") == 0)
                free(c->actions[i].payload);
            else
                c->actions[kept++] = c->actions[i];
        }
        c->nactions = kept;
    }
    return 0;
}

int es_emit(es_unit *c, const char *name, const char *input, const json_t *data)
{
    if (c->nevents == ES_MAX_EVENTS) {
        snprintf(c->error, sizeof(c->error), "more than %d events for one input", ES_MAX_EVENTS);
        return -1;
    }
    json_t *payload = json_is_object(data) ? json_deep_copy(data) : json_object();
    json_object_set_new(payload, "state", json_string(c->state));
    json_object_set_new(payload, "input", json_string(input));
    st_event *ev = &c->events[c->nevents++];
    memset(ev, 0, sizeof(*ev));
    snprintf(ev->order_id, sizeof(ev->order_id), "%s", c->ce->id);
    snprintf(ev->name, sizeof(ev->name), "%s", name);
    ev->at_ms = eng_now_ms();
    ev->data = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t occurrence = es_occurrence(c, name);
    int rc = ev->data ? es_route_event(c, name, occurrence, payload) : -1;
    json_decref(payload);
    return rc;
}
