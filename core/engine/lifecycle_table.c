/*
 * lifecycle_table - the rows of the lifecycle (see lifecycle_table.h).  Data only.
 *
 * ADDING A STATE (to the order machine; a return or dispute state alike):
 *   1. lifecycle_table.h: its enum value in lc_state, among its machine's states, where
 *      the docs list it; and an lc_input value for each new input that leads in or out.
 *   2. here: one row in `states` (machine, canonical name, LC_RETURNABLE/LC_DISPUTABLE/
 *      LC_TRACKED as it allows), one row in `inputs` per new input (name, snapshot member
 *      its data is merged into, payment status), and the rows in `transitions` that lead
 *      into and out of it (from, guard, to, events, timers started and stopped); a new
 *      event name also goes into events.c's vocabulary and, if money or a carrier acts on
 *      it, into `event_ops` here.
 *   3. docs/api.md: the name in the state list (tests/lifecycle_docs.sh fails until it is).
 *   4. tests/check_lifecycle.c: a walk through its transitions.
 * Nothing else: the engine, the router, sub-flows, tracking and the API read these rows.
 * An input the API exposes also needs its action row in core/api/order_actions.c (path,
 * roles, body check) and docs/api.md's action table.  check_lifecycle_test_state builds the
 * table with -DLC_TEST_STATE, which adds "on_hold" by steps 1 and 2 alone.
 */
#include "config.h"

#include "lifecycle_table.h"

#define FROM(...) {__VA_ARGS__}
#define EV(...) {__VA_ARGS__, NULL}
#define NOEV {NULL}
#define TIMERS(...) {__VA_ARGS__}

/* Shipment scans while the parcel moves: state kept, the scan journaled. */
#define MOVING LC_AWAITING_COLLECTION, LC_IN_TRANSIT

static const lc_state_row states[LC_STATE_COUNT] = {
    [LC_NEW] = {LC_ORDER, "", 0},
    [LC_PLACED] = {LC_ORDER, "placed", 0},
    [LC_AWAITING_PAYMENT] = {LC_ORDER, "awaiting_payment", 0},
    [LC_AWAITING_SHIPMENT] = {LC_ORDER, "awaiting_shipment", LC_DISPUTABLE},
    [LC_AWAITING_COLLECTION] = {LC_ORDER, "awaiting_collection", LC_DISPUTABLE | LC_TRACKED},
    [LC_IN_TRANSIT] = {LC_ORDER, "in_transit", LC_DISPUTABLE | LC_TRACKED},
    [LC_DELIVERED] = {LC_ORDER, "delivered", LC_RETURNABLE | LC_DISPUTABLE},
    [LC_COMPLETED] = {LC_ORDER, "completed", LC_RETURNABLE | LC_DISPUTABLE},
    [LC_REJECTED] = {LC_ORDER, "rejected", 0},
    [LC_PAYMENT_FAILED] = {LC_ORDER, "payment_failed", 0},
    [LC_CANCELLED] = {LC_ORDER, "cancelled", LC_DISPUTABLE},
    [LC_DELIVERY_UNCONFIRMED] = {LC_ORDER, "delivery_unconfirmed", LC_DISPUTABLE},
    [LC_REFUNDED] = {LC_ORDER, "refunded", 0},
#ifdef LC_TEST_STATE
    [LC_ON_HOLD] = {LC_ORDER, "on_hold", LC_DISPUTABLE},
#endif
    [LC_RET_REQUESTED] = {LC_RETURN, "requested", 0},
    [LC_RET_APPROVED] = {LC_RETURN, "approved", 0},
    [LC_RET_REJECTED] = {LC_RETURN, "rejected", 0},
    [LC_RET_LABEL_ISSUED] = {LC_RETURN, "label_issued", 0},
    [LC_RET_IN_TRANSIT] = {LC_RETURN, "in_transit", 0},
    [LC_RET_RECEIVED] = {LC_RETURN, "received", 0},
    [LC_RET_INSPECTED] = {LC_RETURN, "inspected", 0},
    [LC_RET_REFUNDED] = {LC_RETURN, "refunded", 0},
    [LC_RET_EXCHANGED] = {LC_RETURN, "exchanged", 0},
    [LC_DIS_OPENED] = {LC_DISPUTE, "opened", 0},
    [LC_DIS_UNDER_REVIEW] = {LC_DISPUTE, "under_review", 0},
    [LC_DIS_RESOLVED] = {LC_DISPUTE, "resolved", 0},
};

