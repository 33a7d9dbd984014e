/* es_tracking - a carrier's answers (see es_unit.h for the es_ layer). */
#ifndef OH_ES_TRACKING_H
#define OH_ES_TRACKING_H

#include "es_unit.h"

/* es_track_apply - a carrier's answer for the order's shipment ({"number", "status",
 * "eta", "events":[newest first], "proof"} as host_track_shipment_json makes it). */
void es_track_apply(es_unit *c, const json_t *data);

/* es_track_schedule - set the next poll by status and quiet polls, or expire the
 * shipment. */
void es_track_schedule(es_unit *c);

#endif
