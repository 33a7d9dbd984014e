/*
 * es_msg - one message applied to one order, on the worker that owns the order: find the
 * order (or refuse), run the handler for the message's kind (a placement, an input, an
 * action's answer, a due timer, a reservation that took stock below its low threshold),
 * and submit what it built as one store unit.
 */
#include "config.h"

#include "es_msg.h"

#include "cache.h"
#include "eng_clock.h"
#include "eng_queue.h"
#include "eng_running.h"
#include "es_route.h"
#include "es_settle.h"
#include "es_step.h"
#include "es_subflow.h"
#include "es_tracking.h"
#include "es_unit.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * After the placement chain ran: reject, validate, or - when a filter could not decide -
 * stay "placed" and ask again after a backoff, until max_attempts, then reject.
 */
static void placement_decision(es_unit *c)
{
    if (c->retry_placement) {
        json_t *eng = json_object_get(c->snapshot, "_engine");
        int64_t tries = json_integer_value(json_object_get(eng, "placement_attempts")) + 1;
        json_object_set_new(eng, "placement_attempts", json_integer(tries));
        c->changed = 1;
        if (tries < c->e->o.max_attempts) {
            es_add_timer(c, "placement_retry",
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
        es_step(c, lc_input_name(LC_IN_REJECT), why);
        json_decref(why);
    } else {
        es_step(c, lc_input_name(LC_IN_VALIDATE), NULL);
    }
}

static int place(es_unit *c)
{
    if (es_step(c, lc_input_name(LC_IN_PLACE), NULL) != 0)
        return -1;
    placement_decision(c);
    return 0;
}

static void timer_due(es_unit *c, eng_msg *m)
{
    c->fired = m->timer_id;
    if (strcmp(m->timer_name, "placement_retry") == 0) {
        /* The same occurrence of order.placed: its actions keep their idempotency keys. */
        json_t *none = json_object();
        if (lc_state_from_name(LC_ORDER, c->state) == LC_PLACED &&
            es_route_event(c, "order.placed", 1, none) == 0)
            placement_decision(c);
        json_decref(none);
        return;
    }
    if (es_subflow_timer(c, m->timer_name)) {
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
        es_add_action(c, inst->id, "track", "track_poll", es_occurrence(c, "track_poll"),
                   shipment);
        return;
    }
    const lc_timer_row *r = lc_timer_info(timer);
    /* The cancellation says why, as a buyer's or seller's cancel input would. */
    json_t *data = timer == LC_T_SLA_CANCEL
                       ? json_pack("{s:s}", "reason", "sla.ship_by_breached") : NULL;
    if (r != NULL && !r->per_subflow && r->fires != LC_NO_INPUT &&
        es_step(c, lc_input_name(r->fires), data) != 0)
        log_info("order %s: timer %s ignored: %s", c->ce->id, m->timer_name, c->error);
    json_decref(data);
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
        eng_running_remove(w->e, m->action_id);
    eng_msg_free(m);
}

/* MSG_PLACE: 0, or -1 when even the placement could not be built (the reply is sent). */
static int placed(es_unit *c, const eng_msg *m)
{
    if (m->idem_key[0] != '\0') {
        c->has_idem = 1;
        snprintf(c->idem.key, sizeof(c->idem.key), "%s", m->idem_key);
        snprintf(c->idem.request_hash, sizeof(c->idem.request_hash), "%s", m->request_hash);
    }
    if (place(c) == 0)
        return 0;
    if (c->reply)
        c->reply(c->arg, -1, NULL, c->error);
    return -1;
}

/* MSG_INPUT: 0, or -1 refused (the reply is sent; nothing of it is written). */
static int input(es_unit *c, const eng_msg *m)
{
    if (strcmp(m->input, "track_result") == 0 &&
        !json_is_object(json_object_get(c->snapshot, "shipment"))) {
        snprintf(c->error, sizeof(c->error), "the order has no shipment to track");
    } else if (strcmp(m->input, "track_result") == 0) {
        es_track_apply(c, m->data); /* a carrier's webhook: like a poll's answer */
        return 0;
    }
    if (c->error[0] == '\0' && es_step(c, m->input, m->data) == 0)
        return 0;
    if (c->overrefund)
        es_reply_overrefund(c, c->error);
    else if (c->reply)
        c->reply(c->arg, ENG_EREFUSED, c->ce->state, c->error);
    return -1;
}

void es_apply_msg(worker *w, eng_msg *m)
{
    if (m->kind == MSG_RUN) {
        /* A step of an action's run writes nothing itself: its outcome comes back as
         * MSG_ACTION. */
        m->run(w, m->run_arg);
        eng_msg_free(m);
        return;
    }
    cache_entry *ce = order_for(w, m);
    if (ce == NULL) {
        drop_msg(w, m);
        return;
    }
    /* A placement's entry is new and replaced (or dropped) with this unit: no copy needed. */
    es_unit *c = es_unit_new(w, ce, m->kind == MSG_PLACE, m->reply, m->arg);
    if (c == NULL) {
        if (m->reply)
            m->reply(m->arg, -1, NULL, "out of memory");
        drop_msg(w, m);
        return;
    }
    int refused = 0;
    switch (m->kind) {
    case MSG_PLACE:
        refused = placed(c, m);
        if (refused) {
            c->ce = NULL;
            cache_drop(w, ce);
        }
        break;
    case MSG_INPUT:
        refused = input(c, m);
        break;
    case MSG_ACTION:
        es_action_done(c, m);
        break;
    case MSG_TIMER:
        timer_due(c, m);
        break;
    case MSG_STOCK_LOW:
        c->changed = 1;
        if (es_emit(c, "inventory.low", "stock", m->data) != 0)
            log_error("order %s: inventory.low not journaled: %s", c->ce->id, c->error);
        break;
    case MSG_RUN:
        break; /* handled above */
    }
    eng_msg_free(m);
    if (refused) {
        es_unit_free(c);
        return;
    }
    es_submit(c);
    cache_trim(w);
}
