/*
 * carrier_fedex - FedEx Track API (REST/JSON, OAuth2 client credentials).
 *
 *   auth:  POST {base_url}/oauth/token
 *          Content-Type: application/x-www-form-urlencoded
 *          grant_type=client_credentials&client_id=..&client_secret=..
 *          200 {"access_token":"..","token_type":"bearer","expires_in":3599,"scope":"CXS"}
 *   track: POST {base_url}/track/v1/trackingnumbers        (up to 30 numbers, FedEx's limit)
 *          Authorization: Bearer <token from the auth step>
 *          {"includeDetailedScans":true,
 *           "trackingInfo":[{"trackingNumberInfo":{"trackingNumber":".."}},...]}
 *          200 {"transactionId":..,"output":{"completeTrackResults":[
 *                {"trackingNumber":"..","trackResults":[{trackingNumberInfo, latestStatusDetail,
 *                 dateAndTimes[], deliveryDetails, scanEvents[], error?}]}]}}
 *          4xx/5xx {"transactionId":..,"errors":[{"code":"NOT.AUTHORIZED.ERROR","message":..}]}
 *
 * README.md holds the status mapping and every error rule; fedex_status.c holds the table.
 */
#define _POSIX_C_SOURCE 200809L

#include "fedex_status.h"

#include "../../common/json_walk.h"

#include <orderhub/orderhub.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* FedEx documents at most 30 tracking numbers per Track by Tracking Number request. */
#define FEDEX_MAX_BATCH 30

typedef struct carrier {
    const oh_host_api *host;
    const char *base_url;      /* owned by the settings, valid until destroy */
    const char *client_id;     /* sensitive */
    const char *client_secret; /* sensitive */
} carrier;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://apis.fedex.com",
     "FedEx API root: https://apis.fedex.com (production) or https://apis-sandbox.fedex.com",
     OH_SETTING_HTTP_URL, 0, 0},
    {"client_id", OH_SETTING_STRING, NULL, "API key of the FedEx project (Track API)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"client_secret", OH_SETTING_STRING, NULL, "Secret key of the FedEx project",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    OH_SETTINGS_END};

/* ---- strict JSON member access ---------------------------------------------------------- */

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
    c->client_id = host->setting_string(s, "client_id");
    c->client_secret = host->setting_string(s, "client_secret");
    if (c->client_id == NULL || c->client_id[0] == '\0' || c->client_secret == NULL ||
        c->client_secret[0] == '\0') {
        free(c);
        return oh_error_set(err, OH_FAIL, "client_id and client_secret must not be empty");
    }
    *state = c;
    return OH_OK;
}

static void carrier_destroy(void *state)
{
    free(state);
}

/* {base_url}{path}, without doubling a trailing '/' of base_url. */
static int make_url(const carrier *c, const char *path, char *out, size_t outlen)
{
    size_t blen = strlen(c->base_url);
    while (blen > 0 && c->base_url[blen - 1] == '/')
        blen--;
    int n = snprintf(out, outlen, "%.*s%s", (int)blen, c->base_url, path);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* ---- error envelopes -------------------------------------------------------------------- */

/*
 * The first entry of FedEx's {"errors":[{"code","message"}]} envelope as "CODE: message",
 * or "" when the body is not that envelope (a proxy's HTML page, say).
 */
static void envelope_reason(const carrier *c, const oh_response *resp, char *out, size_t len)
{
    out[0] = '\0';
    oh_error ignored = {{0}};
    json_t *j = c->host->json_parse(resp->body, resp->body_len, &ignored);
    const json_t *first = json_array_get(json_object_get(j, "errors"), 0);
    const char *code = json_string_value(json_object_get(first, "code"));
    const char *msg = json_string_value(json_object_get(first, "message"));
    if (code != NULL || msg != NULL)
        snprintf(out, len, ": %.64s%s%.200s", code ? code : "", code && msg ? ": " : "",
                 msg ? msg : "");
    json_decref(j);
}

/*
 * A non-200 answer to either call: 401/403 are refused credentials (a retry with the same
 * ones cannot help), 429 and 5xx are transient, anything else is a permanent refusal of the
 * request as built.
 */
static int http_failure(const carrier *c, const oh_response *resp, const char *what,
                        oh_error *err)
{
    char reason[300];
    envelope_reason(c, resp, reason, sizeof(reason));
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "FedEx %s: HTTP %d (transient)%s", what,
                            resp->status, reason);
    if (resp->status == 401 || resp->status == 403)
        return oh_error_set(err, OH_FAIL, "FedEx %s: HTTP %d, credentials refused%s", what,
                            resp->status, reason);
    return oh_error_set(err, OH_FAIL, "FedEx %s: HTTP %d%s", what, resp->status, reason);
}

