/*
 * carrier_example - template of an out-of-tree orderhub CARRIER plugin.
 *
 * Copy sdk/template/ out of the orderhub source tree, rename it (see README.md) and replace
 * the API below with your carrier's.  Everything here is real, working code against the
 * public SDK only (<orderhub/orderhub.h>); it links against no orderhubd symbol.
 *
 * THE (FICTIONAL) EXAMPLE CARRIER API
 *
 *   Request (track_build), up to 10 tracking numbers per call:
 *
 *     GET {base_url}/v1/track?ids=EX100001,EX100002
 *     Accept: application/json
 *     X-Api-Key: {api_key}                         (flagged OH_HEADER_SENSITIVE)
 *
 *   Each id is percent-encoded through host->url_encode; the ',' separators are literal.
 *
 *   Answer (track_parse), HTTP 200:
 *
 *     {"results": [
 *        {"id": "EX100001", "found": true, "eta": "2026-03-04",
 *         "events": [
 *           {"code": "030", "text": "Departed facility",
 *            "at": "2026-03-02T22:40:00-05:00",
 *            "city": "Worcester", "region": "MA", "postal_code": "01608", "country": "US"},
 *           {"code": "070", "text": "Delivered, front door",
 *            "at": "2026-03-04T10:12:00-05:00", "city": "Boston", "region": "MA",
 *            "postal_code": "02110", "country": "US", "signed_by": "J. Doe"}]},
 *        {"id": "EX100002", "found": false, "message": "tracking number not found"}]}
 *
 *   - Required: "results", each result's "id", each event's "code" and "at" (ISO-8601).
 *     Every other member is optional and may be null; a member of the wrong type is an
 *     error.  A result for a number that was not asked for is refused.
 *   - "code" is the carrier's status code, a zero-padded STRING: "030" is not 30.  A code
 *     missing from code_map below gives OH_TRACK_UNKNOWN with the raw code kept.
 *   - Events may come in any order: the shipment's status is taken from the newest by
 *     instant (timestamps with different UTC offsets are compared correctly).
 *   - "found": false means a lookup error; "message" says why and no event is given.
 *
 *   HTTP 429 and 5xx are transient (OH_RETRY: the host retries with backoff); 401/403 mean a
 *   bad key and every other status is permanent (OH_FAIL).  A body that is not JSON, or
 *   JSON of another shape, is OH_FAIL with a message naming what was wrong.
 *
 * A recorded answer of this shape is in fixtures/track-200.json.
 */
/* -std=c11 hides POSIX: ask for it (strdup) before the first system header. */
#define _POSIX_C_SOURCE 200809L

#include <orderhub/orderhub.h>

#include <stdlib.h>
#include <string.h>

/* Most tracking numbers the API takes in one request. */
#define EXAMPLE_MAX_BATCH 10

/* ---- per-instance state ------------------------------------------------------------- */

/*
 * One per configured instance (init is called once per instance): never keep per-instance
 * data in globals.  Read-only after init, so operations may run concurrently without locks.
 */
typedef struct example {
    const oh_host_api *host; /* valid for the life of the process */
    oh_instance *self;       /* for host->log; valid until destroy */
    char *base_url;          /* our copy, without a trailing '/' */
    const char *api_key;     /* owned by the host's oh_settings; valid until destroy */
} example;

/* ---- settings schema ------------------------------------------------------------------ */

/*
 * The host validates each instance's `settings = { ... }` against this before init, resolves
 * "env:NAME" / "file:PATH", and prints the api_key as "***" everywhere.
 */
static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, NULL,
     "Root URL of the carrier API, e.g. https://api.example-carrier.test",
     OH_SETTING_REQUIRED, 0, 0},
    {"api_key", OH_SETTING_STRING, NULL,
     "API key sent in the X-Api-Key header; use env:NAME or file:PATH",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    OH_SETTINGS_END};

/* ---- carrier codes -> canonical statuses ------------------------------------------------ */

