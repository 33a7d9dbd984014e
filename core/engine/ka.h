/*
 * ka - kind adapters: what the engine does for each plugin kind, one file each
 * (ka_payment.c, ka_carrier.c, ka_notifier.c).  An adapter fills only its kind's SDK
 * inputs from what the action needs, has the plugin build the request and parse the
 * answer, and turns the result into the order's next input.  The dispatcher (dispatch.c)
 * and the carrier batches (track_batch.c) know no kind: they go through ka_for.
 *
 * A new plugin kind is a new adapter file and its row in ka.c's table (plus the SDK header
 * and the router's rows: docs/architecture.md §12).
 *
 * THREADS: needs_order runs on the dispatcher; fill and build on the order's worker when
 * the adapter reads the order (its cached snapshot is there), else on the dispatcher;
 * build on the executor thread instead when an auth token had to be fetched first; parse
 * on the order's worker, never on the executor thread (a slow parse must not stall the
 * curl loop of every instance).  r->order is read only: it may be the worker's own copy.
 */
#ifndef OH_KA_H
#define OH_KA_H

#include "ka_types.h"

/* ka_for - the adapter of a plugin kind, NULL for kinds whose steps never run as actions
 * (filters run on the worker, synchronously). */
const ka_adapter *ka_for(oh_plugin_kind kind);

extern const ka_adapter ka_payment, ka_carrier, ka_notifier;

#endif
