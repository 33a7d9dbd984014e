/*
 * es_unit - adding to the unit one message builds (timers, actions, occurrence counts), and
 * writing it: the order's new snapshot and version, its events, actions, timers, an
 * action's settlement, documents, tracking number and stock moves go to the store as one unit; the
 * caller hears back once it is durable (or refused at commit).
 */
#include "config.h"

#include "es_unit.h"

#include "eng_clock.h"
#include "eng_queue.h"
#include "eng_running.h"
#include "eng_stock.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

es_unit *es_unit_new(worker *w, cache_entry *ce, int share, eng_reply_fn reply, void *arg)
{
    es_unit *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->e = w->e;
    c->w = w;
    c->ce = ce;
    c->gen = rt_holder_get(w->e->o.generations);
    c->snapshot = share ? json_incref(ce->snapshot) : json_deep_copy(ce->snapshot);
    snprintf(c->state, sizeof(c->state), "%s", ce->state);
    c->reply = reply;
    c->arg = arg;
    return c;
}

int es_add_timer(es_unit *c, const char *name, int64_t due)
{
    if (c->ntimers == ES_MAX_TIMERS)
        return -1;
    st_timer *t = &c->timers[c->ntimers++];
    snprintf(t->order_id, sizeof(t->order_id), "%s", c->ce->id);
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->due_ms = due;
    return 0;
}

void es_cancel_timer(es_unit *c, const char *name)
{
    if (c->ncancel == ES_MAX_TIMERS)
        return;
    snprintf(c->cancel_names[c->ncancel], ST_NAME_MAX, "%s", name);
    c->cancel[c->ncancel] = c->cancel_names[c->ncancel];
    c->ncancel++;
}

/* How many times `event` happened to this order before: part of idempotency keys. */
int64_t es_occurrence(es_unit *c, const char *event)
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
int es_add_action(es_unit *c, const char *instance, const char *op,
                          const char *event, int64_t occurrence, const json_t *data)
{
    return es_add_notification(c, instance, op, event, occurrence, data, NULL);
}

