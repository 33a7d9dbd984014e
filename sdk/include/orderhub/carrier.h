/*
 * orderhub/carrier.h - operations of a carrier plugin (kind OH_KIND_CARRIER).
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * A carrier plugin translates tracking (mandatory), label creation, rate quotes and inbound
 * tracking webhooks (each optional, each a complete pair).  Every carrier status code maps to
 * one canonical oh_track_status; the raw code and text are kept beside it.
 *
 * CARRIER CODES ARE STRINGS.  USPS and Canada Post codes are zero-padded ("01", "0174"):
 * never parse them as numbers.
 *
 * TIMESTAMPS are ISO-8601.  Keep the carrier's offset when it gives one
 * ("2026-03-02T14:05:00-05:00"); when it gives local time only, write it without an offset
 * ("2026-03-02T14:05:00").  Never invent "Z".
 */
#ifndef ORDERHUB_CARRIER_H
#define ORDERHUB_CARRIER_H

#include <orderhub/abi.h>
#include <orderhub/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Canonical tracking statuses (docs/formats.md §3).  Names: oh_track_status_name. */
typedef enum oh_track_status {
    OH_TRACK_UNKNOWN = 0,          /**< "unknown": a code the plugin cannot map */
    OH_TRACK_PENDING,              /**< "pending": created, nothing from the carrier yet */
    OH_TRACK_INFO_RECEIVED,        /**< "info_received": label data sent, not handed over */
    OH_TRACK_IN_TRANSIT,           /**< "in_transit" */
    OH_TRACK_OUT_FOR_DELIVERY,     /**< "out_for_delivery" */
    OH_TRACK_ATTEMPT_FAILED,       /**< "attempt_failed" */
    OH_TRACK_AVAILABLE_FOR_PICKUP, /**< "available_for_pickup" */
    OH_TRACK_DELIVERED,            /**< "delivered" */
    OH_TRACK_EXCEPTION,            /**< "exception" */
    OH_TRACK_RETURNED_TO_SENDER,   /**< "returned_to_sender" */
    OH_TRACK_CANCELLED,            /**< "cancelled" */
    OH_TRACK_EXPIRED               /**< "expired": set by the daemon only, never by a plugin */
} oh_track_status;

/** oh_track_status_name - the canonical lower-case name of `s` ("unknown" if out of range). */
static inline const char *oh_track_status_name(oh_track_status s)
{
    static const char *const names[] = {
        "unknown", "pending", "info_received", "in_transit", "out_for_delivery",
        "attempt_failed", "available_for_pickup", "delivered", "exception",
        "returned_to_sender", "cancelled", "expired"};
    return ((unsigned)s < sizeof(names) / sizeof(names[0])) ? names[s] : "unknown";
}

/** oh_location - a structured place (since 1.0).  Empty strings when unknown. */
typedef struct oh_location {
    char city[96];
    char region[64];      /**< state / province code or name */
    char postal_code[24];
    char country[3];      /**< ISO 3166-1 alpha-2, upper case */
} oh_location;

/** oh_proof - proof of delivery, where the carrier gives it (since 1.0). */
typedef struct oh_proof {
    char signed_by[128];
    char photo_url[512];
    int has_gps;          /**< nonzero when latitude/longitude are meaningful */
    double latitude;
    double longitude;
} oh_proof;

/** oh_track_event - one scan (since 1.0).  Host-owned, zeroed by track_add_event. */
typedef struct oh_track_event {
    uint32_t struct_size;
    oh_track_status status;   /**< canonical status of this event */
    char raw_code[32];        /**< carrier's code, exactly as sent */
    char raw_text[256];       /**< carrier's description */
    char timestamp[40];       /**< ISO-8601, see the file comment */
    oh_location location;
    oh_proof proof;
} oh_track_event;

/*
 * oh_track_error_kind - why a tracking number has no answer (since 1.1).  A lookup error is
 * not a status: the shipment keeps its last good state.  Names: oh_track_error_kind_name.
 */
typedef enum oh_track_error_kind {
    OH_TRACK_ERROR_NONE = 0,       /**< no error: the events are the answer */
    OH_TRACK_ERROR_NOT_FOUND,      /**< "not_found": valid, unknown to the carrier (yet) */
    OH_TRACK_ERROR_INVALID_NUMBER, /**< "invalid_number": not a number of this carrier */
    OH_TRACK_ERROR_AUTH,           /**< "auth": credentials refused */
    OH_TRACK_ERROR_RATE_LIMITED,   /**< "rate_limited": the carrier asked us to slow down */
    OH_TRACK_ERROR_CARRIER         /**< "carrier": any other error the carrier reports */
} oh_track_error_kind;

