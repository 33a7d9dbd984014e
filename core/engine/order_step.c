/*
 * apply - one message applied to one order, on the worker that owns the order: the state
 * machine step(s), the snapshot change, every event routed through its chains (local
 * filters run here; every other step becomes an outbox action), timers set and cancelled,
 * all written as ONE store unit.
 */
#include "config.h"

#include "step_int.h"

#include "api/api_limits.h"
#include "engine/router.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- timers ------------------------------------------------------------------------- */

static int64_t due_at(const unit_ctx *c, lc_due base)
{
    const cfg_file *cfg = c->gen->cfg;
    int64_t now = eng_now_ms(), hour = 3600 * 1000;
    switch (base) {
    case LC_DUE_SHIP_BY_75: return now + cfg->ship_by_hours * hour * 3 / 4;
    case LC_DUE_SHIP_BY: return now + cfg->ship_by_hours * hour;
    case LC_DUE_DELIVERY_CONFIRM: return now + cfg->delivery_confirm_days * 24 * hour;
    case LC_DUE_PAYMENT_RETRY: return now + cfg->payment_retry_hours * hour;
    case LC_DUE_TRACK_POLL: return now + c->e->o.track_poll_ms;
    case LC_DUE_RETURN_WINDOW: return now + cfg->return_window_days * 24 * hour;
    case LC_DUE_RETURN_AUTO_APPROVE: return now + cfg->return_auto_approve_hours * hour;
    }
    return now;
}

/* ---- building the unit ---------------------------------------------------------------- */

int add_timer(unit_ctx *c, const char *name, int64_t due)
{
    if (c->ntimers == MAX_TIMERS)
        return -1;
    st_timer *t = &c->timers[c->ntimers++];
    snprintf(t->order_id, sizeof(t->order_id), "%s", c->ce->id);
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->due_ms = due;
    return 0;
}

/* The timers transition t starts and stops; a sub-flow's carry its id (`suffix`). */
void apply_timers(unit_ctx *c, const lc_transition *t, const char *suffix)
{
    char name[ST_NAME_MAX];
    for (size_t i = 0; i < LC_MAX_TIMERS && t->starts[i] != LC_NO_TIMER; i++) {
        const lc_timer_row *r = lc_timer_info(t->starts[i]);
        snprintf(name, sizeof(name), "%s%s", r->name, r->per_subflow ? suffix : "");
        add_timer(c, name, due_at(c, r->due));
    }
    for (size_t i = 0; i < LC_MAX_TIMERS && t->stops[i] != LC_NO_TIMER; i++) {
        const lc_timer_row *r = lc_timer_info(t->stops[i]);
        snprintf(name, sizeof(name), "%s%s", r->name, r->per_subflow ? suffix : "");
        cancel_timer(c, name);
    }
}

void cancel_timer(unit_ctx *c, const char *name)
{
    if (c->ncancel == MAX_TIMERS)
        return;
    snprintf(c->cancel_names[c->ncancel], ST_NAME_MAX, "%s", name);
    c->cancel[c->ncancel] = c->cancel_names[c->ncancel];
    c->ncancel++;
}

/* How many times `event` happened to this order before: part of idempotency keys. */
static int64_t bump_occurrence(unit_ctx *c, const char *event)
{
    json_t *eng = json_object_get(c->snapshot, "_engine");
    if (!json_is_object(eng)) {
        eng = json_object();
        json_object_set_new(c->snapshot, "_engine", eng);
    }
    json_t *counts = json_object_get(eng, "occurrences");
    if (!json_is_object(counts)) {
        counts = json_object();
        json_object_set_new(eng, "occurrences", counts);
    }
    int64_t n = json_integer_value(json_object_get(counts, event)) + 1;
    json_object_set_new(counts, event, json_integer(n));
    return n;
}

/* An action for the instance called `instance` (which the dispatcher looks up when it runs
 * it: one that is not configured then is dead-lettered, and can be replayed once it is). */
