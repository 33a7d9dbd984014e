/*
 * track_result - what the host does with a carrier's parsed tracking answer before anyone
 * reads it: one order for events (newest first), one rule for the shipment's status, one
 * log line per unknown carrier code, and one JSON shape for the engine, the API and the
 * SDK test kit (`orderhub-plugin track-parse`).
 */
#include "config.h"

#include "track_result.h"

#include "host_time.h"

#include "log/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const oh_track_event *ev;
    int64_t instant; /* Unix ms, or INT64_MIN when the time cannot be read */
    size_t index;    /* arrival order: keeps the sort stable */
} ev_key;

static int newest_first(const void *a, const void *b)
{
    const ev_key *x = a, *y = b;
    if (x->instant != y->instant)
        return x->instant < y->instant ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Remember which (module, code) pairs were logged, so a chatty unknown code logs once. */
#define UNKNOWN_CODES_MAX 1024
static pthread_mutex_t unknown_lock = PTHREAD_MUTEX_INITIALIZER;
static char *unknown_codes[UNKNOWN_CODES_MAX];
static size_t unknown_count;

static void log_unknown_once(const char *who, const oh_track_event *ev)
{
    char key[160];
    snprintf(key, sizeof(key), "%s\x1f%s", who, ev->raw_code);
    pthread_mutex_lock(&unknown_lock);
    int seen = 0;
    for (size_t i = 0; i < unknown_count && !seen; i++)
        seen = strcmp(unknown_codes[i], key) == 0;
    int full = unknown_count == UNKNOWN_CODES_MAX;
    if (!seen && !full)
        unknown_codes[unknown_count++] = strdup(key);
    pthread_mutex_unlock(&unknown_lock);
    if (!seen && !full)
        log_warn("%s: carrier code '%s' (%s) has no canonical status: kept as unknown", who,
                 ev->raw_code, ev->raw_text);
}

int host_track_normalise(oh_track_result *r, const char *who)
{
    for (size_t i = 0; i < r->count; i++) {
        oh_track_shipment *s = &r->shipments[i];
        if (s->error[0] != '\0' && s->error_kind == OH_TRACK_ERROR_NONE)
            s->error_kind = OH_TRACK_ERROR_CARRIER;
        if (s->event_count == 0)
            continue;
        ev_key *keys = malloc(s->event_count * sizeof(*keys));
        oh_track_event *sorted = malloc(s->event_count * sizeof(*sorted));
        if (keys == NULL || sorted == NULL) {
            free(keys);
            free(sorted);
            return -1;
        }
        for (size_t k = 0; k < s->event_count; k++) {
            int64_t t;
            keys[k].ev = &s->events[k];
            keys[k].instant = host_time_parse(s->events[k].timestamp, &t) >= 0 ? t : INT64_MIN;
            keys[k].index = k;
            if (s->events[k].status == OH_TRACK_UNKNOWN && s->events[k].raw_code[0] != '\0' &&
                who != NULL)
                log_unknown_once(who, &s->events[k]);
        }
        qsort(keys, s->event_count, sizeof(*keys), newest_first);
        for (size_t k = 0; k < s->event_count; k++)
            sorted[k] = *keys[k].ev;
        memcpy(s->events, sorted, s->event_count * sizeof(*sorted));
        free(sorted);
        free(keys);
        if (s->status == OH_TRACK_UNKNOWN)
            s->status = s->events[0].status;
    }
    return 0;
}

/* Only the members that carry something: an empty string is "not given". */
static void set_text(json_t *obj, const char *key, const char *value)
{
    if (value != NULL && value[0] != '\0')
        json_object_set_new(obj, key, json_string(value));
}

static json_t *location_json(const oh_location *l)
{
    json_t *j = json_object();
    set_text(j, "city", l->city);
    set_text(j, "region", l->region);
    set_text(j, "postal_code", l->postal_code);
    set_text(j, "country", l->country);
    return j;
}

static int proof_given(const oh_proof *p)
{
    return p->signed_by[0] != '\0' || p->photo_url[0] != '\0' || p->has_gps;
}

static json_t *proof_json(const oh_proof *p)
{
    json_t *j = json_object();
    set_text(j, "signed_by", p->signed_by);
    set_text(j, "photo_url", p->photo_url);
    if (p->has_gps)
        json_object_set_new(j, "gps", json_pack("{s:f, s:f}", "latitude", p->latitude,
                                                "longitude", p->longitude));
    return j;
}

json_t *host_track_event_json(const oh_track_event *e)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "status", oh_track_status_name(e->status),
                     "raw_code", e->raw_code, "raw_text", e->raw_text, "time", e->timestamp,
                     "location", location_json(&e->location));
}

json_t *host_track_shipment_json(const oh_track_shipment *s)
{
    json_t *j = json_pack("{s:s}", "number", s->number);
    if (j == NULL)
        return NULL;
    if (s->error[0] != '\0') {
        json_t *e = json_pack("{s:s, s:s, s:s}", "kind",
                              oh_track_error_kind_name(s->error_kind == OH_TRACK_ERROR_NONE
                                                           ? OH_TRACK_ERROR_CARRIER
                                                           : s->error_kind),
                              "code", s->error_code, "message", s->error);
        json_object_set_new(j, "error", e);
        return j;
    }
    json_object_set_new(j, "status", json_string(oh_track_status_name(s->status)));
    set_text(j, "eta", s->eta);
    json_t *events = json_array();
    const oh_proof *proof = NULL;
    for (size_t i = 0; i < s->event_count; i++) {
        json_array_append_new(events, host_track_event_json(&s->events[i]));
        if (proof == NULL && proof_given(&s->events[i].proof))
            proof = &s->events[i].proof; /* the newest event that carries one */
    }
    json_object_set_new(j, "events", events);
    if (proof != NULL)
        json_object_set_new(j, "proof", proof_json(proof));
    return j;
}

json_t *host_track_result_json(const oh_track_result *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->count; i++)
        json_array_append_new(list, host_track_shipment_json(&r->shipments[i]));
    return json_pack("{s:o}", "tracking", list);
}
