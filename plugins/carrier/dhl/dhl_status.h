/*
 * dhl_status - DHL Shipment Tracking (Unified) event -> canonical status, and DHL's
 * free-text addressLocality -> structured location.  Kept apart from the protocol code:
 * these are the heuristic parts, mirrored in README.md.
 */
#ifndef CARRIER_DHL_STATUS_H
#define CARRIER_DHL_STATUS_H

#include <orderhub/carrier.h>

/*
 * dhl_event_status - canonical status of one event (or of shipment.status).
 *
 *   code         statusCode: pre-transit | transit | delivered | failure | unknown
 *   status       the short status title ("DELIVERED", "With delivery courier"), may be NULL
 *   description  the event's description, may be NULL
 *
 * "transit" becomes out_for_delivery when status or description holds one of the phrases
 * listed in dhl_status.c (UNVERIFIED: DHL documents no code for it).
 */
oh_track_status dhl_event_status(const char *code, const char *status,
                                 const char *description);

/*
 * dhl_locality - split an addressLocality ("Leipzig, Germany", "CINCINNATI, OH, US",
 * "Oderweg 2, AMSTERDAM") into city and region of `out`.  The country and postal code come
 * from their own members; `country` (may be "") tells a trailing country code from a region.
 */
void dhl_locality(const char *locality, const char *country, oh_location *out);

#endif
