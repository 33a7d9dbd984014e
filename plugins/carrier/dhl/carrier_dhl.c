/*
 * carrier_dhl - DHL Shipment Tracking - Unified (REST/JSON, API key).
 *
 *   GET {base_url}/track/shipments?trackingNumber=N[&service=S]&language=en
 *   DHL-API-Key: {api_key}                                     (flagged sensitive)
 *   200 {"shipments":[{"id":"..","service":"express",
 *         "status":{"timestamp","location":{"address":{"addressLocality","postalCode",
 *                   "countryCode"}},"statusCode","status","description"},
 *         "estimatedTimeOfDelivery":"..",
 *         "details":{"proofOfDelivery":{"signatureUrl","documentUrl","signed":{"name"}}},
 *         "events":[ same shape as status, newest first ]}]}
 *   4xx/5xx RFC 7807 problem JSON {"title","status","detail","instance"}; 404 when no
 *   shipment matches the number.
 *
 * The query takes ONE tracking number (max_batch 1): DHL documents no list form.  README.md
 * holds the mapping and every error rule; dhl_status.c holds the heuristics.
 */
#define _POSIX_C_SOURCE 200809L

#include "dhl_status.h"

#include "../../common/json_walk.h"

#include <orderhub/orderhub.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct carrier {
    const oh_host_api *host;
    const char *base_url;
    const char *api_key; /* sensitive */
    const char *service; /* "" or a DHL service filter ("express", "parcel-de", ...) */
} carrier;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://api-eu.dhl.com",
     "DHL API root: https://api-eu.dhl.com (production) or https://api-test.dhl.com (test)",
     OH_SETTING_HTTP_URL, 0, 0},
    {"api_key", OH_SETTING_STRING, NULL, "API key of the DHL developer app (DHL-API-Key)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"service", OH_SETTING_STRING, "",
     "Restrict lookups to one DHL service (express, parcel-de, ecommerce, freight, ...); "
     "empty: all", 0, 0, 0},
    OH_SETTINGS_END};

/* Strict member access: plugins/common/json_walk.h. */

/* ---- lifecycle ------------------------------------------------------------------------- */

static int carrier_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    (void)self;
    carrier *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    c->host = host;
    c->base_url = host->setting_string(s, "base_url");
    c->api_key = host->setting_string(s, "api_key");
    c->service = host->setting_string(s, "service");
    if (c->api_key == NULL || c->api_key[0] == '\0') {
        free(c);
        return oh_error_set(err, OH_FAIL, "api_key must not be empty");
    }
    if (c->service == NULL)
        c->service = "";
    *state = c;
    return OH_OK;
}

static void carrier_destroy(void *state)
{
    free(state);
}

/* ---- track_build ----------------------------------------------------------------------- */

static int track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                       oh_error *err)
{
    carrier *c = state;
    if (count != 1)
        return oh_error_set(err, OH_FAIL, "%zu tracking numbers: DHL takes one per request",
                            count);
    size_t nlen = numbers[0] ? strlen(numbers[0]) : 0;
    if (nlen == 0 || nlen >= sizeof(((oh_track_shipment *)0)->number))
        return oh_error_set(err, OH_FAIL, "tracking number is empty or too long");
    char num[200], svc[200] = "", url[1600];
    if (c->host->url_encode(numbers[0], num, sizeof(num)) < 0 ||
        (c->service[0] != '\0' && c->host->url_encode(c->service, svc, sizeof(svc)) < 0))
        return oh_error_set(err, OH_FAIL, "tracking number or service too long");
    size_t blen = strlen(c->base_url);
    while (blen > 0 && c->base_url[blen - 1] == '/')
        blen--;
    /* language=en: the out_for_delivery phrases are matched in English. */
    int n = snprintf(url, sizeof(url), "%.*s/track/shipments?trackingNumber=%s%s%s&language=en",
                     (int)blen, c->base_url, num, svc[0] ? "&service=" : "", svc);
    if (n < 0 || (size_t)n >= sizeof(url))
        return oh_error_set(err, OH_FAIL, "track URL too long");
    if (c->host->request_set(req, "GET", url) != 0 ||
        c->host->request_header(req, "Accept", "application/json", 0) != 0 ||
        c->host->request_header(req, "DHL-API-Key", c->api_key, OH_HEADER_SENSITIVE) != 0)
        return oh_error_set(err, OH_FAIL, "cannot build the track request");
    return OH_OK;
}

/* ---- track_parse: errors ---------------------------------------------------------------- */

/* "title: detail" of an RFC 7807 problem body, or "" when the body is not one. */
static void problem_reason(const carrier *c, const oh_response *resp, char *out, size_t len)
{
    out[0] = '\0';
    oh_error ignored = {{0}};
    json_t *j = c->host->json_parse(resp->body, resp->body_len, &ignored);
    const char *title = json_string_value(json_object_get(j, "title"));
    const char *detail = json_string_value(json_object_get(j, "detail"));
    if (title != NULL || detail != NULL)
        snprintf(out, len, "%.100s%s%.200s", title ? title : "", title && detail ? ": " : "",
                 detail ? detail : "");
    json_decref(j);
}

