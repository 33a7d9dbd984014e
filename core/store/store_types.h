/*
 * store_types - the types, records and limits of the store's interface (store.h): what the
 * engine hands to and gets from the store, and what a backend (store_backend.h) works on.
 * Apart from store.h so that the backend interface can use them without including the
 * front it sits behind.
 */
#ifndef OH_STORE_TYPES_H
#define OH_STORE_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define ST_ID_MAX 64      /* order ids, instance ids, timer names: at most 63 bytes */
#define ST_NAME_MAX 48    /* event names, states, operations */
/* A document's name: "return-" + a 63-byte return id + "-label-parcel-50" fits. */
#define ST_DOC_NAME_MAX 96
#define ST_KEY_MAX 256    /* idempotency keys: the API scopes them as "token name/key" */
#define ST_ERROR_MAX 256

typedef struct store store;

typedef struct store_options {
    const char *driver; /* the backend: NULL or "" = "sqlite", the only one of this build;
                           another name is refused by store_open */
    const char *path;   /* database file; created (with its directories, mode 0700) if
                           missing; borrowed for the call */
    int sync_full;      /* 1: synchronous=FULL (durable on power loss); 0: NORMAL */
    int max_batch;      /* most units per group commit; 0 = 256; negative is an error */
    int skip_check;     /* 1: no PRAGMA quick_check at open (the caller logs a warning);
                           0 (default): a file that fails it is refused */
    int init_empty;     /* 1: an EXISTING empty file (0 bytes, or an SQLite file with no
                           schema at all) becomes a new store; 0 (default): refused, since
                           an orderhub database is never empty (a truncated file, or a
                           wrong path).  A missing file is always created. */
} store_options;

/* ---- records ------------------------------------------------------------------------ */

typedef struct st_order {
    char id[ST_ID_MAX];
    char state[ST_NAME_MAX];
    char seller_id[ST_ID_MAX];
    int64_t version;      /* 1 on creation, +1 per committed change: the store writes
                             expect_version + 1 here when the unit commits */
    char *snapshot;       /* JSON text of the whole order, owned */
    int64_t created_ms;
    int64_t updated_ms;
    char created_by[ST_ID_MAX]; /* API token name that created the order ("" = unknown,
                                   e.g. created before schema 2); written on insert,
                                   ignored on update (may then be left zeroed) */
    int64_t ship_by_ms;   /* the ship-by deadline while it counts: set while the order
                             waits to be shipped, kept once breached; 0 = none (shipped in
                             time, cancelled before the breach, never paid, or written
                             before schema 9).  Written on insert and update. */
} st_order;

typedef struct st_event {
    int64_t seq;          /* assigned by the store: global, strictly increasing */
    char order_id[ST_ID_MAX];
    char name[ST_NAME_MAX];  /* canonical event name, e.g. "payment.authorized" */
    char *data;           /* JSON text (object), owned; may be NULL = {} (stored and
                             read back as NULL) */
    int64_t at_ms;
} st_event;

typedef enum st_action_status {
    ST_ACTION_PENDING = 0,  /* waiting for next_at_ms */
    ST_ACTION_CLAIMED = 1,  /* leased by a worker until lease_until_ms */
    ST_ACTION_DONE = 2,
    ST_ACTION_DEAD = 3      /* gave up: the dead-letter list */
} st_action_status;

/* As a new action in a unit, the store takes order_id, instance, operation, idem_key,
 * payload, attempts, next_at_ms, last_error and created_ms; it ignores status and the
 * lease (a new action is PENDING, unleased). */