/* ---- auth step ------------------------------------------------------------------------- */

static int append_param(const carrier *c, char *buf, size_t len, size_t *used,
                        const char *name, const char *value)
{
    size_t cap = strlen(value) * 3 + 1;
    char *enc = malloc(cap);
    int rc = -1;
    if (enc != NULL && c->host->url_encode(value, enc, cap) >= 0) {
        int n = snprintf(buf + *used, len - *used, "%s%s=%s", *used ? "&" : "", name, enc);
        if (n > 0 && (size_t)n < len - *used) {
            *used += (size_t)n;
            rc = 0;
        }
    }
    if (enc != NULL) {
        memset(enc, 0, cap); /* it held a secret */
        free(enc);
    }
    return rc;
}

static int fedex_auth_build(void *state, oh_request *req, oh_error *err)
{
    carrier *c = state;
    char url[1200], body[4096];
    size_t used = 0;
    if (make_url(c, "/oauth/token", url, sizeof(url)) != 0)
        return oh_error_set(err, OH_FAIL, "base_url is too long");
    /* FedEx takes the credentials in the form body (its documented way), not Basic auth. */
    int rc = append_param(c, body, sizeof(body), &used, "grant_type", "client_credentials") ||
             append_param(c, body, sizeof(body), &used, "client_id", c->client_id) ||
             append_param(c, body, sizeof(body), &used, "client_secret", c->client_secret);
    if (rc == 0 &&
        (c->host->request_set(req, "POST", url) != 0 ||
         c->host->request_header(req, "Content-Type", "application/x-www-form-urlencoded",
                                 0) != 0 ||
         c->host->request_header(req, "Accept", "application/json", 0) != 0 ||
         c->host->request_body(req, body, used) != 0))
        rc = -1;
    memset(body, 0, sizeof(body));
    return rc == 0 ? OH_OK
                   : oh_error_set(err, OH_FAIL, "cannot build the token request "
                                                "(credentials too long?)");
}

/* expires_in: FedEx sends a number (3599); accept a digit string too, as UPS does. */
static int read_expires(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return *out > 0 ? 0 : -1;
    }
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) > 9)
        return -1;
    int64_t n = 0;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        n = n * 10 + (*s - '0');
    }
    *out = n;
    return n > 0 ? 0 : -1;
}

static int fedex_auth_parse(void *state, const oh_response *resp, oh_auth_token *out,
                            oh_error *err)
{
    carrier *c = state;
    if (resp->status != 200)
        return http_failure(c, resp, "token request", err);
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    int rc = OH_OK;
    const char *token = json_string_value(json_object_get(j, "access_token"));
    const char *type = json_string_value(json_object_get(j, "token_type"));
    int64_t expires = 0;
    if (token == NULL || token[0] == '\0')
        rc = oh_error_set(err, OH_FAIL, "token answer has no access_token");
    else if (strlen(token) >= sizeof(out->token))
        rc = oh_error_set(err, OH_FAIL, "access_token longer than %zu bytes",
                          sizeof(out->token) - 1);
    else if (type != NULL && strcasecmp(type, "bearer") != 0)
        rc = oh_error_set(err, OH_FAIL, "token_type is \"%.32s\", not bearer", type);
    else if (read_expires(json_object_get(j, "expires_in"), &expires) != 0)
        rc = oh_error_set(err, OH_FAIL, "token answer has no positive expires_in");
    else {
        OH_STRLCPY(out->token, token);
        out->expires_in_s = expires;
    }
    json_decref(j);
    return rc;
}

/* ---- track_build ----------------------------------------------------------------------- */

