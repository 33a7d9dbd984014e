/*
 * fedex_status - FedEx Track API scan codes -> orderhub canonical tracking statuses.
 *
 * Kept apart from the protocol code so the table (the part that changes when FedEx adds a
 * code) is one short file, mirrored row for row in README.md.
 */
#ifndef CARRIER_FEDEX_STATUS_H
#define CARRIER_FEDEX_STATUS_H

#include <orderhub/carrier.h>

/*
 * fedex_event_status - the canonical status of one scan.
 *
 *   event_type  scanEvents[].eventType (or latestStatusDetail.code), may be NULL
 *   derived     scanEvents[].derivedStatusCode (or latestStatusDetail.derivedCode), may be NULL
 *   text        the scan's description and exception description joined, may be NULL
 *
 * eventType decides when the table knows it (it is the finer code: an OD scan carries
 * derivedStatusCode "IT"); otherwise derivedStatusCode; otherwise OH_TRACK_UNKNOWN.  Codes are
 * compared as exact strings.
 */
oh_track_status fedex_event_status(const char *event_type, const char *derived,
                                   const char *text);

#endif
