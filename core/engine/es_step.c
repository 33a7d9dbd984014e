/*
 * es_step - one input to the order's state machine: refuse repeats, take the transition
 * the lifecycle table gives, change the snapshot as the input's row says (payment status,
 * the member its data is merged into), move its stock (es_stock), journal and route its
 * events, start and stop its timers.  Sub-flow inputs ("return.", "dispute.") go to es_subflow.
 */
#include "config.h"

#include "es_step.h"

#include "api/api_limits.h"
#include "es_money.h"
#include "es_route.h"
#include "es_stock.h"
#include "es_subflow.h"
#include "es_timers.h"

#include <stdio.h>
#include <string.h>

/*
 * Refuse what was applied already: the same webhook event delivered twice, or a capture,
 * void or refund the order already recorded (the action answered, then the webhook came).
 * 0 to go on, -1 refused with c->error set.
 */
static int repeat_guard(es_unit *c, const lc_input_row *in, const json_t *data)
{
    json_t *payment = json_object_get(c->snapshot, "payment");
    const char *now = json_string_value(json_object_get(payment, "status"));
    if (in != NULL && in->payment_once && now && strcmp(now, in->payment) == 0) {
        snprintf(c->error, sizeof(c->error), "payment already %s", now);
        return -1;
    }
    const char *event = json_string_value(json_object_get(data, "webhook_event"));
    if (event == NULL)
        return 0;
    json_t *eng = json_object_get(c->snapshot, "_engine");
    json_t *seen = json_object_get(eng, "webhooks");
    size_t i;
    json_t *v;
    json_array_foreach(seen, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), event) == 0) {
            snprintf(c->error, sizeof(c->error), "webhook event %s applied already", event);
            return -1;
        }
    }
    if (!json_is_array(seen) && json_is_object(eng)) {
        seen = json_array();
        json_object_set_new(eng, "webhooks", seen);
    }
    if (json_array_size(seen) >= 32) /* the recent ones: gateways redeliver within hours */
        json_array_remove(seen, 0);
    json_array_append_new(seen, json_string(event));
    return 0;
}

/*
 * Each new payment method is a gateway call and more journal: a buyer may not retry
 * without end.  Counted by the occurrences reauthorize() keeps.  0, or -1 refused.
 */
static int resubmit_guard(es_unit *c, lc_input in)
{
    if (in != LC_IN_PAYMENT_RESUBMITTED)
        return 0;
    const json_t *counts = json_object_get(json_object_get(c->snapshot, "_engine"),
                                           "occurrences");
    json_int_t n = json_integer_value(json_object_get(counts, "payment_resubmitted"));
    if (n < LIMIT_PAYMENT_RESUBMITS)
        return 0;
    snprintf(c->error, sizeof(c->error), "the payment method was replaced %lld times, the "
             "most allowed", (long long)n);
    return -1;
}

/*
 * A new payment method after a decline: authorize again on the gateway that declined,
 * under a new key (a new attempt group), so the first decline is never replayed.
 */
static int reauthorize(es_unit *c)
{
    const char *id = json_string_value(
        json_object_get(json_object_get(c->snapshot, "payment"), "instance"));
    struct oh_instance *inst = id ? rt_instance(c->gen, id) : NULL;
    if (inst == NULL || inst->module->desc.kind != OH_KIND_PAYMENT) {
        snprintf(c->error, sizeof(c->error), "the gateway of the first authorization ('%s') "
                 "is not configured", id ? id : "?");
        return -1;
    }
    return es_add_action(c, inst->id, "authorize", "payment_resubmitted",
                      es_occurrence(c, "payment_resubmitted"), NULL);
}

int es_step(es_unit *c, const char *input, const json_t *data)
{
    for (lc_machine m = LC_RETURN; m <= LC_DISPUTE; m++) {
        if (strncmp(input, lc_machine_prefix(m), strlen(lc_machine_prefix(m))) == 0)
            return es_subflow_step(c, input, data);
    }
    lc_input in = lc_input_from_name(input);
    const lc_input_row *row = lc_input_info(in);
    if (repeat_guard(c, row, data) != 0 || resubmit_guard(c, in) != 0)
        return -1;
    lc_facts facts = {.acknowledged = json_is_true(json_object_get(c->snapshot,
                                                                  "acknowledged"))};
    const char *next = NULL;
    const lc_transition *t = lc_step(LC_ORDER, c->state, input, &facts, &next, c->error,
                                     sizeof(c->error));
    if (t == NULL)
        return -1;
    snprintf(c->state, sizeof(c->state), "%s", next);
    json_object_set_new(c->snapshot, "state", json_string(c->state));
    if (t->input == LC_IN_ACKNOWLEDGE)
        json_object_set_new(c->snapshot, "acknowledged", json_true());
    row = lc_input_info(t->input);
    json_t *payment = json_object_get(c->snapshot, "payment");
    if (row->payment != NULL && json_is_object(payment))
        json_object_set_new(payment, "status", json_string(row->payment));
    if (row->merge != NULL && json_is_object(data)) {
        json_t *target = json_object_get(c->snapshot, row->merge);
        if (!json_is_object(target)) {
            target = json_object();
            json_object_set_new(c->snapshot, row->merge, target);
        }
        json_object_update(target, (json_t *)data);
    }
    c->changed = 1;
    es_stock_order_input(c, t->input);
    es_money_order_input(c, t->input, data);
    for (size_t i = 0; i < LC_MAX_EVENTS && t->events[i] != NULL; i++) {
        json_t *ev = es_stock_event_data(c, t->events[i], data);
        int rc = es_emit(c, t->events[i], input, ev);
        json_decref(ev);
        if (rc != 0)
            return -1;
    }
    es_apply_timers(c, t, "");
    if (t->input == LC_IN_PAYMENT_RESUBMITTED)
        return reauthorize(c);
    return 0;
}
