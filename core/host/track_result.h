/*
 * track_result - a parsed tracking answer made uniform, and its one JSON shape.
 */
#ifndef OH_HOST_TRACK_RESULT_H
#define OH_HOST_TRACK_RESULT_H

#include "host/host_types.h"

/*
 * host_track_normalise - after a parse: events sorted newest first by instant (stable), a
 * shipment's unknown status taken from its newest event, an error without a kind made
 * "carrier", and each unknown carrier code logged once per `who` (the module name; NULL:
 * not logged).  0, or -1 when out of memory.
 */
int host_track_normalise(oh_track_result *r, const char *who);

/*
 * host_track_result_json / _shipment_json / _event_json - the one JSON shape of tracking
 * (docs: orderhub-plugin(1) track-parse): {"tracking":[{"number", "status", "eta",
 * "events":[{"status","raw_code","raw_text","time","location":{...}}], "proof":{...}} or
 * {"number", "error":{"kind","code","message"}}]}.  New references; NULL on no memory.
 */
json_t *host_track_result_json(const oh_track_result *r);
json_t *host_track_shipment_json(const oh_track_shipment *s);
json_t *host_track_event_json(const oh_track_event *e);

#endif