/* Codes are strings: compare them as strings, never with atoi(). */
static const struct {
    const char *code;
    oh_track_status status;
} code_map[] = {
    {"010", OH_TRACK_INFO_RECEIVED},       /* shipping data received */
    {"020", OH_TRACK_IN_TRANSIT},          /* picked up */
    {"030", OH_TRACK_IN_TRANSIT},          /* departed / arrived at a facility */
    {"040", OH_TRACK_OUT_FOR_DELIVERY},
    {"050", OH_TRACK_ATTEMPT_FAILED},      /* nobody home */
    {"060", OH_TRACK_AVAILABLE_FOR_PICKUP},
    {"070", OH_TRACK_DELIVERED},
    {"080", OH_TRACK_EXCEPTION},           /* damaged, address problem, customs hold */
    {"090", OH_TRACK_RETURNED_TO_SENDER},
    {"099", OH_TRACK_CANCELLED},
};

static oh_track_status map_code(const char *code)
{
    for (size_t i = 0; i < sizeof(code_map) / sizeof(code_map[0]); i++) {
        if (strcmp(code_map[i].code, code) == 0)
            return code_map[i].status;
    }
    return OH_TRACK_UNKNOWN; /* the raw code is kept in the event beside it */
}

/* ---- init / destroy ------------------------------------------------------------------- */

static int example_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    const char *url = host->setting_string(s, "base_url");
    const char *key = host->setting_string(s, "api_key");
    /* Validate here, so a bad value is refused by `orderhubd --check-config`. */
    if (url == NULL || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
        return oh_error_set(err, OH_FAIL, "base_url must start with https:// or http://");
    if (key == NULL || *key == '\0')
        return oh_error_set(err, OH_FAIL, "api_key is empty"); /* never print its value */

    example *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->base_url = strdup(url)) == NULL) {
        free(c);
        return oh_error_set(err, OH_FAIL, "out of memory");
    }
    size_t len = strlen(c->base_url);
    while (len > 0 && c->base_url[len - 1] == '/')
        c->base_url[--len] = '\0';
    c->host = host;
    c->self = self;
    c->api_key = key;
    *state = c;
    return OH_OK;
}

static void example_destroy(void *state)
{
    example *c = state;
    if (c == NULL)
        return;
    free(c->base_url);
    free(c);
}

/* ---- track_build: numbers -> oh_request ------------------------------------------------ */

static int track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                       oh_error *err)
{
    example *c = state;
    if (count == 0 || count > EXAMPLE_MAX_BATCH) /* the host never does this: be safe */
        return oh_error_set(err, OH_FAIL, "asked to track %zu numbers (1..%d per request)",
                            count, EXAMPLE_MAX_BATCH);

    /* Worst case: every byte of every number percent-encoded (3 bytes) plus a ','. */
    size_t cap = strlen(c->base_url) + sizeof("/v1/track?ids=");
    for (size_t i = 0; i < count; i++)
        cap += 3 * strlen(numbers[i]) + 1;
    char *url = malloc(cap);
    if (url == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    int n = snprintf(url, cap, "%s/v1/track?ids=", c->base_url);
    size_t used = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            url[used++] = ',';
        int w = c->host->url_encode(numbers[i], url + used, cap - used);
        if (w < 0) { /* cannot happen with the size above; never trust it blindly */
            free(url);
            return oh_error_set(err, OH_FAIL, "cannot encode tracking number %zu", i + 1);
        }
        used += (size_t)w;
    }

    int rc = OH_OK;
    /* The host copies every argument: our buffer may be freed right after. */
    if (c->host->request_set(req, "GET", url) != 0 ||
        c->host->request_header(req, "Accept", "application/json", 0) != 0 ||
        c->host->request_header(req, "X-Api-Key", c->api_key, OH_HEADER_SENSITIVE) != 0)
        rc = oh_error_set(err, OH_FAIL, "cannot build the track request (bad base_url or "
                          "api_key characters?)");
    free(url);
    return rc;
}

/* ---- track_parse: oh_response -> shipments ------------------------------------------- */

/* Optional string member: its value, or NULL when absent or JSON null.  -1: wrong type. */
static int opt_string(const json_t *obj, const char *name, const char **out)
{
    const json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return -1;
    *out = json_string_value(v);
    return 0;
}

static int parse_2digits(const char *p, int *out)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    return 0;
}