#define SHIPMENT LC_FROM_CARRIER, "shipment"

static const lc_input_row inputs[LC_INPUT_COUNT] = {
    [LC_IN_PLACE] = {LC_ORDER, "place", 0, NULL, NULL, 0},
    [LC_IN_VALIDATE] = {LC_ORDER, "validate", 0, NULL, NULL, 0},
    [LC_IN_REJECT] = {LC_ORDER, "reject", 0, "rejection", NULL, 0},
    [LC_IN_PAYMENT_AUTHORIZED] = {LC_ORDER, "payment_authorized", 0, "payment", "authorized", 0},
    [LC_IN_PAYMENT_DECLINED] = {LC_ORDER, "payment_declined", 0, "payment", "declined", 0},
    [LC_IN_PAYMENT_RESUBMITTED] = {LC_ORDER, "payment_resubmitted", 0, "payment", NULL, 0},
    [LC_IN_SELLER_NOTIFIED] = {LC_ORDER, "seller_notified", 0, NULL, NULL, 0},
    [LC_IN_ACKNOWLEDGE] = {LC_ORDER, "acknowledge", 0, NULL, NULL, 0},
    [LC_IN_SHIP_BY_WARNING] = {LC_ORDER, "ship_by_warning", 0, NULL, NULL, 0},
    [LC_IN_SHIP_BY_BREACHED] = {LC_ORDER, "ship_by_breached", 0, NULL, NULL, 0},
    [LC_IN_PACK] = {LC_ORDER, "pack", 0, "fulfillment", NULL, 0},
    [LC_IN_LABEL_CREATED] = {LC_ORDER, "label_created", 0, "shipment", NULL, 0},
    [LC_IN_CANCEL] = {LC_ORDER, "cancel", 0, "cancellation", NULL, 0},
    [LC_IN_PAYMENT_TIMEOUT] = {LC_ORDER, "payment_timeout", 0, NULL, NULL, 0},
    [LC_IN_PAYMENT_VOIDED] = {LC_ORDER, "payment_voided", 0, "payment", "voided", 1},
    /* Its status (partially_refunded, refunded) is the refund's, set by es_money when the
     * refund was reserved: a payment may be refunded in several parts. */
    [LC_IN_PAYMENT_REFUNDED] = {LC_ORDER, "payment_refunded", 0, NULL, NULL, 0},
    [LC_IN_PAYMENT_CAPTURED] = {LC_ORDER, "payment_captured", 0, "payment", "captured", 1},
    [LC_IN_INFO_RECEIVED] = {LC_ORDER, "info_received", SHIPMENT, NULL, 0},
    [LC_IN_IN_TRANSIT] = {LC_ORDER, "in_transit", SHIPMENT, NULL, 0},
    [LC_IN_OUT_FOR_DELIVERY] = {LC_ORDER, "out_for_delivery", SHIPMENT, NULL, 0},
    [LC_IN_ATTEMPT_FAILED] = {LC_ORDER, "attempt_failed", SHIPMENT, NULL, 0},
    [LC_IN_AVAILABLE_FOR_PICKUP] = {LC_ORDER, "available_for_pickup", SHIPMENT, NULL, 0},
    [LC_IN_EXCEPTION] = {LC_ORDER, "exception", SHIPMENT, NULL, 0},
    [LC_IN_RETURNED_TO_SENDER] = {LC_ORDER, "returned_to_sender", SHIPMENT, NULL, 0},
    [LC_IN_DELIVERED] = {LC_ORDER, "delivered", SHIPMENT, NULL, 0},
    [LC_IN_COMPLETE] = {LC_ORDER, "complete", 0, NULL, NULL, 0},
    [LC_IN_DELIVERY_UNCONFIRMED] = {LC_ORDER, "delivery_unconfirmed", 0, NULL, NULL, 0},
    [LC_IN_REFUND] = {LC_ORDER, "refund", 0, "payment", NULL, 0},
#ifdef LC_TEST_STATE
    [LC_IN_HOLD] = {LC_ORDER, "hold", 0, "hold", NULL, 0},
    [LC_IN_RELEASE] = {LC_ORDER, "release", 0, NULL, NULL, 0},
#endif
    [LC_IN_RET_REQUEST] = {LC_RETURN, "return.request", 0, NULL, NULL, 0},
    [LC_IN_RET_APPROVE] = {LC_RETURN, "return.approve", 0, NULL, NULL, 0},
    [LC_IN_RET_REJECT] = {LC_RETURN, "return.reject", 0, NULL, NULL, 0},
    [LC_IN_RET_LABEL_CREATED] = {LC_RETURN, "return.label_created", 0, NULL, NULL, 0},
    [LC_IN_RET_IN_TRANSIT] = {LC_RETURN, "return.in_transit", 0, NULL, NULL, 0},
    [LC_IN_RET_RECEIVED] = {LC_RETURN, "return.received", 0, NULL, NULL, 0},
    [LC_IN_RET_INSPECTED] = {LC_RETURN, "return.inspected", 0, NULL, NULL, 0},
    [LC_IN_RET_REFUND] = {LC_RETURN, "return.refund", 0, NULL, NULL, 0},
    [LC_IN_RET_EXCHANGE] = {LC_RETURN, "return.exchange", 0, NULL, NULL, 0},
    [LC_IN_DIS_OPEN] = {LC_DISPUTE, "dispute.open", 0, NULL, NULL, 0},
    [LC_IN_DIS_REVIEW] = {LC_DISPUTE, "dispute.review", 0, NULL, NULL, 0},
    [LC_IN_DIS_RESOLVE] = {LC_DISPUTE, "dispute.resolve", 0, NULL, NULL, 0},
};

