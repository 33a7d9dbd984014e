/*
 * step_int - what order_step.c and subflow.c share: the unit being built for one message
 * and the steps that add to it.  Internal to the engine.
 */
#ifndef OH_STEP_INT_H
#define OH_STEP_INT_H

#include "engine_int.h"

#define MAX_EVENTS 16
#define MAX_ACTIONS 32
#define MAX_TIMERS 8

typedef struct unit_ctx {
    engine *e;
    worker *w;
    cache_entry *ce;
    rt_gen *gen;                  /* reference held until the unit is durable */
    json_t *snapshot;             /* working copy; becomes ce->snapshot on submit */
    char state[ST_NAME_MAX];
    int changed;                  /* the order itself changed (snapshot/state/events) */
    int rejected;                 /* a placement filter refused the order */
    char reject_reason[256];
    st_unit unit;
    st_order order;
    st_event events[MAX_EVENTS];
    size_t nevents;
    st_action actions[MAX_ACTIONS];
    size_t nactions;
    st_action_update update;
    char update_error[ST_ERROR_MAX];
    int has_update;
    st_timer timers[MAX_TIMERS];
    size_t ntimers;
    char cancel_names[MAX_TIMERS][ST_NAME_MAX];
    const char *cancel[MAX_TIMERS];   /* points into cancel_names */
    size_t ncancel;
    int retry_placement;          /* a placement filter could not decide yet */
    st_idem idem;                 /* the placement's idempotency record, if keyed */
    int has_idem;
    int64_t fired;
    st_document *docs;            /* owned: documents written with this unit */
    size_t ndocs;
    st_tracking tracking;         /* a label's number, written with this unit ... */
    char tracking_carrier[ST_ID_MAX];
    char tracking_number[ST_ID_MAX];
    int has_tracking;             /* ... when set */
    eng_reply_fn reply;
    void *arg;
    char error[512];
} unit_ctx;

/* step - one order state machine input; 0, or -1 with c->error set. */
int step(unit_ctx *c, const char *input, const json_t *data);

/* add_event - journal `name` and route it through its chains.  0 / -1. */
int add_event(unit_ctx *c, const char *name, const char *input, const json_t *data);

/* add_timer / cancel_timer - set (replacing one of the same name) or delete a timer. */
int add_timer(unit_ctx *c, const char *name, int64_t due);
void cancel_timer(unit_ctx *c, const char *name);

/* apply_timers - the timers transition t starts and stops; a sub-flow's carry `suffix`
 * (its id) after their name. */
void apply_timers(unit_ctx *c, const lc_transition *t, const char *suffix);

/* route_event - run `event`'s chains: local filters now, other steps as actions. */
int route_event(unit_ctx *c, const char *event, int64_t occurrence, const json_t *data);

/* subflow.c: inputs named "return.X" / "dispute.X"; 0 / -1 with c->error set. */
int step_subflow(unit_ctx *c, const char *input, const json_t *data);

/* subflow.c: a sub-flow timer ("return_auto_approve:ID"); 1 handled, 0 not one of them. */
int subflow_timer(unit_ctx *c, const char *timer_name);

/* tracking.c: a carrier's answer for the order's shipment ({"number", "status", "eta",
 * "events":[newest first], "proof"} as host_track_shipment_json makes it). */
void track_apply(unit_ctx *c, const json_t *data);
/* tracking.c: set the next poll by status and quiet polls, or expire the shipment. */
void track_schedule(unit_ctx *c);
/* tracking.c: the order states in which a parcel is tracked. */
int track_moving(const char *state);
int64_t track_poll_interval(int64_t base_ms, const char *status, int64_t quiet_polls);

#endif
