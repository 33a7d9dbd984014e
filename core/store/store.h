/*
 * store - the durable side of orderhubd (docs/architecture.md §7): order snapshots, the
 * append-only event journal, the outbox of outbound actions, timers, idempotency records
 * and dead letters.
 *
 * The engine talks to this interface only.  Behind it, store.c hands each call to the
 * backend store_options.driver names (store_backend.h, one folder per backend): SQLite (WAL,
 * core/store/sqlite/) is the only one today, and a PostgreSQL backend may follow without
 * touching the engine.  That is why claiming work (actions, timers) is an operation here
 * with leases, never an assumption held in memory.  The types are in store_types.h.
 *
 * WRITES go through units (st_unit): everything one engine step writes - the new order
 * snapshot, its events, actions to enqueue or update, timers to set or cancel, an
 * idempotency record - is applied in ONE transaction or not at all.  Units are committed
 * by a single writer thread in groups (group commit): one fsync per batch, not per unit.
 * store_submit queues a unit and returns; its `done` callback runs on the writer thread
 * once the batch is durable (or failed).  Units submitted by one thread commit in the order
 * they were submitted.
 *
 * READS may run from any thread, concurrently with the writer (WAL).
 *
 * STRINGS in records are fixed arrays (truncation is an error on write: the store refuses
 * a unit whose ids do not fit) or heap JSON text owned by the record (free with the
 * matching *_clear function, records.h).
 *
 * ERRORS: functions return 0 or a negative value; a message goes to the caller's buffer.
 *
 * THREADING: every function may be called from any thread, except store_close (call it
 * once, when no other thread uses the store any more).  `done` callbacks run on the writer
 * thread: they may call store_submit and the reads, never store_commit or
 * store_actions_claim, store_timers_claim, store_kv_set (those wait for the writer: they
 * fail with -1 when called from it)
 * nor store_close.
 *
 * SQLITE (this implementation): one writer connection owned by the writer thread, reader
 * connections pooled (at most 4 idle, more opened on demand), all with busy_timeout 5 s
 * and foreign keys on; the writer keeps its savepoint journals in memory (temp_store).
 * WAL; the schema version is PRAGMA user_version, migrated at open by ordered steps in one
 * transaction; a file from a NEWER orderhubd is refused at open.
 * Events, actions and timers reference orders(id): their order must exist (inserted by
 * the same unit or an earlier one), else the unit fails with a FOREIGN KEY error.
 */
#ifndef OH_STORE_H
#define OH_STORE_H

#include "store/store_types.h"
#include "store/records.h" /* st_*_clear, st_*_free */

/* ---- lifecycle ---------------------------------------------------------------------- */

/*
 * store_open - open (creating if needed) and migrate the database to the current schema,
 * start the writer thread, with the backend opts->driver names (an unknown one is refused:
 * "unknown store driver 'x' (this build has: sqlite)").  SQLite: WAL journal,
 * synchronous=FULL when opts->sync_full, else NORMAL.  0, or -1 with err set.
 */
int store_open(const store_options *opts, store **out, char *err, size_t errlen);

/*
 * store_driver_known - 1 when this build has the backend `driver` names ("sqlite"), else 0
 * (NULL: 0).  `names` (may be NULL; else len bytes, 128 is plenty) gets the names of this
 * build's backends, ", "-separated, for a message: the configuration check and store_open
 * refuse an unknown driver with the same list.
 */
int store_driver_known(const char *driver, char *names, size_t len);

/* store_close - commit everything submitted (done callbacks run; submits from them fail),
 * stop the writer, close.  NULL is a no-op. */
void store_close(store *s);