static const lc_timer_row timers[LC_TIMER_COUNT] = {
    [LC_T_SHIP_BY_WARNING] = {"ship_by_warning", 0, LC_DUE_SHIP_BY_75, LC_IN_SHIP_BY_WARNING},
    [LC_T_SHIP_BY_BREACHED] = {"ship_by_breached", 0, LC_DUE_SHIP_BY, LC_IN_SHIP_BY_BREACHED},
    [LC_T_PAYMENT_TIMEOUT] = {"payment_timeout", 0, LC_DUE_PAYMENT_RETRY,
                              LC_IN_PAYMENT_TIMEOUT},
    [LC_T_DELIVERY_CONFIRM] = {"delivery_confirm", 0, LC_DUE_DELIVERY_CONFIRM,
                               LC_IN_DELIVERY_UNCONFIRMED},
    [LC_T_TRACK_POLL] = {"track_poll", 0, LC_DUE_TRACK_POLL, LC_NO_INPUT},
    [LC_T_COMPLETE] = {"complete", 0, LC_DUE_RETURN_WINDOW, LC_IN_COMPLETE},
    [LC_T_SLA_CANCEL] = {"sla_cancel", 0, LC_DUE_SLA_CANCEL_GRACE, LC_IN_CANCEL},
    [LC_T_RETURN_AUTO_APPROVE] = {"return_auto_approve:", 1, LC_DUE_RETURN_AUTO_APPROVE,
                                  LC_IN_RET_APPROVE},
};

#define SHIP_BY LC_T_SHIP_BY_WARNING, LC_T_SHIP_BY_BREACHED
/* What ends the seller's clock ends a breach's pending cancellation too. */
#define SHIP_BY_ALL SHIP_BY, LC_T_SLA_CANCEL