typedef struct st_action {
    int64_t id;             /* assigned by the store on insert */
    char order_id[ST_ID_MAX];
    char instance[ST_ID_MAX];     /* plugin instance id */
    char operation[ST_NAME_MAX];  /* "authorize", "notify", "label", "track", ... */
    char idem_key[ST_KEY_MAX];    /* stable across retries and restarts; unique */
    char *payload;          /* JSON text the engine needs to run it, owned */
    int attempts;           /* attempts made so far */
    int64_t next_at_ms;     /* not before */
    st_action_status status;
    char lease_owner[ST_ID_MAX];
    int64_t lease_until_ms;
    char last_error[ST_ERROR_MAX];
    int64_t created_ms;
    int sent;               /* 1: a request of the current lease may have left for the
                               remote (store_actions_sending); read only */
} st_action;

/* A change to an existing action, applied inside a unit.  It releases the lease (the
 * lease owner is not checked).  An id that does not exist fails the unit (-1). */
typedef struct st_action_update {
    int64_t id;
    st_action_status status;  /* PENDING (retry later), DONE or DEAD; CLAIMED is refused */
    int attempts;             /* stored as given */
    int64_t next_at_ms;       /* for PENDING (stored as given for every status) */
    const char *error;        /* last error, borrowed; NULL keeps the previous one; cut to
                                 ST_ERROR_MAX - 1 bytes (at a UTF-8 boundary) */
} st_action_update;

typedef struct st_timer {
    int64_t id;               /* assigned by the store; never reused: a replaced timer gets
                                 a new id, so firing a stale id deletes nothing */
    char order_id[ST_ID_MAX];
    char name[ST_NAME_MAX];   /* "ship_by_warning", "delivery_confirm", ... */
    int64_t due_ms;
    char *data;               /* JSON text, owned, may be NULL */
    char lease_owner[ST_ID_MAX]; /* read only: who claimed it ("" = nobody) */
    int64_t lease_until_ms;   /* read only: when that claim ends (0 = never claimed) */
} st_timer;

/* Idempotency record of an accepted request (API Idempotency-Key). */
typedef struct st_idem {
    char key[ST_KEY_MAX];
    char request_hash[65];    /* hex SHA-256 of the request body */
    int status;               /* response status sent */
    char *response;           /* response body, owned */
    int64_t created_ms;
} st_idem;

/*
 * A tracking number of an order (outbound or a return's), so a carrier's webhook finds the
 * order.  Keyed by (carrier instance, number); a later insert of the same key re-points it.
 */
typedef struct st_tracking {
    const char *carrier;      /* instance id */
    const char *number;
    const char *order_id;
} st_tracking;

/*
 * A document of an order: a shipping label, a customs form.  Written with the unit that
 * records the label; replaced by (order_id, name).  Borrowed in a unit; owned (data, mime
 * type) when read back with store_document_get (st_document_clear).
 */
typedef struct st_document {
    char order_id[ST_ID_MAX];
    char name[ST_DOC_NAME_MAX]; /* "label", "customs", "label-parcel-2",
                                   "return-<id>-label", ... */
    char mime_type[128];
    unsigned char *data;
    size_t len;
    int64_t created_ms;
} st_document;

/* ---- inventory ---------------------------------------------------------------------- */

#define ST_SKU_MAX 65     /* a SKU: 1..64 bytes (the API's limit for an item's sku) */

/*
 * st_stock - what a seller holds of one SKU.  available = on_hand - reserved; the store
 * keeps 0 <= reserved <= on_hand in every unit (a unit that would break it fails and
 * changes nothing), so available is never negative and no order is promised a unit that
 * is not on the shelf.
 */
typedef struct st_stock {
    char seller_id[ST_ID_MAX];
    char sku[ST_SKU_MAX];
    int64_t on_hand;          /* units in the seller's hands: >= 0 */
    int64_t reserved;         /* promised to open orders: 0 <= reserved <= on_hand */
    int64_t low_threshold;    /* inventory.low when available drops below it; -1: none */
    int64_t version;          /* 1 when created, +1 by every change (sets and moves) */
    int64_t updated_ms;
} st_stock;

