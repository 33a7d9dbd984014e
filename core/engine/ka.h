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

#include "action_run.h"

typedef struct ka_adapter {
    oh_plugin_kind kind;
    /* The plugin reads an HTML answer itself (a chat receiver answers "ok" as text/html);
     * 0: an HTML page is a portal's, retried without parsing. */
    int accepts_html;
    /* needs_order - 1 when fill reads the order's snapshot (r->order is then the committed
     * snapshot, and fill runs on the order's worker), 0 when the action's payload is all it
     * needs (fill runs on the dispatcher, r->order is NULL). */
    int (*needs_order)(const action_run *r);
    /* fill - set r->in to the kind's inputs for r->a.operation, pointing into r->order and
     * r->payload (both outlive r->in).  0, or -1 with *why set (a static string). */
    int (*fill)(action_run *r, const char **why);
    /* release - free r->in (NULL is a no-op). */
    void (*release)(void *in);
    /* build - the plugin's request for the run (req zeroed, auth token set); an OH_ code,
     * err set when not OH_OK. */
    int (*build)(action_run *r, oh_request *req, oh_error *err);
    /* settle_stop - a build that answered OH_STOP: 1 when that means "nothing to send, the
     * action is done" for this kind (notifier.h), 0 when it is a failure.  NULL: 0. */
    int (*settle_stop)(const action_run *r, const oh_error *err);
    /* parse - the plugin's parse of an answer the executor classified EX_RESPONSE (not a
     * 401 to a token, not a refused HTML page), and the outcome settled: always ends in
     * run_finish.  On the order's worker. */
    void (*parse)(action_run *r, const ex_result *res);
    /* batchable - 1 when the run may share one request with others of its instance
     * (track_batch.c); NULL: never. */
    int (*batchable)(const action_run *r);
} ka_adapter;

/* ka_for - the adapter of a plugin kind, NULL for kinds whose steps never run as actions
 * (filters run on the worker, synchronously). */
const ka_adapter *ka_for(oh_plugin_kind kind);

extern const ka_adapter ka_payment, ka_carrier, ka_notifier;

/* ---- what track_batch.c asks of the carrier adapter ------------------------------------ */

/* ka_carrier_number - the tracking number a track run polls, or NULL. */
const char *ka_carrier_number(const action_run *r);

/* ka_carrier_track_build - the plugin's request for `n` numbers of instance `inst`. */
int ka_carrier_track_build(struct oh_instance *inst, const char *const *numbers, size_t n,
                           oh_request *req, oh_error *err);

/*
 * ka_carrier_track_parse - the plugin's parse of a tracking answer for `numbers`, the
 * statuses normalised (host_track_normalise); the caller clears `tr`
 * (host_track_result_clear) whatever the result.  On the worker.
 */
int ka_carrier_track_parse(struct oh_instance *inst, const char *const *numbers, size_t n,
                           const oh_response *resp, oh_track_result *tr, oh_error *err);

/*
 * ka_carrier_settle_track - settle a track run from a parsed answer `tr` (rc: the parse's
 * result; err: its message): the shipment of the run's number becomes a "track_result".
 * Frees the run (run_finish).
 */
void ka_carrier_settle_track(action_run *r, int rc, const oh_track_result *tr,
                             const char *err);

#endif
