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

/*
 * Plugins' key-value state (kv_set / kv_get of oh_host_api).  Its limits: a value of at most
 * HOST_KV_MAX_VALUE bytes, a key of 1..HOST_KV_MAX_KEY bytes, and HOST_KV_MAX_KEYS keys per
 * instance (a new key past that is refused: kv_set returns -1 and a warning is logged).
 * Whatever the backend, so a plugin behaves the same in the test kit and the daemon.
 */
#define HOST_KV_MAX_VALUE (64 * 1024)
#define HOST_KV_MAX_KEY 255
#define HOST_KV_MAX_KEYS 1024

/*
 * host_kv_backend - where the values live.  By default process memory (the plugin test kit,
 * tests); the daemon's hub installs the store (durable per instance) once it is open.  The
 * host does not link the store: the hub hands it these functions.  Both may be called from
 * any thread at once; arguments are borrowed for the call and already checked against the
 * limits above.
 *   set: value NULL deletes.  Durable when it returns 0.  0; 1 when `key` is new and the
 *        instance already has max_keys keys (nothing written); -1 on error (the backend
 *        logs why).
 *   get: 0 and *value (malloc'd, NUL-terminated, the caller frees it); 1 when absent; -1
 *        on error.
 */
typedef struct host_kv_backend {
    int (*set)(void *ctx, const char *instance, const char *key, const char *value,
               size_t max_keys);
    int (*get)(void *ctx, const char *instance, const char *key, char **value);
    void *ctx;
} host_kv_backend;

/*
 * host_kv_use - use backend `b` (copied) from now on; NULL returns to process memory.
 * Values set in memory before a backend is installed (by the first generation's init,
 * which runs before the hub opens the store) are moved into it, so none is lost; the
 * memory is then empty.  A kv_get in that first init does not see the store's values yet
 * (orderhubd builds the first generation before hub_start); init of later generations
 * (reloads) does.  Waits for kv calls in progress.  Call it from one thread at a time (the
 * hub's start and stop).
 */
void host_kv_use(const host_kv_backend *b);

/* host_kv_reset - forget every instance's key-value state held in memory (tests). */
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
