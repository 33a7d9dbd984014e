/*
 * es_settle - one attempt of an outbound action answered: its record finished, retried
 * later or dead-lettered, and a successful answer applied to the order (an input, a
 * quote, a tracking result, a label's documents).
 */
#include "config.h"

#include "es_settle.h"

#include "eng_clock.h"
#include "eng_stats.h"
#include "es_step.h"
#include "es_tracking.h"
#include "log/log.h"

#include <stdio.h>
#include <string.h>

/* The outcome of one attempt of an action: finish it, retry it later, or dead-letter it. */
static void settle_action(es_unit *c, const eng_msg *m)
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
        eng_stats_attempt(c->e, m->action_instance, 0);
        c->update.status = ST_ACTION_DONE;
    } else if (m->action_rc == OH_RETRY && c->update.attempts < c->e->o.max_attempts) {
        eng_stats_attempt(c->e, m->action_instance, 1);
        c->update.status = ST_ACTION_PENDING;
        c->update.next_at_ms = eng_now_ms() + ex_backoff_ms(c->update.attempts,
                                                            c->e->o.backoff_base_ms,
                                                            c->e->o.backoff_max_ms,
                                                            m->retry_after_ms);
        log_warn("order %s: %s/%s attempt %d failed, retrying: %s", m->order_id,
                 m->action_instance, m->action_op, c->update.attempts, m->action_error);
    } else {
        eng_stats_attempt(c->e, m->action_instance, 2);
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
static void void_late_authorization(es_unit *c, const eng_msg *m)
{
    struct oh_instance *inst = rt_instance(c->gen, m->action_instance);
    const char *tx = json_string_value(json_object_get(m->data, "transaction_id"));
    if (inst == NULL || tx == NULL)
        return;
    json_t *payment = json_object_get(c->snapshot, "payment");
    if (json_is_object(payment))
        json_object_set_new(payment, "transaction_id", json_string(tx));
    c->changed = 1;
    es_add_action(c, inst->id, "void", "late_authorization",
               es_occurrence(c, "late_authorization"), m->data);
    log_warn("order %s: authorization %s arrived after the cancellation; voiding it",
             c->ce->id, tx);
}

/*
 * A label was recorded: its documents are stored with the same unit, and an outbound
 * label's tracking number points to the order, so the carrier's webhooks find it.
 */
static void keep_label(es_unit *c, eng_msg *m)
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

/*
 * The seller was told of the confirmation.  A notification that settles after the order
 * moved on, or a second seller notifier on the same event, journals nothing: that is no
 * failure.
 */
static int seller_notified_due(const es_unit *c)
{
    const json_t *seen = json_object_get(
        json_object_get(json_object_get(c->snapshot, "_engine"), "occurrences"),
        "seller.notified");
    return lc_state_from_name(LC_ORDER, c->state) == LC_AWAITING_SHIPMENT &&
           json_integer_value(seen) == 0;
}

void es_action_done(es_unit *c, eng_msg *m)
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
        es_track_schedule(c);
    if (m->action_rc != OH_OK || m->input[0] == '\0')
        return;
    if (tracked) {
        es_track_apply(c, m->data);
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
    if (in == LC_IN_SELLER_NOTIFIED && !seller_notified_due(c))
        return;
    if (in == LC_IN_PAYMENT_AUTHORIZED &&
        lc_state_from_name(LC_ORDER, c->state) == LC_CANCELLED) {
        void_late_authorization(c, m);
        return;
    }
    /* Other late answers for an order that moved on change nothing. */
    if (es_step(c, m->input, m->data) != 0) {
        log_warn("order %s: result of %s/%s not applied: %s", c->ce->id, m->action_instance,
                 m->action_op, c->error);
        return;
    }
    if (in == LC_IN_LABEL_CREATED || in == LC_IN_RET_LABEL_CREATED)
        keep_label(c, m);
}
