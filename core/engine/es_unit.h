/*
 * es_unit - the unit one message builds for one order: the working snapshot and state,
 * the events, actions, timers, an action's settlement, documents, a tracking number and
 * stock moves, all written as ONE store unit by es_submit.  The es_ files are the engine's step layer:
 *   es_msg      the kinds of message: which order, which handler, then submit
 *   es_step     one order input: guards, transition, snapshot, events, timers
 *   es_subflow  the same for returns and disputes
 *   es_route    an event journaled and run through its plugin chains
 *   es_timers   the timers a transition starts and stops, and when they fall due
 *   es_settle   an action's answer: its record settled, its result applied
 *   es_tracking a carrier's answer: scans, status, the next poll
 *   es_stock    the stock an input reserves, releases, sells or restocks
 *   es_money    the money an input authorizes, captures or refunds
 *   es_unit     (here) adding to the unit, writing it, its completion
 * Each file includes only the headers of files below it; this one is the bottom (below it
 * only the engine's shared plumbing: eng_clock.h, eng_queue.h, eng_running.h, eng_stats.h,
 * eng_stock.h).
 */
#ifndef OH_ES_UNIT_H
#define OH_ES_UNIT_H

#include "engine_int.h"
#include "engine/lifecycle.h"

#define ES_MAX_EVENTS 16
#define ES_MAX_ACTIONS 32
#define ES_MAX_TIMERS 8
#define ES_MAX_MONEY 8

typedef struct es_unit {
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
    st_event events[ES_MAX_EVENTS];
    size_t nevents;
    st_action actions[ES_MAX_ACTIONS];
    size_t nactions;
    st_action_update update;
    char update_error[ST_ERROR_MAX];
    int has_update;
    st_timer timers[ES_MAX_TIMERS];
    size_t ntimers;
    char cancel_names[ES_MAX_TIMERS][ST_NAME_MAX];
    const char *cancel[ES_MAX_TIMERS];   /* points into cancel_names */
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
    st_stock_move *moves;         /* owned: the order's lines acting on stock (es_stock) */
    size_t nmoves;
    int stock_refuse;             /* a RESERVE of a SKU with no stock record is short */
    json_t *stock_lines;          /* owned: what moved, for the inventory.* events' data */
    st_money_move money[ES_MAX_MONEY]; /* the order's money: authorize, capture, refund */
    size_t nmoney;
    int overrefund;               /* a refund beyond what remains refused the input ... */
    int64_t refundable;           /* ... and what did remain */
    eng_reply_fn reply;
    void *arg;
    char error[512];
} es_unit;

/*
 * es_unit_new - a unit for order `ce` on worker w, answering `reply` (may be NULL) when
 * durable.  `share` (a placement: the entry is new and replaced with this unit) works on
 * ce's snapshot itself instead of a copy.  NULL when out of memory.
 */
es_unit *es_unit_new(worker *w, cache_entry *ce, int share, eng_reply_fn reply, void *arg);

/* es_unit_free - a unit not submitted (or completed); NULL: no-op. */
void es_unit_free(es_unit *c);

/* es_add_timer / es_cancel_timer - set (replacing one of the same name) or delete a
 * timer of the order.  es_add_timer: 0, or -1 when the unit has no room. */
int es_add_timer(es_unit *c, const char *name, int64_t due);
void es_cancel_timer(es_unit *c, const char *name);

/* es_seller_id - the order's seller.id, or NULL. */
const char *es_seller_id(const es_unit *c);

/* es_ship_by_ms - the ship-by deadline the store lists the order by (st_order.ship_by_ms):
 * the snapshot's sla.ship_by_ms while the clock runs or once it was breached; else 0. */
int64_t es_ship_by_ms(const json_t *snapshot);

/* es_occurrence - count one more `event` of this order (kept in the snapshot) and return
 * the count: part of idempotency keys. */
int64_t es_occurrence(es_unit *c, const char *event);

/*
 * es_add_action - an outbound action for the instance called `instance` (looked up when
 * it runs: one not configured then is dead-lettered, and can be replayed once it is),
 * keyed by the order, event occurrence, instance and op.  0, or -1 with c->error set.
 */
int es_add_action(es_unit *c, const char *instance, const char *op, const char *event,
                  int64_t occurrence, const json_t *data);

/*
 * es_add_notification - es_add_action for a notifier, whose payload also names the
 * audience ("buyer", "seller" or "operator") decided now: a reload before it runs does not
 * change who it is for.
 */
int es_add_notification(es_unit *c, const char *instance, const char *op, const char *event,
                        int64_t occurrence, const json_t *data, const char *audience);

/*
 * es_reply_overrefund - answer the caller ENG_EOVERREFUND: `why` and c->refundable as the
 * JSON object the API sends.
 */
void es_reply_overrefund(es_unit *c, const char *why);

/*
 * es_submit - hand the unit to the store (or answer at once when it holds nothing to
 * write); the reply runs once it is durable.  Takes c.
 */
void es_submit(es_unit *c);

#endif