/*
 * iso_instant - seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|-HH:MM]",
 * or of "YYYY-MM-DD".  A timestamp without an offset (carrier local time) is read as if it
 * were UTC: good enough to order one carrier's events.  0 on success, -1 when malformed.
 */
static int iso_instant(const char *s, long long *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, tmp;
    if (s == NULL || strlen(s) < 10 || parse_2digits(s, &tmp) != 0 ||
        parse_2digits(s + 2, &y) != 0 || s[4] != '-' || parse_2digits(s + 5, &mo) != 0 ||
        s[7] != '-' || parse_2digits(s + 8, &d) != 0)
        return -1;
    y += tmp * 100;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        if (parse_2digits(p + 1, &h) != 0 || p[3] != ':' || parse_2digits(p + 4, &mi) != 0)
            return -1;
        p += 6;
        if (*p == ':') {
            if (parse_2digits(p + 1, &sec) != 0)
                return -1;
            p += 3;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    long long offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om = 0;
        if (parse_2digits(p + 1, &oh) != 0)
            return -1;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (*q != '\0' && parse_2digits(q, &om) == 0)
            q += 2;
        offset = (oh * 3600LL + om * 60LL) * (*p == '-' ? -1 : 1);
        p = q;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    /* Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    long long yy = y - (mo <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400;
    long long yoe = yy - era * 400;
    long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600LL + mi * 60LL + sec - offset;
    return 0;
}

/*
 * Check one event object, then append it to `s`.  OH_OK with *status and *instant set, or
 * OH_FAIL with err naming the member.  Nothing is appended when the event is malformed.
 */
static int read_event(example *c, oh_track_shipment *s, const json_t *je, size_t k,
                      oh_track_status *status, long long *instant, oh_error *err)
{
    const char *number = s->number;
    const char *code = json_string_value(json_object_get(je, "code"));
    const char *text, *at, *city, *region, *postal, *country, *signed_by;
    if (!json_is_object(je))
        return oh_error_set(err, OH_FAIL, "shipment %s: event %zu is not an object", number,
                            k + 1);
    if (code == NULL)
        return oh_error_set(err, OH_FAIL, "shipment %s: event %zu: \"code\" missing or not "
                            "a string", number, k + 1);
    if (opt_string(je, "text", &text) || opt_string(je, "at", &at) ||
        opt_string(je, "city", &city) || opt_string(je, "region", &region) ||
        opt_string(je, "postal_code", &postal) || opt_string(je, "country", &country) ||
        opt_string(je, "signed_by", &signed_by))
        return oh_error_set(err, OH_FAIL, "shipment %s: event %zu: a member that must be a "
                            "string is not", number, k + 1);
    if (at == NULL || iso_instant(at, instant) != 0)
        return oh_error_set(err, OH_FAIL, "shipment %s: event %zu: \"at\" missing or not "
                            "ISO-8601", number, k + 1);

    /* The pointer is valid until the next track_add_event on `s`: fill it now. */
    oh_track_event *ev = c->host->track_add_event(s);
    if (ev == NULL)
        return oh_error_set(err, OH_FAIL, "shipment %s: too many events", number);
    OH_STRLCPY(ev->raw_code, code);
    OH_STRLCPY(ev->raw_text, text);
    OH_STRLCPY(ev->timestamp, at); /* kept as sent: its offset too, never a made-up "Z" */
    OH_STRLCPY(ev->location.city, city);
    OH_STRLCPY(ev->location.region, region);
    OH_STRLCPY(ev->location.postal_code, postal);
    OH_STRLCPY(ev->location.country, country);
    OH_STRLCPY(ev->proof.signed_by, signed_by);
    ev->status = map_code(code);
    *status = ev->status;
    if (ev->status == OH_TRACK_UNKNOWN)
        c->host->log(c->self, OH_LOG_INFO, "shipment %s: unknown status code '%.31s' "
                     "(kept raw; add it to code_map)", number, code);
    return OH_OK;
}

static int asked_for(const char *id, const char *const *numbers, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(numbers[i], id) == 0)
            return 1;
    }
    return 0;
}

