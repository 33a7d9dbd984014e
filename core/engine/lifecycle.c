#include "config.h"

#include "lifecycle.h"

#include <stdio.h>
#include <string.h>

#define FROM(...) {__VA_ARGS__}
#define EV(...) {__VA_ARGS__, NULL}
#define NOEV {NULL}

/* Shipment scans while the parcel moves: state kept, the scan journaled. */
#define MOVING "awaiting_collection", "in_transit"

static const lc_transition table[] = {
    /* ---- order: placement and payment ------------------------------------------------ */
    {LC_ORDER, "place", FROM(""), LC_ALWAYS, "placed", EV("order.placed")},
    {LC_ORDER, "validate", FROM("placed"), LC_ALWAYS, "awaiting_payment",
     EV("order.validated", "inventory.reserved")},
    {LC_ORDER, "reject", FROM("placed"), LC_ALWAYS, "rejected", EV("order.rejected")},
    {LC_ORDER, "payment_authorized", FROM("awaiting_payment"), LC_ALWAYS, "awaiting_shipment",
     EV("payment.authorized", "order.confirmed")},
    {LC_ORDER, "payment_declined", FROM("awaiting_payment"), LC_ALWAYS, "payment_failed",
     EV("payment.failed")},
    {LC_ORDER, "payment_resubmitted", FROM("payment_failed"), LC_ALWAYS, "awaiting_payment",
     NOEV},
    {LC_ORDER, "seller_notified", FROM("awaiting_shipment"), LC_ALWAYS, NULL,
     EV("seller.notified")},
    /* ---- order: the seller's part --------------------------------------------------- */
    {LC_ORDER, "acknowledge", FROM("awaiting_shipment"), LC_IF_NOT_ACKNOWLEDGED, NULL,
     EV("order.acknowledged")},
    {LC_ORDER, "ship_by_warning", FROM("awaiting_shipment"), LC_ALWAYS, NULL,
     EV("sla.ship_by_warning")},
    {LC_ORDER, "ship_by_breached", FROM("awaiting_shipment"), LC_ALWAYS, NULL,
     EV("sla.ship_by_breached")},
    {LC_ORDER, "pack", FROM("awaiting_shipment"), LC_IF_ACKNOWLEDGED, "awaiting_collection",
     EV("fulfillment.packed")},
    {LC_ORDER, "label_created", FROM("awaiting_collection"), LC_ALWAYS, NULL,
     EV("shipment.label_created")},
    {LC_ORDER, "cancel", FROM("awaiting_payment", "payment_failed", "awaiting_shipment"),
     LC_ALWAYS, "cancelled", EV("order.cancelled", "inventory.released")},
    {LC_ORDER, "payment_timeout", FROM("payment_failed"), LC_ALWAYS, "cancelled",
     EV("order.cancelled", "inventory.released")},
    /* ---- order: money moving after the fact (state kept) ---------------------------- */
    {LC_ORDER, "payment_voided", FROM("cancelled"), LC_ALWAYS, NULL, EV("payment.voided")},
    {LC_ORDER, "payment_refunded",
     FROM("awaiting_shipment", "awaiting_collection", "in_transit", "delivered", "completed",
          "cancelled"),
     LC_ALWAYS, NULL, EV("payment.refunded")},
    /* Captured on label creation by default; a gateway may capture at once (webhook). */
    {LC_ORDER, "payment_captured",
     FROM("awaiting_shipment", "awaiting_collection", "in_transit", "delivered", "completed"),
     LC_ALWAYS, NULL, EV("payment.captured")},
    /* ---- order: carrier tracking ---------------------------------------------------- */
    {LC_ORDER, "info_received", FROM("awaiting_collection"), LC_ALWAYS, NULL,
     EV("shipment.info_received")},
    {LC_ORDER, "in_transit", FROM(MOVING), LC_ALWAYS, "in_transit", EV("shipment.in_transit")},
    {LC_ORDER, "out_for_delivery", FROM(MOVING), LC_ALWAYS, "in_transit",
     EV("shipment.out_for_delivery")},
    {LC_ORDER, "attempt_failed", FROM(MOVING), LC_ALWAYS, "in_transit",
     EV("shipment.attempt_failed")},
    {LC_ORDER, "available_for_pickup", FROM(MOVING), LC_ALWAYS, "in_transit",
     EV("shipment.available_for_pickup")},
    {LC_ORDER, "exception", FROM(MOVING), LC_ALWAYS, NULL, EV("shipment.exception")},
    {LC_ORDER, "returned_to_sender", FROM(MOVING), LC_ALWAYS, NULL,
     EV("shipment.returned_to_sender")},
    {LC_ORDER, "delivered", FROM(MOVING), LC_ALWAYS, "delivered", EV("shipment.delivered")},
    /* ---- order: after delivery ------------------------------------------------------ */
    {LC_ORDER, "complete", FROM("delivered"), LC_ALWAYS, "completed", EV("order.completed")},
    /* A parcel never scanned is as unconfirmed as one lost on the way. */
    {LC_ORDER, "delivery_unconfirmed", FROM(MOVING), LC_ALWAYS, "delivery_unconfirmed",
     EV("delivery.unconfirmed")},
    {LC_ORDER, "refund", FROM("delivery_unconfirmed"), LC_ALWAYS, "refunded",
     EV("payment.refunded", "seller.debited")},
    /* ---- return sub-flow ------------------------------------------------------------ */
    {LC_RETURN, "request", FROM(""), LC_ALWAYS, "requested", EV("return.requested")},
    {LC_RETURN, "approve", FROM("requested"), LC_ALWAYS, "approved", EV("return.approved")},
    {LC_RETURN, "reject", FROM("requested", "inspected"), LC_ALWAYS, "rejected",
     EV("return.rejected")},
    {LC_RETURN, "label_created", FROM("approved"), LC_ALWAYS, "label_issued",
     EV("return.label_created")},
    {LC_RETURN, "in_transit", FROM("label_issued"), LC_ALWAYS, "in_transit",
     EV("return.in_transit")},
    {LC_RETURN, "received", FROM("label_issued", "in_transit"), LC_ALWAYS, "received",
     EV("return.received")},
    {LC_RETURN, "inspected", FROM("received"), LC_ALWAYS, "inspected", EV("return.inspected")},
    {LC_RETURN, "refund", FROM("inspected"), LC_ALWAYS, "refunded",
     EV("return.refunded", "payment.refunded", "inventory.restocked")},
    {LC_RETURN, "exchange", FROM("inspected"), LC_ALWAYS, "exchanged",
     EV("return.exchanged", "inventory.restocked")},
    /* ---- dispute sub-flow ----------------------------------------------------------- */
    {LC_DISPUTE, "open", FROM(""), LC_ALWAYS, "opened", EV("dispute.opened")},
    {LC_DISPUTE, "review", FROM("opened"), LC_ALWAYS, "under_review", NOEV},
    {LC_DISPUTE, "resolve", FROM("opened", "under_review"), LC_ALWAYS, "resolved",
     EV("dispute.resolved")},
};