/* What an order's step does to one SKU's stock (st_unit.stock_moves). */
typedef enum st_stock_op {
    ST_STOCK_RESERVE = 1, /* reserved += qty, only if available >= qty, else ST_ESHORT */
    ST_STOCK_RELEASE,     /* reserved -= qty (a cancelled, rejected or unpaid order) */
    ST_STOCK_SELL,        /* on_hand -= qty and reserved -= qty (the parcel shipped) */
    ST_STOCK_RESTOCK      /* on_hand += qty (a returned item inspected as resellable) */
} st_stock_op;

/*
 * st_stock_move - one line of an order acting on stock.  seller_id, sku, op and qty are
 * the submitter's; the store fills the rest while applying the unit.  A move on a SKU with
 * no stock record is `untracked`: skipped (a RESERVE of an unlimited SKU), or, when the
 * unit says stock_untracked_refuse, a RESERVE of it is short (available 0).
 */
typedef struct st_stock_move {
    char seller_id[ST_ID_MAX];
    char sku[ST_SKU_MAX];
    st_stock_op op;
    int64_t qty;              /* 1 .. ST_STOCK_QTY_MAX */
    /* out, set by the store: */
    int untracked;            /* 1: no stock record for (seller_id, sku) */
    int is_short;             /* 1: a RESERVE that found less than qty available */
    int64_t available;        /* after the move (0 when untracked); when is_short: what
                                 was available, for the refusal */
    int64_t low_threshold;    /* the record's (-1: none, or untracked), so the engine can
                                 tell whether this move crossed below it */
} st_stock_move;

/* How a stock write sets a record (st_unit.stock_sets). */
typedef enum st_stock_mode {
    ST_STOCK_SET = 1,         /* on_hand = value (the record is created if absent) */
    ST_STOCK_ADJUST           /* on_hand += value (may be negative; created if absent) */
} st_stock_mode;

/*
 * st_stock_set - a seller or an admin setting one record (the API's stock writes, one
 * per SKU of a bulk load).  expect_version 0: whatever the record's version (or none);
 * > 0: only if the record exists at exactly that version, else the unit fails with
 * ST_ECONFLICT.  A set or an adjustment that would leave on_hand below reserved or below
 * 0 fails the unit with ST_ERANGE: stock promised to orders is released by those orders,
 * never written away.  So does one above ST_STOCK_QTY_MAX (as does a RESTOCK move), so
 * that no sum of quantities can overflow.
 */
typedef struct st_stock_set {
    char seller_id[ST_ID_MAX];
    char sku[ST_SKU_MAX];
    st_stock_mode mode;
    int64_t value;            /* |value| <= ST_STOCK_QTY_MAX */
    int64_t low_threshold;    /* -2: keep as is (-1 for a new record); -1: none; >= 0 */
    int64_t expect_version;   /* 0 = any */
    /* out, set by the store: */
    int failed;               /* 1: this one caused the unit's ST_ECONFLICT / ST_ERANGE */
    st_stock after;           /* the record as written (on success) or as found (failed) */
} st_stock_set;

#define ST_STOCK_QTY_MAX INT64_C(1000000000) /* units in one record, move or write */

/* ---- money ------------------------------------------------------------------------- */

#define ST_CURRENCY_MAX 4 /* ISO 4217: three letters and the NUL */
#define ST_CAUSE_MAX 32   /* "return", "dispute", "delivery_unconfirmed", ... */
#define ST_MONEY_MAX INT64_C(100000000000000) /* minor units of one order: 10^14 */

/*
 * st_payment - the money of one order, in minor units of `currency`.  The store keeps
 * 0 <= refunded <= (captured if captured > 0, else authorized) in every unit, so no
 * sequence of refunds, however they race, ever gives back more than was taken.
 */
typedef struct st_payment {
    char order_id[ST_ID_MAX];
    char currency[ST_CURRENCY_MAX];
    int64_t authorized;
    int64_t captured;         /* 0 until the capture */
    int64_t refunded;         /* reserved by refunds, booked or on their way */
    int64_t updated_ms;
} st_payment;