/* One element of "results".  OH_OK or OH_FAIL with err set. */
static int read_result(example *c, const json_t *jr, size_t i, const char *const *numbers,
                       size_t count, oh_track_result *out, oh_error *err)
{
    const char *id = json_string_value(json_object_get(jr, "id"));
    if (!json_is_object(jr) || id == NULL)
        return oh_error_set(err, OH_FAIL, "result %zu: \"id\" missing or not a string", i + 1);
    if (!asked_for(id, numbers, count))
        return oh_error_set(err, OH_FAIL, "result %zu: tracking number '%.64s' was not asked "
                            "for", i + 1, id);
    const json_t *found = json_object_get(jr, "found");
    const json_t *events = json_object_get(jr, "events");
    const char *eta, *message;
    if ((found != NULL && !json_is_boolean(found)) ||
        (events != NULL && !json_is_null(events) && !json_is_array(events)) ||
        opt_string(jr, "eta", &eta) || opt_string(jr, "message", &message))
        return oh_error_set(err, OH_FAIL, "shipment %s: \"found\", \"events\", \"eta\" or "
                            "\"message\" has the wrong type", id);

    oh_track_shipment *s = c->host->track_add_shipment(out, id);
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "too many shipments in the answer");
    if (found != NULL && json_is_false(found)) {
        /* A lookup error: status stays OH_TRACK_UNKNOWN, the host keeps the last good one. */
        OH_STRLCPY(s->error, message ? message : "not found");
        /* The kind came with SDK 1.1: write it only when the host's shipment has it. */
        if (OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s))
            s->error_kind = OH_TRACK_ERROR_NOT_FOUND;
        return OH_OK;
    }
    OH_STRLCPY(s->eta, eta);

    long long newest = 0;
    size_t k;
    const json_t *je;
    json_array_foreach(events, k, je) {
        oh_track_status status = OH_TRACK_UNKNOWN;
        long long instant = 0;
        int rc = read_event(c, s, je, k, &status, &instant, err);
        if (rc != OH_OK)
            return rc;
        /* The shipment's status is its newest event's, by instant, not by array order. */
        if (k == 0 || instant >= newest) {
            newest = instant;
            s->status = status;
        }
    }
    return OH_OK;
}

static int track_parse(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err)
{
    example *c = state;
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "carrier answered HTTP %d (will retry)",
                            resp->status);
    if (resp->status == 401 || resp->status == 403)
        return oh_error_set(err, OH_FAIL, "carrier refused the api_key (HTTP %d)",
                            resp->status);
    if (resp->status != 200)
        return oh_error_set(err, OH_FAIL, "carrier answered HTTP %d", resp->status);

    /* The host's parser: size and depth limits, duplicate keys refused.  We own the result. */
    oh_error perr = {{0}};
    json_t *root = c->host->json_parse(resp->body, resp->body_len, &perr);
    if (root == NULL)
        return oh_error_set(err, OH_FAIL, "unreadable answer: %s", perr.message);
    const json_t *results = json_object_get(root, "results");
    int rc = OH_OK;
    if (!json_is_array(results)) {
        rc = oh_error_set(err, OH_FAIL, "answer has no \"results\" array");
    } else {
        size_t i;
        const json_t *jr;
        json_array_foreach(results, i, jr) {
            if ((rc = read_result(c, jr, i, numbers, count, out, err)) != OH_OK)
                break;
        }
    }
    json_decref(root);
    return rc;
}

/* ---- the descriptor ------------------------------------------------------------------- */

/* OH_OPS_INIT / OH_PLUGIN_INIT fill struct_size and the ABI fields, and zero the rest. */
static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops,
    .max_batch = EXAMPLE_MAX_BATCH,
    .track_build = track_build,
    .track_parse = track_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_example", /* must equal the file's stem: carrier_example.so */
    .version = "0.1.0",
    .kind = OH_KIND_CARRIER,
    .description = "Example carrier: template for out-of-tree carrier plugins",
    .settings = settings,
    .init = example_init,
    .destroy = example_destroy,
    .carrier = &ops);

/* Writes orderhub_plugin_entry(), the one exported symbol (see exports.map). */
OH_PLUGIN_DEFINE(plugin)