static const char *const order_states[] = {
    "placed", "awaiting_payment", "awaiting_shipment", "awaiting_collection", "in_transit",
    "delivered", "completed", "rejected", "payment_failed", "cancelled",
    "delivery_unconfirmed", "refunded", NULL};
static const char *const return_states[] = {"requested", "approved", "rejected",
                                            "label_issued", "in_transit", "received",
                                            "inspected", "refunded", "exchanged", NULL};
static const char *const dispute_states[] = {"opened", "under_review", "resolved", NULL};

const char *const *lc_states(lc_machine m)
{
    return m == LC_ORDER ? order_states : m == LC_RETURN ? return_states : dispute_states;
}

const lc_transition *lc_table(size_t *count)
{
    *count = sizeof(table) / sizeof(table[0]);
    return table;
}

static int legal_from(const lc_transition *t, const char *state)
{
    for (size_t i = 0; i < LC_MAX_FROM && t->from[i] != NULL; i++) {
        if (strcmp(t->from[i], state) == 0)
            return 1;
    }
    return 0;
}

/* The table's own spelling of `state`, so *next never aliases the caller's buffer. */
static const char *static_name(lc_machine m, const char *state)
{
    for (const char *const *s = lc_states(m); *s != NULL; s++) {
        if (strcmp(*s, state) == 0)
            return *s;
    }
    return "unknown"; /* unreachable: a transition matched, so the state is the table's */
}

static int guard_passes(lc_guard g, const lc_facts *f)
{
    switch (g) {
    case LC_ALWAYS: return 1;
    case LC_IF_ACKNOWLEDGED: return f != NULL && f->acknowledged;
    case LC_IF_NOT_ACKNOWLEDGED: return f == NULL || !f->acknowledged;
    }
    return 0;
}

static const char *guard_text(lc_guard g)
{
    return g == LC_IF_ACKNOWLEDGED ? "the seller has not acknowledged the order"
                                   : "the seller already acknowledged the order";
}

/* The inputs legal in `state`, for the refusal message. */
static void legal_inputs(lc_machine m, const char *state, const lc_facts *f, char *buf,
                         size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]) && used < len; i++) {
        const lc_transition *t = &table[i];
        if (t->machine == m && legal_from(t, state) && guard_passes(t->guard, f)) {
            int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", t->input);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    if (used == 0)
        snprintf(buf, len, "none: it is final");
}

const lc_transition *lc_step(lc_machine m, const char *state, const char *input,
                             const lc_facts *facts, const char **next, char *err,
                             size_t errlen)
{
    const lc_transition *guarded = NULL;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const lc_transition *t = &table[i];
        if (t->machine != m || strcmp(t->input, input) != 0 || !legal_from(t, state))
            continue;
        if (!guard_passes(t->guard, facts)) {
            guarded = t;
            continue;
        }
        *next = t->to != NULL ? t->to : static_name(m, state);
        return t;
    }
    char legal[512];
    legal_inputs(m, state, facts, legal, sizeof(legal));
    if (guarded != NULL)
        snprintf(err, errlen, "'%s' is not allowed in state '%s': %s (allowed: %s)", input,
                 state, guard_text(guarded->guard), legal);
    else
        snprintf(err, errlen, "'%s' is not allowed in state '%s' (allowed: %s)", input,
                 *state ? state : "(new)", legal);
    return NULL;
}

int lc_is_final(lc_machine m, const char *state)
{
    lc_facts both[2] = {{.acknowledged = 0}, {.acknowledged = 1}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const lc_transition *t = &table[i];
        if (t->machine == m && legal_from(t, state) &&
            (guard_passes(t->guard, &both[0]) || guard_passes(t->guard, &both[1])))
            return 0;
    }
    return 1;
}