/* What a step does to an order's money (st_unit.money_moves). */
typedef enum st_money_op {
    ST_MONEY_AUTHORIZE = 1, /* the record is created (or authorized re-set) with amount */
    ST_MONEY_CAPTURE,       /* captured = amount (not below what is already refunded) */
    ST_MONEY_REFUND         /* refunded += amount, only if it stays <= the refundable
                               base (captured, or authorized before capture: a partial
                               void), else the unit fails with ST_EOVERREFUND */
} st_money_op;

/*
 * st_money_move - one change of an order's money.  order_id, op, currency, amount and
 * cause are the submitter's; a REFUND or CAPTURE of an order with no record, or in another
 * currency, fails the unit (-1).  `refundable` is set by the store: what remains after the
 * move, or, for a refused refund, what could have been refunded - so that the refusal can
 * name it.
 */
typedef struct st_money_move {
    char order_id[ST_ID_MAX];
    st_money_op op;
    char currency[ST_CURRENCY_MAX];
    int64_t amount;           /* 1 .. ST_MONEY_MAX (AUTHORIZE and CAPTURE: 0 allowed) */
    char cause[ST_CAUSE_MAX]; /* why (REFUND: required; logged in the refusal) */
    char seller_id[ST_ID_MAX]; /* its ledger entry's seller; "" = the order's (orders row) */
    char event[ST_NAME_MAX];  /* the event its ledger entry names (may be empty) */
    /* out, set by the store: */
    int refused;              /* 1: this refund caused the unit's ST_EOVERREFUND */
    int64_t refundable;
} st_money_move;

/* ---- seller ledger ------------------------------------------------------------------ */

/* What a ledger entry records.  The store writes one with every money move that changes an
 * order's net (captured - refunded once captured, else 0): a CAPTURE a sale, a REFUND a
 * refund, a reclaim (cause delivery_unconfirmed) or a dispute_loss (cause dispute). */
typedef enum st_ledger_kind {
    ST_LEDGER_SALE = 1,
    ST_LEDGER_REFUND,
    ST_LEDGER_RECLAIM,
    ST_LEDGER_DISPUTE_LOSS,
    ST_LEDGER_ADJUSTMENT      /* an admin's, as st_unit.ledger_adjustments */
} st_ledger_kind;

/*
 * st_ledger_entry - one line of a seller's append-only ledger, amount in signed minor units
 * of currency (a sale +, a refund, reclaim or dispute loss -).  As an adjustment in a unit,
 * seller_id, currency, amount (non-zero) and cause are the submitter's (order_id and event
 * may be empty); id and at_ms are set by the store.
 */
typedef struct st_ledger_entry {
    int64_t id;
    char seller_id[ST_ID_MAX];
    char currency[ST_CURRENCY_MAX];
    char order_id[ST_ID_MAX];
    char event[ST_NAME_MAX];
    st_ledger_kind kind;
    char cause[ST_CAUSE_MAX];
    int64_t amount;
    int64_t at_ms;
} st_ledger_entry;

/* A seller's balance in one currency: the sum of its entries. */
typedef struct st_ledger_balance {
    char currency[ST_CURRENCY_MAX];
    int64_t balance;
    int64_t entries;
} st_ledger_balance;

#define ST_LEDGER_CURRENCIES 16 /* most currencies store_ledger_balance reports */

/* ---- units -------------------------------------------------------------------------- */

typedef void (*st_done_fn)(void *arg, int rc, const char *error);

