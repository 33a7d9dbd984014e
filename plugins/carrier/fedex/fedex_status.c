/*
 * fedex_status - see fedex_status.h.  Codes: FedEx's track status code list (Track API
 * "Tracking-Status-Codes", the same two-letter codes as the former Web Services guide) and
 * docs/formats.md §3 for the canonical side.
 */
#define _POSIX_C_SOURCE 200809L

#include "fedex_status.h"

#include <string.h>
#include <strings.h>

typedef struct code_row {
    const char *code;
    oh_track_status status;
} code_row;

/* eventType -> status.  Every row is listed in README.md ("Status mapping"). */
static const code_row event_codes[] = {
    /* Shipment data only: the label exists, FedEx does not hold the parcel yet. */
    {"OC", OH_TRACK_INFO_RECEIVED}, /* Shipment information sent to FedEx (order created) */
    {"OX", OH_TRACK_INFO_RECEIVED}, /* Shipment information sent to USPS */
    /* Moving through the network. */
    {"PU", OH_TRACK_IN_TRANSIT}, /* Picked up */
    {"PX", OH_TRACK_IN_TRANSIT}, /* Picked up (see details) */
    {"IT", OH_TRACK_IN_TRANSIT}, /* In transit */
    {"IX", OH_TRACK_IN_TRANSIT}, /* In transit (see details) */
    {"AR", OH_TRACK_IN_TRANSIT}, /* Arrived at FedEx location */
    {"AF", OH_TRACK_IN_TRANSIT}, /* At local FedEx facility */
    {"AA", OH_TRACK_IN_TRANSIT}, /* At airport */
    {"AC", OH_TRACK_IN_TRANSIT}, /* At Canada Post facility */
    {"AX", OH_TRACK_IN_TRANSIT}, /* At USPS facility */
    {"DP", OH_TRACK_IN_TRANSIT}, /* Departed FedEx location */
    {"FD", OH_TRACK_IN_TRANSIT}, /* At FedEx destination facility */
    {"OF", OH_TRACK_IN_TRANSIT}, /* At FedEx origin facility */
    {"SF", OH_TRACK_IN_TRANSIT}, /* At sort facility */
    {"LO", OH_TRACK_IN_TRANSIT}, /* Left origin */
    {"EA", OH_TRACK_IN_TRANSIT}, /* Enroute to airport / export approved */
    {"EO", OH_TRACK_IN_TRANSIT}, /* Enroute to origin airport */
    {"PF", OH_TRACK_IN_TRANSIT}, /* Plane in flight */
    {"PL", OH_TRACK_IN_TRANSIT}, /* Plane landed */
    {"TR", OH_TRACK_IN_TRANSIT}, /* Transfer */
    {"CH", OH_TRACK_IN_TRANSIT}, /* Location changed */
    {"CC", OH_TRACK_IN_TRANSIT}, /* Cleared customs */
    {"CP", OH_TRACK_IN_TRANSIT}, /* Clearance in progress */
    {"AO", OH_TRACK_IN_TRANSIT}, /* Shipment arriving on-time */
    {"AE", OH_TRACK_IN_TRANSIT}, /* Shipment arriving early */
    /* The last mile. */
    {"OD", OH_TRACK_OUT_FOR_DELIVERY}, /* On FedEx vehicle for delivery */
    {"ED", OH_TRACK_OUT_FOR_DELIVERY}, /* Enroute to delivery */
    {"AD", OH_TRACK_OUT_FOR_DELIVERY}, /* At delivery */
    {"HP", OH_TRACK_AVAILABLE_FOR_PICKUP}, /* Ready for recipient pickup */
    {"HL", OH_TRACK_AVAILABLE_FOR_PICKUP}, /* Hold at location */
    {"DL", OH_TRACK_DELIVERED},            /* Delivered */
    /* Trouble (DE may become attempt_failed: see below). */
    {"DE", OH_TRACK_EXCEPTION}, /* Delivery exception */
    {"SE", OH_TRACK_EXCEPTION}, /* Shipment exception */
    {"CD", OH_TRACK_EXCEPTION}, /* Clearance delay */
    {"DY", OH_TRACK_EXCEPTION}, /* Delay */
    {"DD", OH_TRACK_EXCEPTION}, /* Delivery delay */
    {"PD", OH_TRACK_EXCEPTION}, /* Pickup delay */
    {"RS", OH_TRACK_RETURNED_TO_SENDER}, /* Return to shipper */
    {"CA", OH_TRACK_CANCELLED},          /* Shipment cancelled */
};

/*
 * derivedStatusCode values that are not also eventType codes above.  The derived code is
 * FedEx's own coarse summary ("IN" = label created, "RL" = running late); it is only read
 * when the eventType is missing or not in the table.
 */
static const code_row derived_only[] = {
    {"IN", OH_TRACK_INFO_RECEIVED}, /* Initiated / label created */
    {"RL", OH_TRACK_IN_TRANSIT},    /* Running late: still moving */
};

/*
 * A DE scan whose description says nobody could take the parcel is a failed attempt, not a
 * lost parcel.  FedEx documents no exception-code list for this: the phrases come from
 * recorded answers ("Customer not available or business closed") and are UNVERIFIED.
 */
static const char *const attempt_phrases[] = {"not available", "business closed",
                                              "no one available", "not home"};

static int find(const code_row *rows, size_t n, const char *code, oh_track_status *out)
{
    if (code == NULL || code[0] == '\0')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].code, code) == 0) {
            *out = rows[i].status;
            return 1;
        }
    }
    return 0;
}

/* Case-insensitive substring search (strcasestr is a GNU extension). */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay != NULL && *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    }
    return 0;
}

oh_track_status fedex_event_status(const char *event_type, const char *derived,
                                   const char *text)
{
    oh_track_status st = OH_TRACK_UNKNOWN;
    const size_t nev = sizeof(event_codes) / sizeof(event_codes[0]);
    const char *decided_by = event_type;
    if (!find(event_codes, nev, event_type, &st)) {
        decided_by = derived;
        if (!find(event_codes, nev, derived, &st))
            find(derived_only, sizeof(derived_only) / sizeof(derived_only[0]), derived, &st);
    }
    if (st == OH_TRACK_EXCEPTION && strcmp(decided_by, "DE") == 0) {
        for (size_t i = 0; i < sizeof(attempt_phrases) / sizeof(attempt_phrases[0]); i++) {
            if (contains_nocase(text, attempt_phrases[i]))
                return OH_TRACK_ATTEMPT_FAILED;
        }
    }
    return st;
}