static int track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                       oh_error *err)
{
    carrier *c = state;
    char url[1200];
    if (count == 0 || count > FEDEX_MAX_BATCH)
        return oh_error_set(err, OH_FAIL, "%zu tracking numbers: FedEx takes 1 to %d", count,
                            FEDEX_MAX_BATCH);
    if (req->auth_token == NULL || req->auth_token[0] == '\0')
        return oh_error_set(err, OH_FAIL, "no access token: the auth step has not run");
    if (make_url(c, "/track/v1/trackingnumbers", url, sizeof(url)) != 0)
        return oh_error_set(err, OH_FAIL, "base_url is too long");
    json_t *info = json_array();
    for (size_t i = 0; info != NULL && i < count; i++) {
        size_t n = numbers[i] ? strlen(numbers[i]) : 0;
        if (n == 0 || n >= sizeof(((oh_track_shipment *)0)->number)) {
            json_decref(info);
            return oh_error_set(err, OH_FAIL, "tracking number %zu is empty or too long",
                                i + 1);
        }
        json_array_append_new(info, json_pack("{s:{s:s}}", "trackingNumberInfo",
                                              "trackingNumber", numbers[i]));
    }
    json_t *body = json_pack("{s:b, s:o}", "includeDetailedScans", 1, "trackingInfo", info);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    char auth[4200];
    int n = snprintf(auth, sizeof(auth), "Bearer %s", req->auth_token);
    int rc = (text != NULL && n > 0 && (size_t)n < sizeof(auth) &&
              c->host->request_set(req, "POST", url) == 0 &&
              c->host->request_header(req, "Content-Type", "application/json", 0) == 0 &&
              c->host->request_header(req, "Accept", "application/json", 0) == 0 &&
              c->host->request_header(req, "Authorization", auth, OH_HEADER_SENSITIVE) == 0 &&
              c->host->request_body(req, text, strlen(text)) == 0)
                 ? OH_OK
                 : oh_error_set(err, OH_FAIL, "cannot build the track request");
    memset(auth, 0, sizeof(auth));
    free(text);
    return rc;
}

/* ---- track_parse ----------------------------------------------------------------------- */

/* Equal tracking numbers, ignoring case and blanks (FedEx may echo a normalised number). */
static int same_number(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (*a == '\0' || *b == '\0')
            return *a == *b;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return 0;
        a++;
        b++;
    }
}

/* Newest scan instant of one trackResult (INT64_MIN when it has none readable). */
static int64_t newest_scan(const carrier *c, const json_t *tr)
{
    int64_t best = INT64_MIN, t;
    size_t i;
    const json_t *ev;
    json_array_foreach(json_object_get(tr, "scanEvents"), i, ev) {
        const char *d = json_string_value(json_object_get(ev, "date"));
        if (d != NULL && c->host->time_parse(d, &t) >= 0 && t > best)
            best = t;
    }
    return best;
}

/*
 * FedEx reuses tracking numbers: one completeTrackResult may hold several trackResults
 * (different trackingNumberUniqueId).  orderhub tracks one parcel per number, so take the
 * one without an error whose newest scan is the most recent (the parcel just shipped),
 * the first on a tie; a result with an error only when all have one.
 */
static const json_t *pick_result(const carrier *c, const json_t *results)
{
    const json_t *best = NULL, *tr;
    int64_t best_t = INT64_MIN;
    int best_ok = 0;
    size_t i;
    json_array_foreach(results, i, tr) {
        if (!json_is_object(tr))
            continue;
        int ok = json_object_get(tr, "error") == NULL ||
                 json_is_null(json_object_get(tr, "error"));
        int64_t t = ok ? newest_scan(c, tr) : INT64_MIN;
        if (best == NULL || (ok && !best_ok) || (ok == best_ok && t > best_t)) {
            best = tr;
            best_t = t;
            best_ok = ok;
        }
    }
    return best;
}

static void copy_country(char dst[3], const char *src)
{
    /* ISO 3166-1 alpha-2 only: anything else would be truncated into a wrong code. */
    if (src != NULL && strlen(src) == 2 && isalpha((unsigned char)src[0]) &&
        isalpha((unsigned char)src[1])) {
        dst[0] = (char)toupper((unsigned char)src[0]);
        dst[1] = (char)toupper((unsigned char)src[1]);
        dst[2] = '\0';
    }
}

