/*
 * lifecycle_table - the order lifecycle and its return and dispute sub-flows as data
 * (docs/architecture.md §4): every state, input, timer and transition is an enum value with
 * one row in lifecycle_table.c.  The engine, the router and the API name states and
 * inputs by these enums; the canonical strings (the ones in snapshots, journals, the API
 * and the docs) come from the rows only, so a state or input that has no row cannot be
 * used, and one that has a row is known everywhere at once.
 *
 * Lookups over the rows (lc_step, lc_is_final) are in lifecycle.h.
 */
#ifndef OH_LIFECYCLE_TABLE_H
#define OH_LIFECYCLE_TABLE_H

#include <orderhub/plugin.h>
#include <stddef.h>

typedef enum lc_machine { LC_ORDER = 0, LC_RETURN = 1, LC_DISPUTE = 2 } lc_machine;
#define LC_MACHINE_COUNT 3

/* States of all three machines, each machine's in the order the docs list them. */
typedef enum lc_state {
    LC_NO_STATE = 0,          /* ends a list; never a state */
    LC_NEW,                   /* "": not created yet (the order, a return, a dispute) */
    /* order */
    LC_PLACED,
    LC_AWAITING_PAYMENT,
    LC_AWAITING_SHIPMENT,
    LC_AWAITING_COLLECTION,
    LC_IN_TRANSIT,
    LC_DELIVERED,
    LC_COMPLETED,
    LC_REJECTED,
    LC_PAYMENT_FAILED,
    LC_CANCELLED,
    LC_DELIVERY_UNCONFIRMED,
    LC_REFUNDED,
    /* return */
    LC_RET_REQUESTED,
    LC_RET_APPROVED,
    LC_RET_REJECTED,
    LC_RET_LABEL_ISSUED,
    LC_RET_IN_TRANSIT,
    LC_RET_RECEIVED,
    LC_RET_INSPECTED,
    LC_RET_REFUNDED,
    LC_RET_EXCHANGED,
    /* dispute */
    LC_DIS_OPENED,
    LC_DIS_UNDER_REVIEW,
    LC_DIS_RESOLVED,
#ifdef LC_TEST_STATE
    /* Test builds only (check_lifecycle_test_state): an order state added by its rows
     * alone.  Last, so the library's own values stay as they are in that build. */
    LC_ON_HOLD,
#endif
    LC_STATE_COUNT
} lc_state;

/* What an order state allows besides its transitions. */
#define LC_RETURNABLE 1u  /* a return may be requested */
#define LC_DISPUTABLE 2u  /* a dispute may be opened */
#define LC_TRACKED 4u     /* the parcel is on its way: the carrier is polled */

typedef struct lc_state_row {
    lc_machine machine;
    const char *name;         /* canonical: "awaiting_shipment" */
    unsigned flags;           /* LC_RETURNABLE | LC_DISPUTABLE | LC_TRACKED */
} lc_state_row;

/* Inputs: commands from sellers and buyers, facts from plugins and timers. */
typedef enum lc_input {
    LC_NO_INPUT = 0,
    /* order */
    LC_IN_PLACE,
    LC_IN_VALIDATE,
    LC_IN_REJECT,
    LC_IN_PAYMENT_AUTHORIZED,
    LC_IN_PAYMENT_DECLINED,
    LC_IN_PAYMENT_RESUBMITTED,
    LC_IN_SELLER_NOTIFIED,
    LC_IN_ACKNOWLEDGE,
    LC_IN_SHIP_BY_WARNING,
    LC_IN_SHIP_BY_BREACHED,
    LC_IN_PACK,
    LC_IN_LABEL_CREATED,
    LC_IN_CANCEL,
    LC_IN_PAYMENT_TIMEOUT,
    LC_IN_PAYMENT_VOIDED,
    LC_IN_PAYMENT_REFUNDED,
    LC_IN_PAYMENT_CAPTURED,
    LC_IN_INFO_RECEIVED,
    LC_IN_IN_TRANSIT,
    LC_IN_OUT_FOR_DELIVERY,
    LC_IN_ATTEMPT_FAILED,
    LC_IN_AVAILABLE_FOR_PICKUP,
    LC_IN_EXCEPTION,
    LC_IN_RETURNED_TO_SENDER,
    LC_IN_DELIVERED,
    LC_IN_COMPLETE,
    LC_IN_DELIVERY_UNCONFIRMED,
    LC_IN_REFUND,
    /* return */
    LC_IN_RET_REQUEST,
    LC_IN_RET_APPROVE,
    LC_IN_RET_REJECT,
    LC_IN_RET_LABEL_CREATED,
    LC_IN_RET_IN_TRANSIT,
    LC_IN_RET_RECEIVED,
    LC_IN_RET_INSPECTED,
    LC_IN_RET_REFUND,
    LC_IN_RET_EXCHANGE,
    /* dispute */
    LC_IN_DIS_OPEN,
    LC_IN_DIS_REVIEW,
    LC_IN_DIS_RESOLVE,
#ifdef LC_TEST_STATE
    LC_IN_HOLD,
    LC_IN_RELEASE,
#endif
    LC_INPUT_COUNT
} lc_input;