/* store_schema_version - the schema version in the file (after migrations): 10.
 *   1  the initial schema
 *   2  orders.created_by (TEXT, '' for older rows); indexes for store_orders_list and
 *      store_counts: orders(updated_ms, id), orders(seller_id, updated_ms, id),
 *      orders(state, updated_ms, id), orders(created_by, updated_ms, id); the index
 *      orders(seller_id, state) of version 1 is dropped (its prefix is served by the
 *      seller index, and every order update paid for it).  Building the indexes at the
 *      first open of an older file takes about 1 s per million orders per index (5 s for
 *      a million orders), in the migration transaction.
 *      Every order write now maintains these four indexes (updated_ms is in each): an order
 *      update costs more pages than in version 1.
 *   3  tracking and documents tables
 *   4  index actions(status, instance, next_at_ms) for per-instance claims
 *   5  actions.sent (0 for older rows): a request of the current lease may have left
 *      (store_actions_sending); ADD COLUMN with a constant default, no table rewrite.
 *   6  timers.lease_owner, timers.lease_until_ms (''/0 for older rows) and the index
 *      timers(lease_until_ms, due_ms): timers are claimed with a lease
 *      (store_timers_claim).
 *   7  table stock (seller_id, sku, on_hand, reserved, low_threshold, version,
 *      updated_ms), keyed by (seller_id, sku): inventory (store_stock_get).  A new table:
 *      migrating an older file costs nothing.
 *   8  table payments (order_id, currency, authorized, captured, refunded, updated_ms):
 *      each order's money in minor units (store_payment_get).  A new table: orders placed
 *      before it have no record, and their refunds are not bounded by the store.
 *   9  orders.ship_by_ms (0 for older rows: their deadlines are not listed until their
 *      next update), the partial index orders_ship_by(ship_by_ms, id) WHERE ship_by_ms > 0
 *      (late listings, listings by deadline), and the partial index events_sla(name) of
 *      the sla.* events (store_counts); building it scans the journal once, about 1 s per
 *      ten million events.
 *  10  table ledger (id, seller_id, currency, order_id, event, kind, cause, amount, at_ms)
 *      and its index ledger(seller_id, at_ms, id): each seller's append-only ledger
 *      (store_ledger_list, store_ledger_balance); triggers refuse an UPDATE or DELETE.
 *      A new table: money moved before it has no entries, so older orders do not
 *      reconcile with their payments record. */
int store_schema_version(store *s);

/*
 * store_stats - counters since open: units committed successfully and write transactions
 * committed by the writer (batches; claims and replays count too).  units / batches is the mean
 * group-commit size.  Either pointer may be NULL.
 */
void store_stats(store *s, uint64_t *units, uint64_t *batches);

/* ---- integrity and health -------------------------------------------------------------- */

/*
 * What an open store file must be (checked by store_open, refused with a message naming
 * the file otherwise):
 *   - an SQLite file ("file is not a database" otherwise);
 *   - an orderhub one: PRAGMA application_id is ST_APPLICATION_ID, or 0 with a
 *     user_version >= 1 and an `orders` table (a file written before the marker existed;
 *     it is stamped at this open).  Another application's database is refused, also with
 *     init_empty: its data is never mixed with ours;
 *   - not empty, unless store_options.init_empty (or the file did not exist);
 *   - sound: PRAGMA quick_check passes (unless skip_check).  quick_check reads every page
 *     of the file once (about 0.15 s for 100,000 orders, 64 MB, from the page cache;
 *     disk speed from a cold one): it finds damaged b-tree pages, bad record formats and
 *     NOT NULL violations, not index/table mismatches (integrity_check's job, O(n log n)).
 * The first problems are in the message (at most ST_CHECK_PROBLEMS of them).
 */


/* store_health - the state above, copied under a lock: cheap (no I/O), for /healthz. */
void store_health(store *s, st_health *out);

/*
 * store_check - run PRAGMA quick_check now, on a connection of its own (a read
 * transaction: the writer and readers go on; O(file size), see above) and record the
 * outcome in store_health.  0 passed; 1 problems found (in `problems`, "; "-separated,
 * the first ST_CHECK_PROBLEMS); ST_EBUSY when a check is already running; -1 with err set
 * when it could not run (cancelled by store_check_cancel or store_close, out of memory).
 */