static int http_failure(const carrier *c, const char *const *numbers, size_t count,
                        const oh_response *resp, oh_track_result *out, oh_error *err)
{
    char reason[320];
    problem_reason(c, resp, reason, sizeof(reason));
    const char *sep = reason[0] ? ": " : "";
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "DHL: HTTP %d (transient)%s%s", resp->status, sep,
                            reason);
    if (resp->status == 401 || resp->status == 403)
        return oh_error_set(err, OH_FAIL, "DHL: HTTP %d, API key refused%s%s", resp->status,
                            sep, reason);
    if (resp->status == 404) {
        /* DHL's "no shipment matches": a lookup error of the one number asked. */
        if (count != 1)
            return oh_error_set(err, OH_FAIL, "DHL: HTTP 404 for %zu numbers: cannot tell "
                                              "which was not found", count);
        oh_track_shipment *s = c->host->track_add_shipment(out, numbers[0]);
        if (s == NULL)
            return oh_error_set(err, OH_FAIL, "out of memory");
        snprintf(s->error, sizeof(s->error), "%s", reason[0] ? reason : "No result found");
        if (OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s)) {
            s->error_kind = OH_TRACK_ERROR_NOT_FOUND;
            OH_STRLCPY(s->error_code, "404");
        }
        return OH_OK;
    }
    return oh_error_set(err, OH_FAIL, "DHL: HTTP %d%s%s", resp->status, sep, reason);
}

/* ---- track_parse: one shipment ---------------------------------------------------------- */

static void copy_country(char dst[3], const char *src)
{
    if (src != NULL && strlen(src) == 2 && isalpha((unsigned char)src[0]) &&
        isalpha((unsigned char)src[1])) {
        dst[0] = (char)toupper((unsigned char)src[0]);
        dst[1] = (char)toupper((unsigned char)src[1]);
        dst[2] = '\0';
    }
}

/* One event object (an events[] entry, or shipment.status) into a new oh_track_event. */
static int add_event(const carrier *c, walk *w, const json_t *je, const char *where,
                     oh_track_shipment *s, oh_error *err)
{
    if (!json_is_object(je))
        return oh_error_set(err, OH_FAIL, "%s: %s is not an object", s->number, where);
    const char *ts = str(w, je, "timestamp");
    int64_t at;
    if (ts == NULL || strlen(ts) >= sizeof(((oh_track_event *)0)->timestamp) ||
        c->host->time_parse(ts, &at) < 0)
        return oh_error_set(err, OH_FAIL, "%s: %s has no ISO-8601 timestamp", s->number,
                            where);
    oh_track_event *ev = c->host->track_add_event(s);
    if (ev == NULL)
        return oh_error_set(err, OH_FAIL, "%s: too many events", s->number);
    const char *code = str(w, je, "statusCode");
    const char *status = str(w, je, "status");
    const char *desc = str(w, je, "description");
    OH_STRLCPY(ev->raw_code, code);
    OH_STRLCPY(ev->raw_text, desc && desc[0] ? desc : status);
    OH_STRLCPY(ev->timestamp, ts); /* as sent: with its offset, or local time without one */
    const json_t *addr = OBJ(w, OBJ(w, je, "location"), "address");
    copy_country(ev->location.country, str(w, addr, "countryCode"));
    OH_STRLCPY(ev->location.postal_code, str(w, addr, "postalCode"));
    dhl_locality(str(w, addr, "addressLocality"), ev->location.country, &ev->location);
    ev->status = dhl_event_status(code, status, desc);
    return OH_OK;
}

static int is_web_url(const char *u)
{
    return u != NULL && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0);
}

/* details.proofOfDelivery goes on the newest delivered event (the host shows it as proof). */
static void add_proof(const carrier *c, walk *w, const json_t *shp, oh_track_shipment *s)
{
    const json_t *pod = OBJ(w, OBJ(w, shp, "details"), "proofOfDelivery");
    if (pod == NULL)
        return;
    const json_t *signer = OBJ(w, pod, "signed");
    char who[128] = "";
    const char *name = str(w, signer, "name");
    const char *given = str(w, signer, "givenName"), *family = str(w, signer, "familyName");
    if (name != NULL && name[0] != '\0')
        snprintf(who, sizeof(who), "%s", name);
    else if (given != NULL || family != NULL)
        snprintf(who, sizeof(who), "%s%s%s", given ? given : "", given && family ? " " : "",
                 family ? family : "");
    /* A signature image is the closest DHL gives to a photo; the ePOD document otherwise. */
    const char *url = str(w, pod, "signatureUrl");
    if (!is_web_url(url))
        url = str(w, pod, "documentUrl");
    if (!is_web_url(url))
        url = NULL;
    if (who[0] == '\0' && url == NULL)
        return;
    oh_track_event *best = NULL;
    int64_t best_t = INT64_MIN, t;
    for (size_t k = 0; k < s->event_count; k++) {
        oh_track_event *ev = &s->events[k];
        if (ev->status == OH_TRACK_DELIVERED && c->host->time_parse(ev->timestamp, &t) >= 0 &&
            (best == NULL || t > best_t)) {
            best = ev;
            best_t = t;
        }
    }
    if (best != NULL) {
        OH_STRLCPY(best->proof.signed_by, who);
        OH_STRLCPY(best->proof.photo_url, url);
    }
}