static void copy_location(walk *w, const json_t *loc, oh_location *out)
{
    OH_STRLCPY(out->city, str(w, loc, "city"));
    OH_STRLCPY(out->region, str(w, loc, "stateOrProvinceCode"));
    OH_STRLCPY(out->postal_code, str(w, loc, "postalCode"));
    copy_country(out->country, str(w, loc, "countryCode"));
}

/* "eventDescription: exceptionDescription" - the exception text is the useful part of DE/SE. */
static void join_text(char *dst, size_t len, const char *desc, const char *exc)
{
    if (exc != NULL && exc[0] != '\0' && (desc == NULL || strcmp(desc, exc) != 0))
        snprintf(dst, len, "%s%s%s", desc ? desc : "", desc && desc[0] ? ": " : "", exc);
    else
        snprintf(dst, len, "%s", desc ? desc : "");
}

static int add_events(const carrier *c, walk *w, const json_t *tr, oh_track_shipment *s,
                      oh_error *err)
{
    const json_t *events = ARR(w, tr, "scanEvents");
    size_t i;
    const json_t *je;
    json_array_foreach(events, i, je) {
        if (!json_is_object(je))
            return oh_error_set(err, OH_FAIL, "%s: scanEvents[%zu] is not an object",
                                s->number, i);
        const char *date = str(w, je, "date");
        int64_t at;
        if (date == NULL || strlen(date) >= sizeof(((oh_track_event *)0)->timestamp) ||
            c->host->time_parse(date, &at) < 0)
            return oh_error_set(err, OH_FAIL, "%s: scanEvents[%zu] has no ISO-8601 date",
                                s->number, i);
        oh_track_event *ev = c->host->track_add_event(s);
        if (ev == NULL)
            return oh_error_set(err, OH_FAIL, "%s: too many scan events", s->number);
        const char *type = str(w, je, "eventType");
        OH_STRLCPY(ev->raw_code, type);
        join_text(ev->raw_text, sizeof(ev->raw_text), str(w, je, "eventDescription"),
                  str(w, je, "exceptionDescription"));
        OH_STRLCPY(ev->timestamp, date);
        copy_location(w, OBJ(w, je, "scanLocation"), &ev->location);
        ev->status = fedex_event_status(type, str(w, je, "derivedStatusCode"), ev->raw_text);
    }
    return OH_OK;
}

/* deliveryDetails' signer goes on the newest delivered scan: the host shows it as proof. */
static void add_proof(walk *w, const json_t *tr, oh_track_shipment *s)
{
    const json_t *dd = OBJ(w, tr, "deliveryDetails");
    const char *who = str(w, dd, "signedByName");
    if (who == NULL || who[0] == '\0')
        who = str(w, dd, "receivedByName");
    if (who == NULL || who[0] == '\0')
        return;
    for (size_t k = 0; k < s->event_count; k++) {
        if (s->events[k].status == OH_TRACK_DELIVERED) {
            OH_STRLCPY(s->events[k].proof.signed_by, who);
            return;
        }
    }
}

static void add_eta(walk *w, const json_t *tr, oh_track_shipment *s)
{
    size_t i;
    const json_t *dt;
    json_array_foreach(ARR(w, tr, "dateAndTimes"), i, dt) {
        const char *type = str(w, dt, "type");
        const char *when = str(w, dt, "dateTime");
        if (type != NULL && strcmp(type, "ESTIMATED_DELIVERY") == 0 && when != NULL) {
            OH_STRLCPY(s->eta, when);
            return;
        }
    }
}

/* A per-number error inside a 200 (FedEx reports unknown numbers this way). */
static void set_lookup_error(walk *w, const json_t *e, oh_track_shipment *s)
{
    const char *code = str(w, e, "code");
    const char *msg = str(w, e, "message");
    /*
     * A cut code would look like another code, so one longer than error_code holds (63
     * bytes) is left out of it and named in the message instead (error_kind still says
     * what it means).
     */
    int fits = code != NULL && OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s) &&
               strlen(code) < sizeof(s->error_code);
    if (msg == NULL || msg[0] == '\0')
        msg = "FedEx reported an error";
    if (code != NULL && code[0] != '\0' && !fits)
        snprintf(s->error, sizeof(s->error), "%s (%s)", msg, code);
    else
        snprintf(s->error, sizeof(s->error), "%s", msg);
    if (!OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s))
        return;
    if (fits)
        OH_STRLCPY(s->error_code, code);
    if (code != NULL && strcmp(code, "TRACKING.TRACKINGNUMBER.NOTFOUND") == 0)
        s->error_kind = OH_TRACK_ERROR_NOT_FOUND;
    else if (code != NULL && (strcmp(code, "TRACKING.TRACKINGNUMBER.INVALID") == 0 ||
                              strcmp(code, "TRACKING.TRACKINGNUMBER.EMPTY") == 0))
        s->error_kind = OH_TRACK_ERROR_INVALID_NUMBER;
    else
        s->error_kind = OH_TRACK_ERROR_CARRIER;
}