int store_check(store *s, char *problems, size_t plen, int64_t *took_ms, char *err,
                size_t errlen);

/* store_check_cancel - interrupt a running store_check (it returns -1); no-op if none. */
void store_check_cancel(store *s);

/* ---- writes ------------------------------------------------------------------------- */

/* store_submit - queue `u` for the next group commit.  0, or -1 if the store is closing
 * (or out of memory, or s/u NULL): then `done` is never called. */
int store_submit(store *s, st_unit *u);

/* store_commit - submit and wait: 0, ST_ECONFLICT, ST_EEXIST, ST_ESHORT, ST_ERANGE,
 * ST_EOVERREFUND or -1
 * with err set.  u->done is called too (on the writer thread, before this returns). */
int store_commit(store *s, st_unit *u, char *err, size_t errlen);

/*
 * store_action_replay - put a DEAD action back in the queue: PENDING, attempts 0, next_at
 * now_ms, lease cleared; last_error is kept (the reason it died, until the next attempt
 * reports).  A write, run by the writer thread in its group commit like a claim (the
 * caller waits; not from a done callback: -1).  0 when replayed, 1 if there is no action
 * `id` or it is not DEAD (pending, claimed and done ones are left alone), -1 with err set.
 * The engine sees it at its next poll (store_next_due_ms: due now).
 */
int store_action_replay(store *s, int64_t id, int64_t now_ms, char *err, size_t errlen);

/* ---- reads -------------------------------------------------------------------------- */

/* store_order_get - 0 and *out filled (free with st_order_clear), 1 if absent, -1 error.
 * created_by is "" for an order written before schema version 2. */
int store_order_get(store *s, const char *id, st_order *out, char *err, size_t errlen);

/* store_events - events of an order, oldest first (*out freed with st_events_free). */
int store_events(store *s, const char *order_id, st_event **out, size_t *count, char *err,
                 size_t errlen);


/*
 * store_actions_claim - lease up to `max` actions that are PENDING with next_at_ms <= now,
 * or CLAIMED with an expired lease (a crashed worker's), to `owner` until now + lease_ms.
 * Oldest next_at first.  Returns them in *out (st_actions_free).  Atomic: two claimers
 * never get the same action.
 *
 * How: a claim is a job for the writer thread, run inside its group-commit transaction
 * (BEGIN IMMEDIATE holds SQLite's write lock, so other processes are excluded too); the
 * caller waits until it commits.  The engine counts finished attempts in its
 * st_action_update.  max 0 claims nothing.  owner: 1..ST_ID_MAX-1 bytes.
 *
 * Re-claiming an expired lease of ANOTHER owner adds one to `attempts` (the attempt whose
 * holder vanished) when that holder had marked it sent (store_actions_sending): an action
 * that crashes the process every time it is sent is still bounded by max_attempts, and one
 * whose holder died before sending it (it waited in a queue) keeps its attempts.  An owner
 * re-claiming its own (a slow request) renews the lease only, keeping the mark.
 */
int store_actions_claim(store *s, int64_t now_ms, const char *owner, int64_t lease_ms,
                        size_t max, st_action **out, size_t *count, char *err, size_t errlen);

/*
 * store_actions_claim_for - as store_actions_claim, but only actions of plugin instance
 * `instance`: its expired leases first (oldest next_at first), then its PENDING due ones,
 * `max` in all.  The engine claims per instance only as many as that instance's queue has
 * room for - re-claims of a dead process's work included.
 */
int store_actions_claim_for(store *s, int64_t now_ms, const char *owner, int64_t lease_ms,
                            const char *instance, size_t max, st_action **out, size_t *count,
                            char *err, size_t errlen);