static int add_action_for(unit_ctx *c, const char *instance, const char *op,
                          const char *event, int64_t occurrence, const json_t *data)
{
    if (c->nactions == MAX_ACTIONS) {
        snprintf(c->error, sizeof(c->error), "more than %d actions for one input", MAX_ACTIONS);
        return -1;
    }
    st_action *a = &c->actions[c->nactions];
    memset(a, 0, sizeof(*a));
    snprintf(a->order_id, sizeof(a->order_id), "%s", c->ce->id);
    snprintf(a->instance, sizeof(a->instance), "%s", instance);
    snprintf(a->operation, sizeof(a->operation), "%s", op);
    /* Stable across retries and restarts: the same event occurrence, instance and op. */
    int n = snprintf(a->idem_key, sizeof(a->idem_key), "%s/%s#%lld/%s/%s", c->ce->id, event,
                     (long long)occurrence, instance, op);
    json_t *payload = json_pack("{s:s, s:I, s:O?}", "event", event, "occurrence",
                                (json_int_t)occurrence, "data", (json_t *)data);
    a->payload = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (n < 0 || (size_t)n >= sizeof(a->idem_key) || a->payload == NULL) {
        free(a->payload);
        snprintf(c->error, sizeof(c->error), "cannot build action %s for %s", op, instance);
        return -1;
    }
    a->next_at_ms = eng_now_ms();
    a->created_ms = a->next_at_ms;
    c->nactions++;
    return 0;
}

static int add_action(unit_ctx *c, const struct oh_instance *inst, const char *op,
                      const char *event, int64_t occurrence, const json_t *data)
{
    return add_action_for(c, inst->id, op, event, occurrence, data);
}