int es_add_notification(es_unit *c, const char *instance, const char *op, const char *event,
                        int64_t occurrence, const json_t *data, const char *audience)
{
    if (c->nactions == ES_MAX_ACTIONS) {
        snprintf(c->error, sizeof(c->error), "more than %d actions for one input", ES_MAX_ACTIONS);
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
    if (payload != NULL && audience != NULL)
        json_object_set_new(payload, "audience", json_string(audience));
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

void es_unit_free(es_unit *c)
{
    for (size_t i = 0; i < c->nevents; i++)
        free(c->events[i].data);
    for (size_t i = 0; i < c->nactions; i++)
        free(c->actions[i].payload);
    free(c->order.snapshot);
    free(c->idem.response);
    eng_docs_free(c->docs, c->ndocs);
    free(c->moves);
    json_decref(c->stock_lines);
    json_decref(c->snapshot);
    rt_gen_unref(c->gen);
    free(c);
}

/* A placement refused for want of stock, recorded under its Idempotency-Key alone. */
typedef struct short_record {
    engine *e;
    st_unit unit;
    st_idem idem;
    char *short_text;
    eng_reply_fn reply;
    void *arg;
} short_record;

static void short_recorded(void *arg, int rc, const char *error)
{
    short_record *r = arg;
    if (rc != 0 && rc != ST_EEXIST)
        log_warn("idempotency key of a placement refused for want of stock not recorded: %s",
                 error ? error : "?");
    if (r->reply != NULL) {
        /* Recorded meanwhile by the same request: the caller answers from that record. */
        if (rc == ST_EEXIST)
            r->reply(r->arg, ENG_EIDEM, NULL, "idempotency key recorded meanwhile");
        else
            r->reply(r->arg, ENG_ESHORT, NULL, r->short_text ? r->short_text : "[]");
    }
    engine *e = r->e;
    free(r->idem.response);
    free(r->short_text);
    free(r);
    atomic_fetch_sub(&e->units_pending, 1);
}

/*
 * ST_ESHORT: nothing of the unit was written.  A new placement is refused to its caller
 * (once its Idempotency-Key holds the refusal, so the same request gets the same answer); a
 * placement decided later (placement_retry) is rejected instead, having no caller waiting.
 */
static void short_refusal(es_unit *c)
{
    char *text = eng_stock_short(c->moves, c->nmoves);
    if (c->unit.expect_version != 0) {
        char reason[256];
        snprintf(reason, sizeof(reason), "insufficient stock: %s", text ? text : "[]");
        eng_msg *m = eng_msg_new(MSG_INPUT, c->ce->id);
        if (m != NULL) {
            snprintf(m->input, sizeof(m->input), "%s", lc_input_name(LC_IN_REJECT));
            m->data = json_pack("{s:s}", "reason", reason);
            eng_post(c->e, m);
        }
        if (c->reply != NULL)
            c->reply(c->arg, ENG_ESHORT, NULL, text ? text : "[]");
        free(text);
        return;
    }
    short_record *r = c->has_idem ? calloc(1, sizeof(*r)) : NULL;
    if (r != NULL) {
        r->e = c->e;
        r->idem = c->idem;
        r->idem.response = eng_stock_refusal(text);
        r->idem.status = 409;
        r->idem.created_ms = eng_now_ms();
        r->short_text = text;
        r->reply = c->reply;
        r->arg = c->arg;
        r->unit = (st_unit){.idem = &r->idem, .done = short_recorded, .arg = r};
        atomic_fetch_add(&c->e->units_pending, 1);
        if (r->idem.response != NULL && store_submit(c->e->o.store, &r->unit) == 0)
            return;
        r->reply = NULL; /* answered below, as if there were no key */
        short_recorded(r, -1, "cannot record the refusal");
        text = eng_stock_short(c->moves, c->nmoves);
    }
    if (c->reply != NULL)
        c->reply(c->arg, ENG_ESHORT, NULL, text ? text : "[]");
    free(text);
}

/* Runs on the store's writer thread once the unit is durable (or failed). */
static void on_durable(void *arg, int rc, const char *error)
{
    es_unit *c = arg;
    if (c->has_update)
        eng_running_remove(c->e, c->update.id); /* settled (or, on failure, claimable again) */
    if (rc == ST_ESHORT) {
        atomic_store(&c->ce->stale, 1);
        atomic_fetch_sub(&c->ce->pending, 1);
        short_refusal(c);
        engine *e = c->e;
        es_unit_free(c);
        atomic_fetch_sub(&e->units_pending, 1);
        return;
    }
    if (rc == 0 && c->nmoves > 0) {
        /* Known only now, from the store's answer: journaled by a unit of its own. */
        json_t *low = eng_stock_low(c->moves, c->nmoves);
        eng_msg *m = low != NULL ? eng_msg_new(MSG_STOCK_LOW, c->ce->id) : NULL;
        if (m != NULL) {
            m->data = low;
            eng_post(c->e, m);
        } else {
            json_decref(low);
        }
    }
    if (rc == ST_EOVERREFUND) {
        /* Less remained than this copy of the order thought: nothing was written, and
         * the next input reloads the order. */
        atomic_store(&c->ce->stale, 1);
        atomic_fetch_sub(&c->ce->pending, 1);
        for (size_t i = 0; i < c->nmoney; i++) {
            if (c->money[i].refused)
                c->refundable = c->money[i].refundable;
        }
        log_warn("order %s: %s", c->ce->id, error ? error : "refund refused");
        es_reply_overrefund(c, error);
        engine *e = c->e;
        es_unit_free(c);
        atomic_fetch_sub(&e->units_pending, 1);
        return;
    }
    if (rc == ST_EEXIST && c->has_idem) {
        /* The key was recorded meanwhile (the same request twice at once): the caller
         * answers from the record; nothing of this unit was written. */
        atomic_store(&c->ce->stale, 1);
        atomic_fetch_sub(&c->ce->pending, 1);
        if (c->reply != NULL)
            c->reply(c->arg, ENG_EIDEM, NULL, "idempotency key recorded meanwhile");
        engine *e = c->e;
        es_unit_free(c);
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
        es_unit_free(c);
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
    es_unit_free(c);
    atomic_fetch_sub(&e->units_pending, 1);
}

const char *es_seller_id(const es_unit *c)
{
    return json_string_value(json_object_get(json_object_get(c->snapshot, "seller"), "id"));
}

int64_t es_ship_by_ms(const json_t *snapshot)
{
    const json_t *sla = json_object_get(snapshot, "sla");
    json_int_t due = json_integer_value(json_object_get(sla, "ship_by_ms"));
    if (json_object_get(sla, "stopped_ms") != NULL && json_object_get(sla, "breached_ms") == NULL)
        return 0;
    return due > 0 ? (int64_t)due : 0;
}

void es_reply_overrefund(es_unit *c, const char *why)
{
    if (c->reply == NULL)
        return;
    json_t *j = json_pack("{s:s, s:I}", "error", why ? why : "refund refused", "refundable",
                          (json_int_t)c->refundable);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    c->reply(c->arg, ENG_EOVERREFUND, c->ce->state, text ? text : why);
    free(text);
}

void es_submit(es_unit *c)
{
    if (!c->changed && !c->has_update && c->fired == 0 && c->nactions == 0) {
        if (c->reply != NULL)
            c->reply(c->arg, 0, c->state, NULL);
        es_unit_free(c);
        return;
    }
    st_unit *u = &c->unit;
    if (c->changed || c->nactions > 0 || c->ntimers > 0) {
        st_order *o = &c->order;
        snprintf(o->id, sizeof(o->id), "%s", c->ce->id);
        snprintf(o->state, sizeof(o->state), "%s", c->state);
        const char *seller = es_seller_id(c);
        snprintf(o->seller_id, sizeof(o->seller_id), "%s", seller ? seller : "");
        o->ship_by_ms = es_ship_by_ms(c->snapshot);
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
    u->stock_moves = c->moves;
    u->stock_move_count = c->nmoves;
    u->stock_untracked_refuse = c->stock_refuse;
    u->money_moves = c->money;
    u->money_move_count = c->nmoney;
    u->done = on_durable;
    u->arg = c;
    atomic_fetch_add(&c->ce->pending, 1);
    atomic_fetch_add(&c->e->units_pending, 1);
    if (store_submit(c->e->o.store, u) != 0)
        on_durable(c, -1, "the store is closing");
}
