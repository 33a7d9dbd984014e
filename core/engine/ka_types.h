/*
 * ka_types - the kind adapter's structure (ka.h says what an adapter is and does); types
 * only, so that a run (action_run.c) can release its inputs without seeing the table of
 * adapters, whose files all end their runs through action_run.c.
 */
#ifndef OH_KA_TYPES_H
#define OH_KA_TYPES_H

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
     * eng_run_finish.  On the order's worker. */
    void (*parse)(action_run *r, const ex_result *res);
    /* batchable - 1 when the run may share one request with others of its instance
     * (track_batch.c); NULL: never. */
    int (*batchable)(const action_run *r);
} ka_adapter;

#endif