/* The asked number `answered` stands for, or NULL when it was not asked (count 0: any). */
static const char *asked_number(const char *const *numbers, size_t count, const char *answered)
{
    if (count == 0)
        return answered;
    for (size_t i = 0; i < count; i++) {
        if (numbers[i] != NULL && same_number(numbers[i], answered))
            return numbers[i];
    }
    return NULL;
}

static int parse_one(const carrier *c, walk *w, const json_t *ctr, const char *const *numbers,
                     size_t count, oh_track_result *out, oh_error *err)
{
    const json_t *results = ARR(w, ctr, "trackResults");
    const json_t *tr = pick_result(c, results);
    const char *answered = str(w, ctr, "trackingNumber");
    if (answered == NULL)
        answered = str(w, OBJ(w, tr, "trackingNumberInfo"), "trackingNumber");
    if (answered == NULL || answered[0] == '\0' || tr == NULL)
        return oh_error_set(err, OH_FAIL, "a completeTrackResult has no tracking number or "
                                          "no trackResults");
    const char *number = asked_number(numbers, count, answered);
    if (number == NULL)
        return oh_error_set(err, OH_FAIL, "answer for %.64s, which was not asked for",
                            answered);
    oh_track_shipment *s = c->host->track_add_shipment(out, number);
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "too many shipments in the answer");
    const json_t *e = OBJ(w, tr, "error");
    if (e != NULL) {
        set_lookup_error(w, e, s);
        return OH_OK;
    }
    int rc = add_events(c, w, tr, s, err);
    if (rc != OH_OK)
        return rc;
    add_proof(w, tr, s);
    add_eta(w, tr, s);
    if (s->event_count == 0) {
        /* No scans (detailed scans not given yet): the summary is all there is. */
        const json_t *lsd = OBJ(w, tr, "latestStatusDetail");
        s->status = fedex_event_status(str(w, lsd, "code"), str(w, lsd, "derivedCode"),
                                       str(w, lsd, "description"));
    }
    return OH_OK;
}

static int track_parse(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err)
{
    carrier *c = state;
    if (resp->status != 200)
        return http_failure(c, resp, "track request", err);
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    walk w = {NULL};
    int rc = OH_OK;
    const json_t *list = json_is_object(j) ? ARR(&w, OBJ(&w, j, "output"),
                                                  "completeTrackResults")
                                           : NULL;
    if (list == NULL) {
        char reason[300];
        envelope_reason(c, resp, reason, sizeof(reason));
        rc = oh_error_set(err, OH_FAIL, "answer has no output.completeTrackResults array%s",
                          reason);
    }
    size_t i;
    const json_t *ctr;
    json_array_foreach(list, i, ctr) {
        if (rc != OH_OK)
            break;
        if (!json_is_object(ctr))
            rc = oh_error_set(err, OH_FAIL, "completeTrackResults[%zu] is not an object", i);
        else
            rc = parse_one(c, &w, ctr, numbers, count, out, err);
    }
    if (rc == OH_OK && w.bad != NULL)
        rc = oh_error_set(err, OH_FAIL, "member \"%s\" has the wrong type", w.bad);
    json_decref(j);
    return rc;
}

static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops, .max_batch = FEDEX_MAX_BATCH,
    .track_build = track_build, .track_parse = track_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_fedex", .version = "0.1.0", .kind = OH_KIND_CARRIER,
    .description = "FedEx Track API (OAuth2, JSON)", .settings = settings,
    .init = carrier_init, .destroy = carrier_destroy, .auth_build = fedex_auth_build,
    .auth_parse = fedex_auth_parse, .carrier = &ops);

OH_PLUGIN_DEFINE(plugin)