/* Rows are tried in this order; the refusal message lists the legal inputs in it too. */
static const lc_transition transitions[] = {
    /* ---- order: placement and payment ------------------------------------------------ */
    {LC_IN_PLACE, FROM(LC_NEW), LC_ALWAYS, LC_PLACED, EV("order.placed"), {0}, {0}},
    {LC_IN_VALIDATE, FROM(LC_PLACED), LC_ALWAYS, LC_AWAITING_PAYMENT,
     EV("order.validated", "inventory.reserved"), {0}, {0}},
    {LC_IN_REJECT, FROM(LC_PLACED), LC_ALWAYS, LC_REJECTED, EV("order.rejected"), {0}, {0}},
    {LC_IN_PAYMENT_AUTHORIZED, FROM(LC_AWAITING_PAYMENT), LC_ALWAYS, LC_AWAITING_SHIPMENT,
     EV("payment.authorized", "order.confirmed"), TIMERS(SHIP_BY), {0}},
    {LC_IN_PAYMENT_DECLINED, FROM(LC_AWAITING_PAYMENT), LC_ALWAYS, LC_PAYMENT_FAILED,
     EV("payment.failed"), TIMERS(LC_T_PAYMENT_TIMEOUT), {0}},
    {LC_IN_PAYMENT_RESUBMITTED, FROM(LC_PAYMENT_FAILED), LC_ALWAYS, LC_AWAITING_PAYMENT, NOEV,
     {0}, TIMERS(LC_T_PAYMENT_TIMEOUT)},
    {LC_IN_SELLER_NOTIFIED, FROM(LC_AWAITING_SHIPMENT), LC_ALWAYS, LC_NO_STATE,
     EV("seller.notified"), {0}, {0}},
    /* ---- order: the seller's part --------------------------------------------------- */
    {LC_IN_ACKNOWLEDGE, FROM(LC_AWAITING_SHIPMENT), LC_IF_NOT_ACKNOWLEDGED, LC_NO_STATE,
     EV("order.acknowledged"), {0}, {0}},
    {LC_IN_SHIP_BY_WARNING, FROM(LC_AWAITING_SHIPMENT), LC_ALWAYS, LC_NO_STATE,
     EV("sla.ship_by_warning"), {0}, {0}},
    {LC_IN_SHIP_BY_BREACHED, FROM(LC_AWAITING_SHIPMENT), LC_ALWAYS, LC_NO_STATE,
     EV("sla.ship_by_breached"), TIMERS(LC_T_SLA_CANCEL), {0}},
    {LC_IN_PACK, FROM(LC_AWAITING_SHIPMENT), LC_IF_ACKNOWLEDGED, LC_AWAITING_COLLECTION,
     EV("fulfillment.packed"), {0}, TIMERS(SHIP_BY_ALL)},
    {LC_IN_LABEL_CREATED, FROM(LC_AWAITING_COLLECTION), LC_ALWAYS, LC_NO_STATE,
     EV("shipment.label_created"), TIMERS(LC_T_DELIVERY_CONFIRM, LC_T_TRACK_POLL), {0}},
    {LC_IN_CANCEL, FROM(LC_AWAITING_PAYMENT, LC_PAYMENT_FAILED, LC_AWAITING_SHIPMENT),
     LC_ALWAYS, LC_CANCELLED, EV("order.cancelled", "inventory.released"), {0},
     TIMERS(SHIP_BY_ALL, LC_T_PAYMENT_TIMEOUT)},
    {LC_IN_PAYMENT_TIMEOUT, FROM(LC_PAYMENT_FAILED), LC_ALWAYS, LC_CANCELLED,
     EV("order.cancelled", "inventory.released"), {0}, {0}},
    /* ---- order: money moving after the fact (state kept) ---------------------------- */
    {LC_IN_PAYMENT_VOIDED, FROM(LC_CANCELLED), LC_ALWAYS, LC_NO_STATE, EV("payment.voided"),
     {0}, {0}},
    {LC_IN_PAYMENT_REFUNDED,
     FROM(LC_AWAITING_SHIPMENT, LC_AWAITING_COLLECTION, LC_IN_TRANSIT, LC_DELIVERED,
          LC_COMPLETED, LC_CANCELLED),
     LC_ALWAYS, LC_NO_STATE, EV("payment.refunded"), {0}, {0}},
    /* Captured on label creation by default; a gateway may capture at once (webhook). */
    {LC_IN_PAYMENT_CAPTURED,
     FROM(LC_AWAITING_SHIPMENT, LC_AWAITING_COLLECTION, LC_IN_TRANSIT, LC_DELIVERED,
          LC_COMPLETED),
     LC_ALWAYS, LC_NO_STATE, EV("payment.captured"), {0}, {0}},
    /* ---- order: carrier tracking ---------------------------------------------------- */
    {LC_IN_INFO_RECEIVED, FROM(LC_AWAITING_COLLECTION), LC_ALWAYS, LC_NO_STATE,
     EV("shipment.info_received"), {0}, {0}},
    {LC_IN_IN_TRANSIT, FROM(MOVING), LC_ALWAYS, LC_IN_TRANSIT, EV("shipment.in_transit"), {0},
     {0}},
    {LC_IN_OUT_FOR_DELIVERY, FROM(MOVING), LC_ALWAYS, LC_IN_TRANSIT,
     EV("shipment.out_for_delivery"), {0}, {0}},
    {LC_IN_ATTEMPT_FAILED, FROM(MOVING), LC_ALWAYS, LC_IN_TRANSIT,
     EV("shipment.attempt_failed"), {0}, {0}},
    {LC_IN_AVAILABLE_FOR_PICKUP, FROM(MOVING), LC_ALWAYS, LC_IN_TRANSIT,
     EV("shipment.available_for_pickup"), {0}, {0}},
    {LC_IN_EXCEPTION, FROM(MOVING), LC_ALWAYS, LC_NO_STATE, EV("shipment.exception"), {0},
     {0}},
    {LC_IN_RETURNED_TO_SENDER, FROM(MOVING), LC_ALWAYS, LC_NO_STATE,
     EV("shipment.returned_to_sender"), {0}, {0}},
    {LC_IN_DELIVERED, FROM(MOVING), LC_ALWAYS, LC_DELIVERED, EV("shipment.delivered"),
     TIMERS(LC_T_COMPLETE), TIMERS(LC_T_DELIVERY_CONFIRM, LC_T_TRACK_POLL)},
    /* ---- order: after delivery ------------------------------------------------------ */
    {LC_IN_COMPLETE, FROM(LC_DELIVERED), LC_ALWAYS, LC_COMPLETED, EV("order.completed"), {0},
     {0}},
    /* A parcel never scanned is as unconfirmed as one lost on the way. */
    {LC_IN_DELIVERY_UNCONFIRMED, FROM(MOVING), LC_ALWAYS, LC_DELIVERY_UNCONFIRMED,
     EV("delivery.unconfirmed"), {0}, TIMERS(LC_T_TRACK_POLL)},
    {LC_IN_REFUND, FROM(LC_DELIVERY_UNCONFIRMED), LC_ALWAYS, LC_REFUNDED,
     EV("payment.refunded", "seller.debited"), {0}, {0}},
#ifdef LC_TEST_STATE
    {LC_IN_HOLD, FROM(LC_AWAITING_SHIPMENT), LC_ALWAYS, LC_ON_HOLD, NOEV, {0},
     TIMERS(SHIP_BY_ALL)},
    {LC_IN_RELEASE, FROM(LC_ON_HOLD), LC_ALWAYS, LC_AWAITING_SHIPMENT, NOEV,
     TIMERS(SHIP_BY), {0}},
#endif
    /* ---- return sub-flow ------------------------------------------------------------ */
    {LC_IN_RET_REQUEST, FROM(LC_NEW), LC_ALWAYS, LC_RET_REQUESTED, EV("return.requested"),
     TIMERS(LC_T_RETURN_AUTO_APPROVE), {0}},
    {LC_IN_RET_APPROVE, FROM(LC_RET_REQUESTED), LC_ALWAYS, LC_RET_APPROVED,
     EV("return.approved"), {0}, TIMERS(LC_T_RETURN_AUTO_APPROVE)},
    {LC_IN_RET_REJECT, FROM(LC_RET_REQUESTED, LC_RET_INSPECTED), LC_ALWAYS, LC_RET_REJECTED,
     EV("return.rejected"), {0}, TIMERS(LC_T_RETURN_AUTO_APPROVE)},
    {LC_IN_RET_LABEL_CREATED, FROM(LC_RET_APPROVED), LC_ALWAYS, LC_RET_LABEL_ISSUED,
     EV("return.label_created"), {0}, {0}},
    {LC_IN_RET_IN_TRANSIT, FROM(LC_RET_LABEL_ISSUED), LC_ALWAYS, LC_RET_IN_TRANSIT,
     EV("return.in_transit"), {0}, {0}},
    {LC_IN_RET_RECEIVED, FROM(LC_RET_LABEL_ISSUED, LC_RET_IN_TRANSIT), LC_ALWAYS,
     LC_RET_RECEIVED, EV("return.received"), {0}, {0}},
    {LC_IN_RET_INSPECTED, FROM(LC_RET_RECEIVED), LC_ALWAYS, LC_RET_INSPECTED,
     EV("return.inspected"), {0}, {0}},
    {LC_IN_RET_REFUND, FROM(LC_RET_INSPECTED), LC_ALWAYS, LC_RET_REFUNDED,
     EV("return.refunded", "payment.refunded", "inventory.restocked"), {0}, {0}},
    {LC_IN_RET_EXCHANGE, FROM(LC_RET_INSPECTED), LC_ALWAYS, LC_RET_EXCHANGED,
     EV("return.exchanged", "inventory.restocked"), {0}, {0}},
    /* ---- dispute sub-flow ----------------------------------------------------------- */
    {LC_IN_DIS_OPEN, FROM(LC_NEW), LC_ALWAYS, LC_DIS_OPENED, EV("dispute.opened"), {0}, {0}},
    {LC_IN_DIS_REVIEW, FROM(LC_DIS_OPENED), LC_ALWAYS, LC_DIS_UNDER_REVIEW, NOEV, {0}, {0}},
    {LC_IN_DIS_RESOLVE, FROM(LC_DIS_OPENED, LC_DIS_UNDER_REVIEW), LC_ALWAYS, LC_DIS_RESOLVED,
     EV("dispute.resolved"), {0}, {0}},
};