/** oh_track_error_kind_name - the lower-case name of `k` ("carrier" if out of range). */
static inline const char *oh_track_error_kind_name(oh_track_error_kind k)
{
    static const char *const names[] = {"none", "not_found", "invalid_number", "auth",
                                        "rate_limited", "carrier"};
    return ((unsigned)k < sizeof(names) / sizeof(names[0])) ? names[k] : "carrier";
}

/*
 * oh_track_shipment - one tracking number's answer (since 1.0).  Host-owned and zeroed by
 * track_add_shipment.
 *
 * Add events newest first, as carriers list them: after parse the host sorts them newest
 * first by instant, keeping the order they were added in for equal or unreadable times, and, when `status` was left OH_TRACK_UNKNOWN, takes the
 * newest event's.  A number the carrier reports an error for gets `error` (the message) and,
 * since 1.1, `error_kind` and `error_code` instead of events.  Fields added after 1.0 exist
 * only when struct_size covers them: check before writing them.
 */
typedef struct oh_track_shipment {
    uint32_t struct_size;
    char number[64];          /**< the tracking number, as asked */
    oh_track_status status;   /**< from the newest event by instant, else the summary */
    char error[256];          /**< lookup error ("not found"): then status stays unknown */
    char eta[40];             /**< expected delivery, ISO-8601 date or date-time, or "" */
    oh_track_event *events;   /**< host-owned array, grown by track_add_event */
    size_t event_count;
    /* ---- since 1.1 ---- */
    oh_track_error_kind error_kind; /**< set with `error`; NONE means "carrier" then */
    char error_code[64];            /**< the carrier's own error code, exactly as sent */
} oh_track_shipment;

/** True when shipment `s` (handed out by the host) carries the 1.1 error fields. */
#define OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s) \
    ((s)->struct_size >= offsetof(oh_track_shipment, error_code) + sizeof((s)->error_code))

/** oh_track_result - the shipments a track parse found.  Opaque; filled via the host table. */
typedef struct oh_track_result oh_track_result;

/** oh_address - a postal address, borrowed from the host (since 1.0).  NULL when absent. */
typedef struct oh_address {
    const char *name;
    const char *company;
    const char *street1;
    const char *street2;
    const char *city;
    const char *region;
    const char *postal_code;
    const char *country; /**< ISO 3166-1 alpha-2 */
    const char *phone;
    const char *email;
} oh_address;

/** oh_parcel - one package (since 1.0).  Metric integers. */
typedef struct oh_parcel {
    int64_t weight_g;
    int64_t length_mm;
    int64_t width_mm;
    int64_t height_mm;
} oh_parcel;

/** oh_customs_item - one line of a customs declaration (since 1.0). */
typedef struct oh_customs_item {
    const char *description;
    const char *hs_code;        /**< harmonized system code, may be NULL */
    const char *origin_country; /**< ISO 3166-1 alpha-2 */
    int64_t quantity;
    int64_t value;              /**< minor units of oh_shipment.currency, per line */
    int64_t weight_g;
} oh_customs_item;

/*
 * oh_shipment - what to ship, for a label or a rate quote (since 1.0).  Borrowed: owned by
 * the host, valid during the call.  customs_count is 0 for domestic shipments.
 *
 * Since 1.2 a return label has is_return set, and its addresses are the way the parcel
 * travels: ship_from is the buyer, ship_to the seller.  A carrier with a return service
 * (UPS ReturnService, a USPS or Canada Post return label) should use it; one without simply
 * ships from the buyer.  A plugin built for 1.2 reads is_return without checking the size:
 * a host never hands a plugin a smaller shipment than the plugin's own minor knows.
 */
typedef struct oh_shipment {
    uint32_t struct_size;
    const char *order_id;
    const char *service_level;  /**< requested level, e.g. "standard", "express" */
    const char *service;        /**< a carrier service code to use, or NULL: plugin's choice */
    const char *idempotency_key;
    oh_address ship_from;
    oh_address ship_to;
    const oh_parcel *parcels;
    size_t parcel_count;
    const oh_customs_item *customs;
    size_t customs_count;
    char currency[4];
    /* ---- since 1.2 ---- */
    int is_return;              /**< nonzero: a return label, buyer to seller */
} oh_shipment;

/** Which document of a label: see the host's label_document. */
typedef enum oh_document_kind {
    OH_DOCUMENT_LABEL = 1,   /**< the shipping label */
    OH_DOCUMENT_CUSTOMS = 2  /**< customs declaration (CN22/CN23, commercial invoice) */
} oh_document_kind;