/*
 * store_actions_sending - record, durably, that a request of each action ids[0..n) is about
 * to leave for its remote, and extend their leases to at least until_ms.  All or nothing:
 * done(arg, 1, ...) and nothing changed when one of them is no longer CLAIMED by `owner`
 * (its lease ran out and another process took it, or it was settled): then it must not be
 * sent.  done(arg, 0, NULL) once the mark is committed - only then may the request start;
 * -1 on a write error.  Asynchronous: queued for the writer's next group commit (one fsync
 * for every request starting meanwhile).  Returns 0, or -1 (bad arguments, out of memory,
 * closing) without calling done.  ids is copied; n >= 1; owner 1..ST_ID_MAX-1 bytes.
 */
int store_actions_sending(store *s, const int64_t *ids, size_t n, const char *owner,
                          int64_t until_ms, st_lease_fn done, void *arg);

/*
 * store_actions_renew - extend to until_ms the leases of those of ids[0..n) still CLAIMED by
 * `owner` (a lease already longer is kept).  The engine renews what it holds (queued or in
 * flight), so a busy process never has its own actions expire under it.  A write (waits for
 * the writer's commit, not from a done callback).  0 and *renewed (may be NULL), or -1.
 */
int store_actions_renew(store *s, const int64_t *ids, size_t n, const char *owner,
                        int64_t until_ms, size_t *renewed, char *err, size_t errlen);

/*
 * store_action_instances - the distinct plugin instances that have PENDING or CLAIMED
 * actions, by name: *out (st_strings_free) and *count.  One index seek per instance.  The
 * engine claims the actions of instances a reload removed with it.  0, or -1 with err set.
 */
int store_action_instances(store *s, char ***out, size_t *count, char *err, size_t errlen);

/* store_actions_dead - the dead-letter list, oldest (lowest id, i.e. enqueued first)
 * first. */
int store_actions_dead(store *s, st_action **out, size_t *count, char *err, size_t errlen);

/*
 * store_timers_claim - lease up to `max` due timers (due_ms <= now_ms) that no one holds,
 * or whose lease ended (a process that died, or a unit that failed), to `owner` until
 * now_ms + lease_ms; earliest due first.  Returns them in *out (st_timers_free), with
 * lease_owner and lease_until_ms set.  Atomic like store_actions_claim (a job of the
 * writer, in its BEGIN IMMEDIATE transaction): two claimers, in one process or two, never
 * get the same timer while its lease runs.  The unit that handles a timer deletes it
 * (st_unit.fired_timers) - whoever holds it; there is no release.  A timer replaced
 * meanwhile (same order and name set again) is a new row with a new id and no lease: the
 * old claim's unit deletes nothing of it.  When nothing is claimable the call is a read
 * only (no write transaction: it is asked on every poll).  max 0 claims nothing; owner
 * 1..ST_ID_MAX-1 bytes; lease_ms >= 0.  0, or -1 with err set.  Not from a done callback.
 */
int store_timers_claim(store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                       size_t max, st_timer **out, size_t *count, char *err, size_t errlen);

/* store_next_due_ms - the earliest next_at of a pending action, lease end of a claimed
 * action or timer, or due of an unclaimed timer, or INT64_MAX when there is none: how long
 * the engine may sleep.  A read error also gives INT64_MAX: cap the sleep (the engine's poll_ms does),
 * and use store_next_due to see the error. */
int64_t store_next_due_ms(store *s);

/* store_next_due - the same with an error channel: 0 and *due_ms, or -1 with err set. */
int store_next_due(store *s, int64_t *due_ms, char *err, size_t errlen);

/*
 * store_tracking_order - the order a carrier instance's tracking number belongs to, into
 * order_id (ST_ID_MAX bytes).  0 found, 1 unknown, -1 error.
 */
int store_tracking_order(store *s, const char *carrier, const char *number, char *order_id,
                         char *err, size_t errlen);

/* store_document_get - 0 and *out filled (st_document_clear), 1 if absent, -1 error. */
int store_document_get(store *s, const char *order_id, const char *name, st_document *out,
                       char *err, size_t errlen);