/* Run a local filter; 1 = go on, 0 = chain ends here, and sets the rejection if any. */
static int run_filter(unit_ctx *c, const struct oh_instance *inst, const char *event,
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

int route_event(unit_ctx *c, const char *event, int64_t occurrence, const json_t *data)
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
            if (op != NULL && router_step_applies(kind, event, data) &&
                add_action(c, inst, op, event, occurrence, data) != 0)
                return -1;
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
        if (add_action_for(c, named, "label", event, occurrence, data) != 0)
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

int add_event(unit_ctx *c, const char *name, const char *input, const json_t *data)
{
    if (c->nevents == MAX_EVENTS) {
        snprintf(c->error, sizeof(c->error), "more than %d events for one input", MAX_EVENTS);
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
    int64_t occurrence = bump_occurrence(c, name);
    stats_event(c->e, name);
    int rc = ev->data ? route_event(c, name, occurrence, payload) : -1;
    json_decref(payload);
    return rc;
}

/*
 * Refuse what was applied already: the same webhook event delivered twice, or a capture,
 * void or refund the order already recorded (the action answered, then the webhook came).
 * 0 to go on, -1 refused with c->error set.
 */
static int repeat_guard(unit_ctx *c, const lc_input_row *in, const json_t *data)
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
static int resubmit_guard(unit_ctx *c, lc_input in)
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
static int reauthorize(unit_ctx *c)
{
    const char *id = json_string_value(
        json_object_get(json_object_get(c->snapshot, "payment"), "instance"));
    struct oh_instance *inst = id ? rt_instance(c->gen, id) : NULL;
    if (inst == NULL || inst->module->desc.kind != OH_KIND_PAYMENT) {
        snprintf(c->error, sizeof(c->error), "the gateway of the first authorization ('%s') "
                 "is not configured", id ? id : "?");
        return -1;
    }
    return add_action(c, inst, "authorize", "payment_resubmitted",
                      bump_occurrence(c, "payment_resubmitted"), NULL);
}

/*
 * step - one state machine input.  0 applied; -1 refused or failed (c->error says why; the
 * unit may still carry earlier steps).
 */
int step(unit_ctx *c, const char *input, const json_t *data)
{
    for (lc_machine m = LC_RETURN; m <= LC_DISPUTE; m++) {
        if (strncmp(input, lc_machine_prefix(m), strlen(lc_machine_prefix(m))) == 0)
            return step_subflow(c, input, data);
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
    for (size_t i = 0; i < LC_MAX_EVENTS && t->events[i] != NULL; i++) {
        if (add_event(c, t->events[i], input, data) != 0)
            return -1;
    }
    apply_timers(c, t, "");
    if (t->input == LC_IN_PAYMENT_RESUBMITTED)
        return reauthorize(c);
    return 0;
}

/* ---- completion ----------------------------------------------------------------------- */

static void ctx_free(unit_ctx *c)
{
    for (size_t i = 0; i < c->nevents; i++)
        free(c->events[i].data);
    for (size_t i = 0; i < c->nactions; i++)
        free(c->actions[i].payload);
    free(c->order.snapshot);
    free(c->idem.response);
    eng_docs_free(c->docs, c->ndocs);
    json_decref(c->snapshot);
    rt_gen_unref(c->gen);
    free(c);
}

/* Runs on the store's writer thread once the unit is durable (or failed). */
static void on_durable(void *arg, int rc, const char *error)
{
    unit_ctx *c = arg;
    if (c->has_update)
        running_remove(c->e, c->update.id); /* settled (or, on failure, claimable again) */
    if (rc == ST_EEXIST && c->has_idem) {
        /* The key was recorded meanwhile (the same request twice at once): the caller
         * answers from the record; nothing of this unit was written. */
        atomic_store(&c->ce->stale, 1);
        atomic_fetch_sub(&c->ce->pending, 1);
        if (c->reply != NULL)
            c->reply(c->arg, ENG_EIDEM, NULL, "idempotency key recorded meanwhile");
        engine *e = c->e;
        ctx_free(c);
        atomic_fetch_sub(&e->units_pending, 1);
        return;
    }
    if (rc == ST_ECONFLICT && c->unit.expect_version == 0 && c->unit.order != NULL) {
        /* A placement whose id the store already has: refused, nothing written. */
        atomic_store(&c->ce->stale, 1);
        atomic_fetch_sub(&c->ce->pending, 1);
        if (c->reply != NULL)
            c->reply(c->arg, ENG_EREFUSED, NULL, "an order with this id exists");
        engine *e = c->e;
        ctx_free(c);
        atomic_fetch_sub(&e->units_pending, 1);
        return;
    }
    if (rc != 0) {
        /* The worker's copy ran ahead of the store: reload before the next input. */
        atomic_store(&c->ce->stale, 1);
        log_error("order %s: write failed (state %s, %zu events, %zu actions): %s", c->ce->id,
                  c->state, c->nevents, c->nactions, error ? error : "?");
    }
    atomic_fetch_sub(&c->ce->pending, 1);
    if (c->reply != NULL)
        c->reply(c->arg, rc == 0 ? 0 : -1, c->state, rc == 0 ? NULL : error);
    if (c->nactions > 0 || c->ntimers > 0)
        eng_wake(c->e);
    engine *e = c->e;
    ctx_free(c);
    atomic_fetch_sub(&e->units_pending, 1);
}

static void submit(unit_ctx *c)
{
    if (!c->changed && !c->has_update && c->fired == 0 && c->nactions == 0) {
        if (c->reply != NULL)
            c->reply(c->arg, 0, c->state, NULL);
        ctx_free(c);
        return;
    }
    st_unit *u = &c->unit;
    if (c->changed || c->nactions > 0 || c->ntimers > 0) {
        st_order *o = &c->order;
        snprintf(o->id, sizeof(o->id), "%s", c->ce->id);
        snprintf(o->state, sizeof(o->state), "%s", c->state);
        const char *seller = json_string_value(
            json_object_get(json_object_get(c->snapshot, "seller"), "id"));
        snprintf(o->seller_id, sizeof(o->seller_id), "%s", seller ? seller : "");
        const char *by = json_string_value(json_object_get(c->snapshot, "created_by"));
        snprintf(o->created_by, sizeof(o->created_by), "%s", by ? by : "");
        o->version = c->ce->version + 1;
        o->snapshot = json_dumps(c->snapshot, JSON_COMPACT);
        o->updated_ms = eng_now_ms();
        o->created_ms = c->ce->version == 0 ? o->updated_ms : 0;
        u->order = o;
        u->expect_version = c->ce->version;
        /* The worker moves on with the new state at once; the store catches up. */
        c->ce->version = o->version;
        snprintf(c->ce->state, sizeof(c->ce->state), "%s", c->state);
        json_decref(c->ce->snapshot);
        /* Shared, not copied: neither side changes it after this point (the next input
         * works on its own copy), and jansson counts references atomically. */
        c->ce->snapshot = json_incref(c->snapshot);
    }
    u->events = c->events;
    u->event_count = c->nevents;
    u->new_actions = c->actions;
    u->new_action_count = c->nactions;
    u->action_updates = c->has_update ? &c->update : NULL;
    u->action_update_count = c->has_update ? 1 : 0;
    u->new_timers = c->timers;
    u->new_timer_count = c->ntimers;
    u->fired_timers = c->fired ? &c->fired : NULL;
    u->fired_timer_count = c->fired ? 1 : 0;
    u->cancel_timers = c->cancel;
    u->cancel_timer_count = c->ncancel;
    u->documents = c->docs;
    u->document_count = c->ndocs;
    if (c->has_tracking) {
        c->tracking = (st_tracking){.carrier = c->tracking_carrier,
                                    .number = c->tracking_number, .order_id = c->ce->id};
        u->tracking = &c->tracking;
        u->tracking_count = 1;
    }
    if (c->has_idem) {
        json_t *answer = json_pack("{s:s, s:s}", "id", c->ce->id, "state", c->state);
        c->idem.response = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
        json_decref(answer);
        c->idem.status = 201;
        c->idem.created_ms = eng_now_ms();
        u->idem = c->idem.response ? &c->idem : NULL;
    }
    u->done = on_durable;
    u->arg = c;
    atomic_fetch_add(&c->ce->pending, 1);
    atomic_fetch_add(&c->e->units_pending, 1);
    if (store_submit(c->e->o.store, u) != 0)
        on_durable(c, -1, "the store is closing");
}

/* ---- the four kinds of message -------------------------------------------------------- */

/* 0, or -1 when even the placement could not be written (then nothing is). */
/*
 * After the placement chain ran: reject, validate, or - when a filter could not decide -
 * stay "placed" and ask again after a backoff, until max_attempts, then reject.
 */
static void placement_decision(unit_ctx *c)
{
    if (c->retry_placement) {
        json_t *eng = json_object_get(c->snapshot, "_engine");
        int64_t tries = json_integer_value(json_object_get(eng, "placement_attempts")) + 1;
        json_object_set_new(eng, "placement_attempts", json_integer(tries));
        c->changed = 1;
        if (tries < c->e->o.max_attempts) {
            add_timer(c, "placement_retry",
                      eng_now_ms() + ex_backoff_ms((int)tries, c->e->o.backoff_base_ms,
                                                   c->e->o.backoff_max_ms, -1));
            return;
        }
        c->rejected = 1;
        snprintf(c->reject_reason + strlen(c->reject_reason),
                 sizeof(c->reject_reason) - strlen(c->reject_reason),
                 " (still undecided after %lld attempts)", (long long)tries);
    }
    if (c->rejected) {
        json_t *why = json_pack("{s:s}", "reason", c->reject_reason);
        step(c, lc_input_name(LC_IN_REJECT), why);
        json_decref(why);
    } else {
        step(c, lc_input_name(LC_IN_VALIDATE), NULL);
    }
}

static int place(unit_ctx *c)
{
    if (step(c, lc_input_name(LC_IN_PLACE), NULL) != 0)
        return -1;
    placement_decision(c);
    return 0;
}

/* The outcome of one attempt of an action: finish it, retry it later, or dead-letter it. */
static void settle_action(unit_ctx *c, const eng_msg *m)
{
    c->has_update = 1;
    c->update.id = m->action_id;
    c->update.attempts = m->action_attempts + 1;
    snprintf(c->update_error, sizeof(c->update_error), "%s", m->action_error);
    c->update.error = c->update_error[0] ? c->update_error : NULL;
    if (m->action_unsent) {
        /* Nothing reached the remote (this process stopped first): not an attempt. */
        c->update.attempts = m->action_attempts;
        c->update.status = ST_ACTION_PENDING;
        c->update.next_at_ms = eng_now_ms();
        c->update.error = NULL;
        log_info("order %s: %s/%s not sent (%s); pending again, attempts kept at %d",
                 m->order_id, m->action_instance, m->action_op, m->action_error,
                 m->action_attempts);
    } else if (m->action_rc == OH_OK) {
        stats_attempt(c->e, m->action_instance, 0);
        c->update.status = ST_ACTION_DONE;
    } else if (m->action_rc == OH_RETRY && c->update.attempts < c->e->o.max_attempts) {
        stats_attempt(c->e, m->action_instance, 1);
        c->update.status = ST_ACTION_PENDING;
        c->update.next_at_ms = eng_now_ms() + ex_backoff_ms(c->update.attempts,
                                                            c->e->o.backoff_base_ms,
                                                            c->e->o.backoff_max_ms,
                                                            m->retry_after_ms);
        log_warn("order %s: %s/%s attempt %d failed, retrying: %s", m->order_id,
                 m->action_instance, m->action_op, c->update.attempts, m->action_error);
    } else {
        stats_attempt(c->e, m->action_instance, 2);
        c->update.status = ST_ACTION_DEAD;
        log_error("order %s: %s/%s gave up after %d attempt(s), dead-lettered: %s",
                  m->order_id, m->action_instance, m->action_op, c->update.attempts,
                  m->action_error);
    }
}

/*
 * An authorization that lands after the order was cancelled holds the buyer's money:
 * void it (the cancellation's own void ran before there was a transaction to void).
 */
static void void_late_authorization(unit_ctx *c, const eng_msg *m)
{
    struct oh_instance *inst = rt_instance(c->gen, m->action_instance);
    const char *tx = json_string_value(json_object_get(m->data, "transaction_id"));
    if (inst == NULL || tx == NULL)
        return;
    json_t *payment = json_object_get(c->snapshot, "payment");
    if (json_is_object(payment))
        json_object_set_new(payment, "transaction_id", json_string(tx));
    c->changed = 1;
    add_action(c, inst, "void", "late_authorization",
               bump_occurrence(c, "late_authorization"), m->data);
    log_warn("order %s: authorization %s arrived after the cancellation; voiding it",
             c->ce->id, tx);
}

/*
 * A label was recorded: its documents are stored with the same unit, and an outbound
 * label's tracking number points to the order, so the carrier's webhooks find it.
 */
static void keep_label(unit_ctx *c, eng_msg *m)
{
    c->docs = m->docs;
    c->ndocs = m->ndocs;
    m->docs = NULL;
    m->ndocs = 0;
    /* Only the outbound parcel is tracked (polls and webhooks update "shipment"); a
     * return's progress is the seller's to record (received, inspected). */
    const char *number = json_string_value(json_object_get(m->data, "tracking_number"));
    if (lc_input_from_name(m->input) == LC_IN_LABEL_CREATED && number != NULL &&
        strlen(number) < sizeof(c->tracking_number)) {
        snprintf(c->tracking_carrier, sizeof(c->tracking_carrier), "%s", m->action_instance);
        snprintf(c->tracking_number, sizeof(c->tracking_number), "%s", number);
        c->has_tracking = 1;
    }
}

static void action_done(unit_ctx *c, eng_msg *m)
{
    settle_action(c, m);
    if (strcmp(m->action_op, "authorize") == 0 && m->action_rc == OH_OK) {
        json_t *payment = json_object_get(c->snapshot, "payment");
        if (json_is_object(payment))
            json_object_set_new(payment, "instance", json_string(m->action_instance));
        c->changed = 1;
    }
    int tracked = m->action_rc == OH_OK && strcmp(m->input, "track_result") == 0;
    /* A poll that found nothing (or gave up) must not end the tracking of a moving parcel. */
    if (strcmp(m->action_op, "track") == 0 && !tracked && c->update.status != ST_ACTION_PENDING)
        track_schedule(c);
    if (m->action_rc != OH_OK || m->input[0] == '\0')
        return;
    if (tracked) {
        track_apply(c, m->data);
        return;
    }
    if (strcmp(m->input, "rates_quoted") == 0) {
        json_t *quotes = json_object_get(c->snapshot, "quotes");
        if (!json_is_object(quotes)) {
            quotes = json_object();
            json_object_set_new(c->snapshot, "quotes", quotes);
        }
        json_object_set(quotes, m->action_instance, m->data);
        c->changed = 1;
        return;
    }
    lc_input in = lc_input_from_name(m->input);
    if (in == LC_IN_PAYMENT_AUTHORIZED &&
        lc_state_from_name(LC_ORDER, c->state) == LC_CANCELLED) {
        void_late_authorization(c, m);
        return;
    }
    /* Other late answers for an order that moved on change nothing. */
    if (step(c, m->input, m->data) != 0) {
        log_warn("order %s: result of %s/%s not applied: %s", c->ce->id, m->action_instance,
                 m->action_op, c->error);
        return;
    }
    if (in == LC_IN_LABEL_CREATED || in == LC_IN_RET_LABEL_CREATED)
        keep_label(c, m);
}

static void timer_due(unit_ctx *c, eng_msg *m)
{
    c->fired = m->timer_id;
    if (strcmp(m->timer_name, "placement_retry") == 0) {
        /* The same occurrence of order.placed: its actions keep their idempotency keys. */
        json_t *none = json_object();
        if (lc_state_from_name(LC_ORDER, c->state) == LC_PLACED &&
            route_event(c, "order.placed", 1, none) == 0)
            placement_decision(c);
        json_decref(none);
        return;
    }
    if (subflow_timer(c, m->timer_name)) {
        if (c->error[0])
            log_info("order %s: timer %s ignored: %s", c->ce->id, m->timer_name, c->error);
        return;
    }
    const char *suffix;
    lc_timer timer = lc_timer_from_name(m->timer_name, &suffix);
    if (timer == LC_T_TRACK_POLL) {
        const json_t *shipment = json_object_get(c->snapshot, "shipment");
        const char *carrier = json_string_value(json_object_get(shipment, "carrier"));
        struct oh_instance *inst = carrier ? rt_instance(c->gen, carrier) : NULL;
        if (inst == NULL || inst->module->desc.kind != OH_KIND_CARRIER) {
            log_warn("order %s: carrier '%s' of the shipment is not configured; tracking "
                     "stops", c->ce->id, carrier ? carrier : "?");
            return;
        }
        add_action(c, inst, "track", "track_poll", bump_occurrence(c, "track_poll"),
                   shipment);
        return;
    }
    const lc_timer_row *r = lc_timer_info(timer);
    if (r != NULL && !r->per_subflow && r->fires != LC_NO_INPUT &&
        step(c, lc_input_name(r->fires), NULL) != 0)
        log_info("order %s: timer %s ignored: %s", c->ce->id, m->timer_name, c->error);
}

/* The order (or the refusal) for a message; NULL when the message was answered already. */
static cache_entry *order_for(worker *w, eng_msg *m)
{
    char err[512] = "";
    int absent = 0;
    cache_entry *ce;
    if (m->kind == MSG_PLACE) {
        /* No store read to prove the id is new: the unit's version check (must not exist
         * yet) proves it at commit, and on_durable turns the conflict into a refusal. */
        ce = cache_peek(w, m->order_id);
        absent = ce == NULL;
        if (ce != NULL && atomic_load(&ce->stale))
            ce = cache_get(w, m->order_id, err, sizeof(err), &absent);
        /* "Exists" only once it is durable: a crash could still lose an unwritten one. */
        if (ce != NULL && atomic_load(&ce->pending) > 0) {
            if (m->reply)
                m->reply(m->arg, ENG_EBUSY, NULL, "an order with this id is being written; "
                         "retry");
            return NULL;
        }
        if (ce != NULL || !absent) {
            if (m->reply)
                /* No state: the caller may not be allowed to see that order. */
                m->reply(m->arg, ce ? ENG_EREFUSED : -1, NULL,
                         ce ? "an order with this id exists" : err);
            return NULL;
        }
        ce = cache_add(w, m->order_id, m->data);
        if (ce != NULL)
            m->data = NULL;
        else if (m->reply)
            m->reply(m->arg, -1, NULL, "out of memory");
        return ce;
    }
    ce = cache_get(w, m->order_id, err, sizeof(err), &absent);
    if (ce == NULL && m->reply)
        m->reply(m->arg, absent ? ENG_ENOTFOUND : -1, NULL, absent ? "no such order" : err);
    if (ce == NULL && !absent)
        log_error("order %s: %s", m->order_id, err);
    return ce;
}

/* A message dropped unapplied: its action (if any) may be claimed again. */
static void drop_msg(worker *w, eng_msg *m)
{
    if (m->kind == MSG_ACTION)
        running_remove(w->e, m->action_id);
    eng_msg_free(m);
}

void apply_msg(worker *w, eng_msg *m)
{
    cache_entry *ce = order_for(w, m);
    if (ce == NULL) {
        drop_msg(w, m);
        return;
    }
    unit_ctx *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        if (m->reply)
            m->reply(m->arg, -1, NULL, "out of memory");
        drop_msg(w, m);
        return;
    }
    c->e = w->e;
    c->w = w;
    c->ce = ce;
    c->gen = rt_holder_get(w->e->o.generations);
    /* A placement's entry is new and replaced (or dropped) with this unit: no copy needed. */
    c->snapshot = m->kind == MSG_PLACE ? json_incref(ce->snapshot) : json_deep_copy(ce->snapshot);
    snprintf(c->state, sizeof(c->state), "%s", ce->state);
    c->reply = m->reply;
    c->arg = m->arg;
    switch (m->kind) {
    case MSG_PLACE:
        if (m->idem_key[0] != '\0') {
            c->has_idem = 1;
            snprintf(c->idem.key, sizeof(c->idem.key), "%s", m->idem_key);
            snprintf(c->idem.request_hash, sizeof(c->idem.request_hash), "%s", m->request_hash);
        }
        if (place(c) != 0) {
            if (c->reply)
                c->reply(c->arg, -1, NULL, c->error);
            c->ce = NULL;
            cache_drop(w, ce);
            ctx_free(c);
            eng_msg_free(m);
            return;
        }
        break;
    case MSG_INPUT:
        if (strcmp(m->input, "track_result") == 0 &&
            !json_is_object(json_object_get(c->snapshot, "shipment"))) {
            snprintf(c->error, sizeof(c->error), "the order has no shipment to track");
        } else if (strcmp(m->input, "track_result") == 0) {
            track_apply(c, m->data); /* a carrier's webhook: like a poll's answer */
            break;
        }
        if (c->error[0] != '\0' || step(c, m->input, m->data) != 0) {
            /* Refused: nothing of this input is written. */
            if (c->reply)
                c->reply(c->arg, ENG_EREFUSED, ce->state, c->error);
            ctx_free(c);
            eng_msg_free(m);
            return;
        }
        break;
    case MSG_ACTION:
        action_done(c, m);
        break;
    case MSG_TIMER:
        timer_due(c, m);
        break;
    }
    eng_msg_free(m);
    submit(c);
    cache_trim(w);
}
