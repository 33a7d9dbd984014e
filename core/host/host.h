/*
 * host - the oh_host_api table handed to plugins, and the host side of the SDK structures
 * (requests, track results, labels, rate lists) that the executor and the test kit use.
 */
#ifndef OH_HOST_H
#define OH_HOST_H

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

/* host_api - the table (static storage, valid for the process). */
const oh_host_api *host_api(void);

/* host_now_override - fix the clock seen by plugins (tests, `--now`); 0 restores it. */
void host_now_override(int64_t unix_ms);

/* Requests: host_request_new returns a zeroed request; host_request_free frees all of it. */
oh_request *host_request_new(void);
void host_request_free(oh_request *req);

/* Track results. */
struct oh_track_result {
    oh_track_shipment *shipments; /* owned; each owns its events array */
    size_t count;
    size_t cap;
};
void host_track_result_clear(oh_track_result *r);

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

/* Label documents, kept beside the SDK's oh_label (which has no pointer fields). */
typedef struct host_document {
    char *mime_type;
    unsigned char *data;
    size_t len;
} host_document;
typedef struct host_label {
    oh_label label;           /* handed to the plugin; must stay the first member */
    host_document documents[2]; /* [0] label, [1] customs */
} host_label;
void host_label_clear(host_label *l);

struct oh_rate_list {
    oh_rate *rates; /* owned */
    size_t count;
};
void host_rate_list_clear(oh_rate_list *l);

/* host_kv_reset - forget every instance's key-value state (tests). */
void host_kv_reset(void);

/* Implementation pieces assembled into the table by host_api.c. */
int host_time_parse(const char *text, int64_t *unix_ms);
json_t *host_json_parse(const char *text, size_t len, oh_error *err);
xmlDoc *host_xml_parse(const char *text, size_t len, oh_error *err);
int host_request_set(oh_request *req, const char *method, const char *url);
int host_request_header(oh_request *req, const char *name, const char *value, unsigned flags);
int host_request_body(oh_request *req, const void *data, size_t len);
int host_request_mail(oh_request *req, const char *from, const char *const *rcpt, size_t n);
int host_url_encode(const char *in, char *out, size_t outlen);
oh_track_shipment *host_track_add_shipment(oh_track_result *r, const char *number);
oh_track_event *host_track_add_event(oh_track_shipment *s);
int host_label_document(oh_label *label, oh_document_kind kind, const char *mime,
                        const void *data, size_t len);
int host_rate_add(oh_rate_list *l, const oh_rate *rate);
int host_kv_set(oh_instance *self, const char *key, const char *value);
int host_kv_get(oh_instance *self, const char *key, char *buf, size_t buflen);

#endif