static int fill_shipment(const carrier *c, walk *w, const json_t *shp, oh_track_shipment *s,
                         oh_error *err)
{
    const json_t *events = ARR(w, shp, "events");
    size_t i;
    const json_t *je;
    json_array_foreach(events, i, je) {
        char where[32];
        snprintf(where, sizeof(where), "events[%zu]", i);
        int rc = add_event(c, w, je, where, s, err);
        if (rc != OH_OK)
            return rc;
    }
    /* Some services send only the current status: it is then the one event there is. */
    const json_t *status = OBJ(w, shp, "status");
    if (s->event_count == 0 && status != NULL) {
        int rc = add_event(c, w, status, "status", s, err);
        if (rc != OH_OK)
            return rc;
    }
    OH_STRLCPY(s->eta, str(w, shp, "estimatedTimeOfDelivery"));
    add_proof(c, w, shp, s);
    return OH_OK;
}

/* Its status timestamp, to choose among several shipments (INT64_MIN when unreadable). */
static int64_t status_time(const carrier *c, const json_t *shp)
{
    int64_t t;
    const char *ts =
        json_string_value(json_object_get(json_object_get(shp, "status"), "timestamp"));
    return ts != NULL && c->host->time_parse(ts, &t) >= 0 ? t : INT64_MIN;
}

static int track_parse(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err)
{
    carrier *c = state;
    if (resp->status != 200)
        return http_failure(c, numbers, count, resp, out, err);
    if (count > 1)
        return oh_error_set(err, OH_FAIL, "%zu numbers for one DHL answer", count);
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    walk w = {NULL};
    int rc = OH_OK;
    const json_t *list = json_is_object(j) ? ARR(&w, j, "shipments") : NULL;
    /*
     * One number can match several shipments (one per DHL service, or a reused number):
     * keep the one whose status is the most recent, the first on a tie.
     */
    const json_t *best = NULL, *shp;
    int64_t best_t = INT64_MIN;
    size_t i;
    json_array_foreach(list, i, shp) {
        if (!json_is_object(shp)) {
            rc = oh_error_set(err, OH_FAIL, "shipments[%zu] is not an object", i);
            break;
        }
        int64_t t = status_time(c, shp);
        if (best == NULL || t > best_t) {
            best = shp;
            best_t = t;
        }
    }
    char id[64] = "";
    if (best != NULL) {
        const json_t *jid = json_object_get(best, "id");
        if (json_is_string(jid))
            OH_STRLCPY(id, json_string_value(jid));
        else if (json_is_integer(jid)) /* seen in recorded answers: a bare number */
            snprintf(id, sizeof(id), "%" JSON_INTEGER_FORMAT, json_integer_value(jid));
    }
    const char *number = count == 1 ? numbers[0] : id;
    if (rc != OH_OK) {
        /* already set */
    } else if (list == NULL) {
        rc = oh_error_set(err, OH_FAIL, "answer has no \"shipments\" array");
    } else if (number == NULL || number[0] == '\0') {
        rc = oh_error_set(err, OH_FAIL, best ? "shipment has no id" : "no shipment and no "
                                                                      "number asked");
    } else {
        oh_track_shipment *s = c->host->track_add_shipment(out, number);
        if (s == NULL)
            rc = oh_error_set(err, OH_FAIL, "out of memory");
        else if (best == NULL) {
            /* An empty list in a 200: the same as DHL's usual 404. */
            OH_STRLCPY(s->error, "No shipment in the answer");
            if (OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s))
                s->error_kind = OH_TRACK_ERROR_NOT_FOUND;
        } else
            rc = fill_shipment(c, &w, best, s, err);
    }
    if (rc == OH_OK && w.bad != NULL)
        rc = oh_error_set(err, OH_FAIL, "member \"%s\" has the wrong type", w.bad);
    json_decref(j);
    return rc;
}

static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops, .max_batch = 1,
    .track_build = track_build, .track_parse = track_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_dhl", .version = "0.1.0", .kind = OH_KIND_CARRIER,
    .description = "DHL Shipment Tracking - Unified (JSON)", .settings = settings,
    .init = carrier_init, .destroy = carrier_destroy, .carrier = &ops);

OH_PLUGIN_DEFINE(plugin)