/* store_idem_get - 0 and *out filled (st_idem_clear), 1 if absent, -1 error. */
int store_idem_get(store *s, const char *key, st_idem *out, char *err, size_t errlen);

/* ---- plugin instances' key-value state ------------------------------------------------- */

/*
 * A plugin instance's small durable state (a cursor, a webhook subscription id): the host's
 * kv_set / kv_get (core/host/kv.c) land here once the hub has started.  Keyed by (instance
 * id, key), so it outlives reloads and restarts.
 *
 * store_kv_set - set `value` (NULL deletes) under `key` for `instance`, durably: a job of
 * the writer's group commit, and the caller waits until it is committed (synchronous=FULL
 * makes that an fsync shared with the units committing meanwhile).  A new key is refused
 * when the instance already has max_keys keys.  instance 1..ST_ID_MAX-1 bytes, key
 * 1..ST_KEY_MAX-1, value at most ST_KV_MAX_VALUE.  0 written; 1 refused by max_keys
 * (nothing written); -1 with err set.  Not from a done callback (-1).
 *
 * store_kv_get - 0 and *value (NUL-terminated, malloc'd: the caller frees it), 1 when
 * absent, -1 with err set.  A read on a pooled reader connection.
 */
int store_kv_set(store *s, const char *instance, const char *key, const char *value,
                 size_t max_keys, char *err, size_t errlen);
int store_kv_get(store *s, const char *instance, const char *key, char **value, char *err,
                 size_t errlen);

/* ---- listing orders --------------------------------------------------------------------- */



/*
 * store_orders_list - one page of the orders matching `f`, most recently updated first:
 * ORDER BY updated_ms DESC, id DESC (a total order, so pages never overlap or skip).
 * With f->sort ST_SORT_SHIP_BY: only orders with a ship-by deadline, earliest first,
 * ORDER BY ship_by_ms ASC, id ASC (total too), and the cursor is
 * "<ship_by_ms>:<order id>", of the same syntax; pass a cursor back only to a listing of
 * the same sort.  f->late_at_ms (> 0) keeps the late orders: ship_by_ms in 1..late_at_ms.
 *
 * Keyset pagination: `cursor` NULL or "" starts at the top; else it must be a next_cursor
 * from an earlier call, and the page starts right after that row.  A cursor is an opaque
 * string to callers (today "<updated_ms>:<order id>", e.g. "1795712790934:ord-1"; it is
 * not URL-safe: percent-encode it in a query string).  It is parsed strictly - a decimal
 * int64 written canonically (no sign but '-', no leading zero, no spaces), ':', then an id
 * of 1..ST_ID_MAX-1 bytes - and only ever bound as SQL parameters, like the filter values.
 * It names a position, not a row: the page continues correctly even if that order changed.
 *
 * limit: 1..ST_LIST_MAX rows.  *out: the rows (NULL when none; free(*out)), *count their
 * number.  next_cursor (at least ST_CURSOR_MAX bytes): the cursor of the next page, or ""
 * when this page is the last one (a full last page also gives "": one extra row is read to
 * know).  cursor and next_cursor may be the same buffer (the cursor is read first).
 *
 * A listing is not a snapshot across pages: an order updated while a client pages moves
 * to the top (a newer updated_ms) and is not seen by the later pages - poll with since_ms
 * for changes.
 *
 * Returns 0; ST_EINVAL with err set for a malformed cursor, a limit out of range, a filter
 * value too long to match anything (seller_id, created_by >= ST_ID_MAX bytes, state >=
 * ST_NAME_MAX) or NULL outputs; -1 with err set on a read error.  *out is NULL, *count 0
 * and next_cursor "" on any error.
 *
 * Cost: every page is an index range scan, never a sort.  The index is chosen by the
 * filter: sorted by deadline, the partial index orders_ship_by (only orders whose
 * deadline counts: those awaiting shipment and those breached), bounded by late_at_ms;
 * else created_by if given, else seller_id, else state, else orders(updated_ms, id);
 * since_ms and the cursor bound its range; the other filters are checked row by row (a
 * storefront listing one seller's orders walks the storefront's orders until the page is
 * full).  So a page reads about limit + 1 index entries and rows, plus the rows a
 * secondary filter skips.
 */