/*
 * st_unit - what one engine step writes.  Every pointer is borrowed from the submitter and
 * must stay valid until `done` has been called.  On commit the store writes the ids and
 * sequence numbers it assigned back into events[].seq, new_actions[].id and
 * new_timers[].id (and order->version) before calling done; a unit that fails leaves them
 * 0 (and order->version as it was).
 *
 * Applied in this order: order (the version check first), idem, events, new_actions,
 * action_updates, fired_timers, cancel_timers, new_timers, stock_sets, stock_moves,
 * money_moves (each with its ledger entry), ledger_adjustments.  Before any SQL the unit is
 * checked and refused (-1) when a fixed string lacks its NUL, a required one is empty
 * (ids, names, states, operations, keys; seller_id and last_error may be empty),
 * order->snapshot is NULL, expect_version is negative, a count has no array, or
 * cancel_timers is used without an order.
 *
 * Stock moves are all applied before the unit is judged: when one or more RESERVEs are
 * short, every short move is flagged (is_short, available) and the unit fails with
 * ST_ESHORT, so the refusal names every short SKU at once.
 *
 * A refund reservation in money_moves is the refund's only guard: submit it in the same
 * unit as the action that pays the refund back, so that a refused reservation also drops
 * the action.
 *
 * done(arg, rc, error): rc 0, ST_ECONFLICT, ST_EEXIST, ST_ESHORT, ST_ERANGE, ST_EOVERREFUND
 * or -1; error
 * is NULL on success,
 * else a message valid during the call only.  A unit that fails is rolled back alone: the
 * other units of its batch still commit (unless the failure was an I/O error that aborts
 * the whole transaction: then every unit of the batch gets -1).
 */
typedef struct st_unit {
    st_order *order;                /* insert (version 1) or update; NULL = none */
    int64_t expect_version;         /* update only if the stored version equals this (0 =
                                       the order must not exist yet); a mismatch fails the
                                       whole unit with rc ST_ECONFLICT */
    st_event *events;
    size_t event_count;
    st_action *new_actions;         /* inserted PENDING; a duplicate idem_key is skipped
                                       silently (id set to the existing action's id) */
    size_t new_action_count;
    const st_action_update *action_updates;
    size_t action_update_count;
    st_timer *new_timers;           /* a timer with the same (order_id, name) is replaced */
    size_t new_timer_count;
    const int64_t *fired_timers;    /* timer ids to delete */
    size_t fired_timer_count;
    const char *const *cancel_timers; /* timer names to delete for order->id (needs order) */
    size_t cancel_timer_count;
    const st_idem *idem;            /* insert; an existing key fails with ST_EEXIST
                                       (response is stored as given, may be NULL) */
    const st_tracking *tracking;    /* insert or re-point */
    size_t tracking_count;
    const st_document *documents;   /* insert or replace */
    size_t document_count;
    st_stock_set *stock_sets;       /* stock records set or adjusted (out fields filled) */
    size_t stock_set_count;
    st_stock_move *stock_moves;     /* an order's lines acting on stock (out fields filled) */
    size_t stock_move_count;
    int stock_untracked_refuse;     /* 1: a RESERVE of a SKU with no record is short */
    st_money_move *money_moves;     /* an order's money: authorize, capture, refund */
    size_t money_move_count;
    st_ledger_entry *ledger_adjustments; /* admin adjustments appended to the ledger */
    size_t ledger_adjustment_count;
    st_done_fn done;                /* may be NULL */
    void *arg;
} st_unit;

#define ST_ECONFLICT (-2)  /* expect_version mismatch */
#define ST_EEXIST (-3)     /* idempotency key already recorded */
#define ST_EINVAL (-4)     /* a caller's argument is malformed (e.g. a listing cursor) */
#define ST_ESHORT (-6)     /* a stock RESERVE found less available than asked */
#define ST_ERANGE (-7)     /* a stock write or move would leave on_hand below reserved,
                              below 0 or above ST_STOCK_QTY_MAX */
#define ST_EOVERREFUND (-8) /* a refund beyond what remains refundable (st_money_move) */

#define ST_APPLICATION_ID 0x4f484231 /* "OHB1" */
#define ST_CHECK_PROBLEMS 5
#define ST_EBUSY (-5)                 /* store_check: another check is running */

