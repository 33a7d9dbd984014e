/*
 * ka_carrier - what track_batch.c asks of the carrier adapter (ka_carrier.c), besides its
 * row in the table of adapters (ka.h).
 */
#ifndef OH_KA_CARRIER_H
#define OH_KA_CARRIER_H

#include "action_run.h"

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
 * Frees the run (eng_run_finish).
 */
void ka_carrier_settle_track(action_run *r, int rc, const oh_track_result *tr,
                             const char *err);

#endif
