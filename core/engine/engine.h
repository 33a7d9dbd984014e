/*
 * engine - the lifecycle engine: applies inputs to orders through the state machine,
 * routes every event through its plugin chains, runs the resulting outbound actions on
 * the executor, and fires timers (docs/architecture.md §5, §6, §7).
 *
 * ORDERING AND PARALLELISM
 *   Inputs are sharded by order id over `workers` threads: the inputs of one order are
 *   applied one at a time, in arrival order; different orders proceed in parallel.  A
 *   worker applies an input in memory, hands the resulting unit to the store (group
 *   commit) and goes on; the caller's reply runs once the unit is durable.
 *
 * DURABILITY
 *   Every change (snapshot, events, actions, timers) of one input is one store unit.
 *   Outbound actions are written before they run, carry a stable idempotency key, and are
 *   claimed with a lease, so a crash re-runs them (never twice successfully: the remote
 *   deduplicates on the key) after restart.  Retries back off exponentially with jitter
 *   and end in the dead-letter list after `max_attempts`.
 */
#ifndef OH_ENGINE_H
#define OH_ENGINE_H

#include "engine/engine_types.h"
#include "engine/lifecycle.h"
#include "engine/rates.h" /* rates_level_rank */

/* eng_start - start the workers, the action dispatcher and the timer loop. */
int eng_start(const eng_options *opts, engine **out, char *err, size_t errlen);

/*
 * eng_quiesce - stop claiming actions and firing timers (joins the dispatcher, then waits
 * until the actions it handed to workers are submitted to the executor).  Actions already
 * handed to the executor still report back: destroy the executor after this and before
 * eng_stop, so their completions reach live workers.  NULL or repeated: no-op.
 */
void eng_quiesce(engine *e);

/* eng_stop - quiesce, finish the inputs queued, stop the workers, free.  NULL: no-op. */
void eng_stop(engine *e);

/*
 * eng_place - a new order.  `order` (reference stolen) is the validated submission: at
 * least "id" (string), "seller": {"id"}, "currency", "total" (integer minor units),
 * "items", "payment": {"token"}.  The order goes through the placement chain (filters,
 * then authorization) on its own.
 */
int eng_place(engine *e, json_t *order, eng_reply_fn reply, void *arg);

/*
 * eng_place_keyed - eng_place that also records the answer under an idempotency key, in the
 * same unit as the order: `idem_key` (scoped by the caller) and `request_hash` (hex SHA-256
 * of the request body).  The record holds status 201 and {"id","state"}.  When the key was
 * recorded meanwhile, the reply's rc is ENG_EIDEM and nothing is written.
 */
int eng_place_keyed(engine *e, json_t *order, const char *idem_key, const char *request_hash,
                    eng_reply_fn reply, void *arg);

/*
 * eng_input - apply a lifecycle `input` (lc_input_name of the lifecycle table: "acknowledge", "pack",
 * "cancel", ...) to order `order_id`; `data` (reference stolen, may be NULL) is merged
 * into the event payload and, for some inputs, the snapshot (the table's `merge`).
 */
int eng_input(engine *e, const char *order_id, const char *input, json_t *data,
              eng_reply_fn reply, void *arg);

/* eng_get_stats - a copy of the counters. */
void eng_get_stats(engine *e, eng_stats *out);

/* eng_wait_idle - block until no input is queued and no action is due or running, or
 * until timeout_ms passes.  0 when idle, -1 on timeout.  For tests and the demo. */
int eng_wait_idle(engine *e, int64_t timeout_ms);

#endif