typedef enum st_check_state {
    ST_CHECK_NONE = 0,   /* never ran: skipped at open */
    ST_CHECK_PASSED = 1,
    ST_CHECK_FAILED = 2  /* quick_check found problems, or a read hit a damaged page */
} st_check_state;

typedef struct st_health {
    int ok;                          /* 1: the last check did not fail and the writer
                                        has no persistent error */
    st_check_state check;
    int64_t check_at_ms;             /* wall clock when the last check ended (0: none) */
    int64_t check_took_ms;
    char check_error[ST_ERROR_MAX];  /* ST_CHECK_FAILED: what it found */
    char write_error[ST_ERROR_MAX];  /* "" or the writer's last I/O-class failure (disk
                                        full, read-only, I/O error, corruption): set when
                                        a write transaction fails with one, cleared by the
                                        next one that commits */
} st_health;

/* Done callback of store_actions_sending: rc 0, 1 or -1 (error: a message valid during the
 * call only, else NULL).  Runs on the writer thread. */
typedef void (*st_lease_fn)(void *arg, int rc, const char *error);

#define ST_KV_MAX_VALUE (64 * 1024) /* a plugin instance's value (store_kv_set) */

#define ST_LIST_MAX 200     /* most rows per store_orders_list page */
#define ST_CURSOR_MAX 96    /* a cursor with its NUL: "<updated_ms>:<id>" */

/* Which orders to list; every member is optional (a zeroed filter, or NULL, lists all). */
/* The order of a listing (store_orders_list). */
typedef enum st_order_sort {
    ST_SORT_UPDATED = 0,    /* most recently updated first: updated_ms DESC, id DESC */
    ST_SORT_SHIP_BY         /* earliest ship-by deadline first: ship_by_ms ASC, id ASC;
                               only orders with a deadline (ship_by_ms > 0) */
} st_order_sort;

typedef struct st_order_filter {
    const char *seller_id;  /* NULL = any; else exactly this seller ("" matches orders
                               stored without one) */
    const char *state;      /* NULL = any; else exactly this state */
    const char *created_by; /* NULL = any; else exactly this API token name ("" matches
                               orders written before schema 2) */
    int64_t since_ms;       /* > 0: only orders with updated_ms >= since_ms; <= 0 = all */
    int64_t late_at_ms;     /* > 0: only late orders at that time (now): ship_by_ms set
                               and <= late_at_ms - an order not shipped by its deadline, or
                               one whose breach was recorded; <= 0 = all */
    st_order_sort sort;     /* the listing's order */
} st_order_filter;

/* One order of a listing: no snapshot, and nothing owned (the array is one heap block). */
typedef struct st_order_row {
    char id[ST_ID_MAX];
    char state[ST_NAME_MAX];
    char seller_id[ST_ID_MAX];
    int64_t updated_ms;
    int64_t created_ms;
    int64_t ship_by_ms;     /* st_order.ship_by_ms */
} st_order_row;

#define ST_COUNTS_STATES 32

typedef struct st_state_count {
    char state[ST_NAME_MAX];
    int64_t count;
} st_state_count;

typedef struct st_counts {
    st_state_count states[ST_COUNTS_STATES]; /* every state with orders, by name */
    size_t state_count;
    int states_truncated;   /* 1: more than ST_COUNTS_STATES states have orders; those
                               after the first ST_COUNTS_STATES (by name) are not listed,
                               but are in `orders` */
    int64_t orders;         /* all orders */
    int64_t events;         /* events journaled: the highest seq assigned (events are
                               never deleted and a unit that fails leaves no gap, so this
                               is their number) */
    int64_t actions_pending, actions_claimed, actions_done, actions_dead;
    int64_t timers;         /* timers set and not yet fired or cancelled */
    int64_t sla_warnings;   /* sla.ship_by_warning events journaled, ever */
    int64_t sla_breaches;   /* sla.ship_by_breached events journaled, ever */
} st_counts;

#endif