/*
 * oh_label - a created label (since 1.0).  Host-owned and zeroed; documents are attached
 * with the host's label_document, which copies them.
 *
 * PARCELS (since 1.2).  tracking_number is the shipment's number: the carrier's master
 * number when it has one, else the first parcel's.  A label for several parcels names each
 * parcel's own number with the host's label_parcel, in the order of oh_shipment.parcels;
 * the host refuses a label for N > 1 parcels that does not name exactly N (two parcels
 * under one number cannot be tracked apart).  A one-parcel label may leave them out.  A
 * carrier that prints one label per parcel attaches each with label_parcel_document; one
 * that prints one document for all of them uses label_document.
 *
 * carrier_ref (since 1.2) is the carrier's own id of the shipment when a later void needs
 * it and it is not the tracking number (Canada Post's shipment id, a UPS shipment
 * identification number); "" otherwise.  The host keeps it and hands it back in
 * oh_label_ref.
 */
typedef struct oh_label {
    uint32_t struct_size;
    char tracking_number[64];
    char service[64];         /**< carrier service actually used */
    int64_t cost;             /**< minor units charged by the carrier, 0 if unknown */
    char currency[4];
    /* ---- since 1.2 ---- */
    char carrier_ref[128];    /**< the carrier's shipment id for a void, or "" */
} oh_label;

/*
 * oh_label_ref - a label bought earlier, as the host kept it (since 1.2).  Borrowed: owned
 * by the host, valid during the call.  Strings are never NULL ("" when absent).
 */
typedef struct oh_label_ref {
    uint32_t struct_size;
    const char *tracking_number;        /**< oh_label.tracking_number */
    const char *carrier_ref;            /**< oh_label.carrier_ref */
    const char *service;                /**< oh_label.service */
    const char *const *parcel_numbers;  /**< the numbers given to label_parcel, in order */
    size_t parcel_count;                /**< 0 for a label that named none */
    int is_return;                      /**< the label was a return label */
} oh_label_ref;

/** oh_rate - one quoted service (since 1.0); passed to the host's rate_add, which copies. */
typedef struct oh_rate {
    uint32_t struct_size;
    char service[64];         /**< carrier's service code */
    char service_level[32];   /**< orderhub level it satisfies: "economy", "standard", ... */
    int64_t amount;           /**< minor units */
    char currency[4];
    int transit_days;         /**< promised business days, 0 if unknown */
} oh_rate;

/** oh_rate_list - the quotes a rate parse found.  Opaque; filled via the host's rate_add. */
typedef struct oh_rate_list oh_rate_list;

/*
 * oh_carrier_ops - operations table of a carrier plugin (since 1.0).  Static storage of the
 * plugin.  Each build fills `req`; each parse reads `resp`.  Return OH_OK, OH_RETRY
 * (transient) or OH_FAIL with err set.  A malformed or hostile answer is OH_FAIL with the
 * reason: the shipment keeps its last good state.
 */
typedef struct oh_carrier_ops {
    uint32_t struct_size;
    /** Most tracking numbers one track request may carry (>= 1), e.g. 25 for USPS. */
    unsigned max_batch;
    /** Mandatory.  Build a request tracking numbers[0..count-1] (count <= max_batch). */
    int (*track_build)(void *state, const char *const *numbers, size_t count, oh_request *req,
                       oh_error *err);
    /** Mandatory.  Add one oh_track_shipment per number found in `resp` to `out`. */
    int (*track_parse)(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err);
    /** Optional pair: create a label (and customs form when shipment->customs_count > 0). */
    int (*label_build)(void *state, const oh_shipment *shipment, oh_request *req,
                       oh_error *err);
    int (*label_parse)(void *state, const oh_shipment *shipment, const oh_response *resp,
                       oh_label *out, oh_error *err);
    /** Optional pair: quote services for a shipment. */
    int (*rate_build)(void *state, const oh_shipment *shipment, oh_request *req,
                      oh_error *err);
    int (*rate_parse)(void *state, const oh_shipment *shipment, const oh_response *resp,
                      oh_rate_list *out, oh_error *err);
    /** Optional pair: verify an inbound tracking webhook, then parse it like a track answer. */
    int (*webhook_verify)(void *state, const oh_inbound *in, int64_t now_unix, oh_error *err);
    int (*webhook_parse)(void *state, const oh_inbound *in, oh_track_result *out,
                         oh_error *err);
    /* ---- since 1.2 ---- */
    /**
     * Optional pair: void (cancel) label `label` so the carrier does not charge for it.
     * void_parse returns OH_OK when the carrier confirms the void, OH_FAIL with the
     * carrier's reason when it refuses (already scanned, past its void window), OH_RETRY
     * when it could not tell.  A plugin for 1.0 or 1.1 has neither (a smaller struct_size):
     * the host then treats the label as not voidable.
     */
    int (*void_build)(void *state, const oh_label_ref *label, oh_request *req,
                      oh_error *err);
    int (*void_parse)(void *state, const oh_label_ref *label, const oh_response *resp,
                      oh_error *err);
} oh_carrier_ops;

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_CARRIER_H */