#define LC_FROM_CARRIER 1u  /* a carrier's canonical tracking status of the same name */

typedef struct lc_input_row {
    lc_machine machine;
    const char *name;         /* canonical, sub-flows prefixed: "pack", "return.approve" */
    unsigned flags;           /* LC_FROM_CARRIER */
    const char *merge;        /* the snapshot member its data is merged into, or NULL */
    const char *payment;      /* what it says about the money (payment.status), or NULL */
    int payment_once;         /* a second report of that status is a repeat, refused */
} lc_input_row;

/* Timers an input starts or stops; each fires an input (or, track_poll, a carrier poll). */
typedef enum lc_timer {
    LC_NO_TIMER = 0,
    LC_T_SHIP_BY_WARNING,
    LC_T_SHIP_BY_BREACHED,
    LC_T_PAYMENT_TIMEOUT,
    LC_T_DELIVERY_CONFIRM,
    LC_T_TRACK_POLL,
    LC_T_COMPLETE,
    LC_T_RETURN_AUTO_APPROVE,
    LC_T_SLA_CANCEL,          /* a breach's cancellation, when the seller's policy says so */
    LC_TIMER_COUNT
} lc_timer;

/* What a timer's due time is counted from (the engine turns it into milliseconds). */
typedef enum lc_due {
    LC_DUE_SHIP_BY_75 = 0,    /* three quarters of sla.ship_by */
    LC_DUE_SHIP_BY,           /* sla.ship_by */
    LC_DUE_DELIVERY_CONFIRM,  /* sla.delivery_confirm */
    LC_DUE_PAYMENT_RETRY,     /* sla.payment_retry */
    LC_DUE_TRACK_POLL,        /* the engine's track_poll_ms */
    LC_DUE_RETURN_WINDOW,     /* sla.return_window */
    LC_DUE_RETURN_AUTO_APPROVE, /* sla.return_auto_approve */
    LC_DUE_SLA_CANCEL_GRACE   /* the seller's sla cancel_grace; not started at all when
                                 its on_breach is "record" */
} lc_due;

typedef struct lc_timer_row {
    const char *name;         /* stored name; a sub-flow's is followed by its id */
    int per_subflow;          /* one per return: "return_auto_approve:RID" */
    lc_due due;
    lc_input fires;           /* LC_NO_INPUT: the engine acts itself (a carrier poll) */
} lc_timer_row;

/* Facts a guard may look at, taken from the order snapshot by the caller. */
typedef struct lc_facts {
    int acknowledged; /* the seller acknowledged the order */
} lc_facts;

typedef enum lc_guard {
    LC_ALWAYS = 0,
    LC_IF_ACKNOWLEDGED,    /* the seller acknowledged first (pack) */
    LC_IF_NOT_ACKNOWLEDGED /* only once (acknowledge) */
} lc_guard;

#define LC_MAX_FROM 6
#define LC_MAX_EVENTS 4
#define LC_MAX_TIMERS 4

typedef struct lc_transition {
    lc_input input;
    lc_state from[LC_MAX_FROM];           /* legal in; LC_NEW = creation; 0-terminated */
    lc_guard guard;
    lc_state to;                          /* LC_NO_STATE: stay in the current state */
    const char *events[LC_MAX_EVENTS];    /* canonical names (events.c), NULL-terminated */
    lc_timer starts[LC_MAX_TIMERS];       /* set (or reset), 0-terminated */
    lc_timer stops[LC_MAX_TIMERS];        /* cancelled, 0-terminated */
} lc_transition;

/* What a plugin of `kind` does when a route runs it on `event`, and when it does it. */
typedef struct lc_event_op {
    const char *event;
    oh_plugin_kind kind;
    const char *operation;    /* "authorize", "label", ... */
    const char *only_field;   /* when set: only if the event's data has ... */
    const char *only_value;   /* ... this value in that member */
} lc_event_op;

/* The rows.  Each returns NULL (or LC_NO_*) for a value out of range. */
const lc_state_row *lc_state_info(lc_state s);
const lc_input_row *lc_input_info(lc_input in);
const lc_timer_row *lc_timer_info(lc_timer t);
const lc_transition *lc_transitions(size_t *count);
const lc_event_op *lc_event_ops(size_t *count);

/* The machine's prefix on input names: "", "return.", "dispute.". */
const char *lc_machine_prefix(lc_machine m);

#endif
