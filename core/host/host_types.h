/*
 * host_types - the host side of the SDK structures (track results, labels, rate lists) and
 * the host's limits.  Types only: each file of core/host declares its functions in its own
 * header, which host.h gathers for the rest of orderhubd.
 */
#ifndef OH_HOST_TYPES_H
#define OH_HOST_TYPES_H

#include <orderhub/orderhub.h>

/* Limits applied to everything a plugin hands back or parses through the host. */
#define HOST_PARSE_MAX_BYTES (8u * 1024u * 1024u)
#define HOST_JSON_MAX_DEPTH 64
#define HOST_MAX_HEADERS 100
#define HOST_MAX_SHIPMENTS 1000
#define HOST_MAX_EVENTS 1000
#define HOST_MAX_RATES 100
#define HOST_MAX_RCPT 100

/*
 * host_instance_id - the id of a plugin instance, for log lines and the key-value state.
 * The host needs nothing else of an instance, so it does not see the structure: whoever
 * defines struct oh_instance (runtime/instance.h) makes `char *id` its first member and
 * checks that with a static assertion, and a pointer to a structure is a pointer to its
 * first member (C11 6.7.2.1).  NULL gives NULL.
 */
static inline const char *host_instance_id(const oh_instance *self)
{
    return self != NULL ? *(char *const *)(const void *)self : NULL;
}

/* Track results. */
struct oh_track_result {
    oh_track_shipment *shipments; /* owned; each owns its events array */
    size_t count;
    size_t cap;
};

/* Label documents, kept beside the SDK's oh_label (which has no pointer fields). */
typedef struct host_document {
    char *mime_type;
    unsigned char *data;
    size_t len;
} host_document;
typedef struct host_label {
    oh_label label;           /* handed to the plugin; must stay the first member */
    host_document documents[2]; /* [0] label, [1] customs */
    char (*parcels)[64];      /* label_parcel's numbers, in parcel order (owned) */
    host_document *parcel_docs; /* label_parcel_document's, parallel to parcels (owned) */
    size_t parcel_count;
} host_label;

struct oh_rate_list {
    oh_rate *rates; /* owned */
    size_t count;
};

#endif