int store_orders_list(store *s, const st_order_filter *f, const char *cursor, size_t limit,
                      st_order_row **out, size_t *count, char *next_cursor, size_t next_len,
                      char *err, size_t errlen);

/* ---- counts (metrics) ------------------------------------------------------------------- */


/*
 * store_stock_get - seller `seller_id`'s record of `sku`: 0 and *out, 1 when there is none,
 * -1 with err set.
 */
int store_stock_get(store *s, const char *seller_id, const char *sku, st_stock *out, char *err,
                    size_t errlen);

/*
 * store_payment_get - the money of order `order_id`: 0 and *out, 1 when it has no record
 * (no payment authorized since schema 8), -1 with err set.
 */
int store_payment_get(store *s, const char *order_id, st_payment *out, char *err,
                      size_t errlen);

/*
 * store_ledger_list - one page of seller_id's ledger entries (append-only, schema 10) with
 * from_ms <= at_ms < to_ms, in currency (NULL or "" = all), by id ascending, starting after
 * entry `after_id` (0 = from the first).  limit 1..ST_LIST_MAX; *out (free(*out); NULL when
 * none) and *count.  0, ST_EINVAL (seller_id empty or too long, currency too long, limit,
 * a negative cursor), -1.  Entries are written only with the money moves they mirror and
 * as a unit's ledger_adjustments (store_types.h): an order's entries sum to its captured -
 * refunded once captured (0 before).
 */
int store_ledger_list(store *s, const char *seller_id, const char *currency, int64_t from_ms,
                      int64_t to_ms, int64_t after_id, size_t limit, st_ledger_entry **out,
                      size_t *count, char *err, size_t errlen);

/*
 * store_ledger_balance - seller_id's balance per currency (sum of its entries, and their
 * number), by currency, at most ST_LEDGER_CURRENCIES into out[ST_LEDGER_CURRENCIES] and
 * *count.  0, ST_EINVAL (seller_id empty or too long), -1.
 */
int store_ledger_balance(store *s, const char *seller_id, st_ledger_balance *out,
                         size_t *count, char *err, size_t errlen);

/*
 * store_stock_list - one page of a seller's stock records, by SKU (bytewise ascending),
 * starting after `after_sku` (NULL or "" = from the first).  limit 1..ST_LIST_MAX; *out
 * (free(*out); NULL when none) and *count.  `low_only`: only records whose available is
 * below their low_threshold.  0, ST_EINVAL (limit, or a seller_id/after_sku too long), -1.
 */
int store_stock_list(store *s, const char *seller_id, const char *after_sku, int low_only,
                     size_t limit, st_stock **out, size_t *count, char *err, size_t errlen);

/*
 * store_counts - the numbers above, for metrics; all read from one snapshot (a single read
 * transaction on a reader connection: the writer is never blocked).  0, or -1 with err set
 * (*out zeroed).
 *
 * Cost: orders by state is a scan of the index orders(state, updated_ms, id) - it reads
 * no table row but one index entry per order: about 40 ms per million orders with the
 * index in the page cache (more when it must come from disk: ~45 MB per million orders
 * with ids of ~20 bytes).
 * Events: O(log n) (max(seq)).  Actions: count(*) of the table (a page-level count, about
 * 4 ms per million actions) and index range counts for pending, claimed and dead; done is
 * the rest, so the DONE history that grows forever is never walked row by row.  Timers:
 * count(*).  SLA warnings and breaches: two range counts of the partial index events_sla
 * (only sla.* events are in it).  Fine for a scrape every few seconds on a million orders; not for every API
 * request.
 */
int store_counts(store *s, st_counts *out, char *err, size_t errlen);

#endif