/*
 * What money and carriers do on the events where events.c lets them act (filters check
 * and notifiers notify on every event).  Money goes back on an inspected return only when
 * its outcome is "refund", on a resolved dispute only when the resolution is "refund".
 */
static const lc_event_op event_ops[] = {
    {"order.placed", OH_KIND_PAYMENT, "authorize", NULL, NULL},
    {"order.validated", OH_KIND_PAYMENT, "authorize", NULL, NULL},
    {"order.cancelled", OH_KIND_PAYMENT, "void", NULL, NULL},
    {"shipment.label_created", OH_KIND_PAYMENT, "capture", NULL, NULL},
    {"order.confirmed", OH_KIND_PAYMENT, "capture", NULL, NULL}, /* a route capturing at once */
    {"delivery.unconfirmed", OH_KIND_PAYMENT, "refund", NULL, NULL},
    {"return.inspected", OH_KIND_PAYMENT, "refund", "outcome", "refund"},
    {"dispute.resolved", OH_KIND_PAYMENT, "refund", "resolution", "refund"},
    {"order.acknowledged", OH_KIND_CARRIER, "rate", NULL, NULL},
    {"fulfillment.packed", OH_KIND_CARRIER, "label", NULL, NULL},
    {"return.approved", OH_KIND_CARRIER, "label", NULL, NULL},
};

static const char *const prefixes[LC_MACHINE_COUNT] = {"", "return.", "dispute."};

const lc_state_row *lc_state_info(lc_state s)
{
    return s > LC_NO_STATE && s < LC_STATE_COUNT ? &states[s] : NULL;
}

const lc_input_row *lc_input_info(lc_input in)
{
    return in > LC_NO_INPUT && in < LC_INPUT_COUNT ? &inputs[in] : NULL;
}

const lc_timer_row *lc_timer_info(lc_timer t)
{
    return t > LC_NO_TIMER && t < LC_TIMER_COUNT ? &timers[t] : NULL;
}

const lc_transition *lc_transitions(size_t *count)
{
    *count = sizeof(transitions) / sizeof(transitions[0]);
    return transitions;
}

const lc_event_op *lc_event_ops(size_t *count)
{
    *count = sizeof(event_ops) / sizeof(event_ops[0]);
    return event_ops;
}

const char *lc_machine_prefix(lc_machine m)
{
    return (unsigned)m < LC_MACHINE_COUNT ? prefixes[m] : "";
}
