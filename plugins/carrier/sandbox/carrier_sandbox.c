/*
 * carrier_sandbox - a simulated carrier for the demo and the tests.
 *
 * Speaks a small JSON tracking API (served by the sandbox carrier in contrib/):
 *   GET {base_url}/track?numbers=N1,N2      (up to max_batch numbers)
 *   200 {"shipments":[{"number":"SBX1","error":null,"eta":"2026-03-04",
 *        "events":[{"code":"DL","text":"Delivered","time":"2026-03-04T10:12:00-05:00",
 *                   "city":"Boston","region":"MA","postal_code":"02110","country":"US",
 *                   "signed_by":"J. Doe"}]}]}
 *   POST {base_url}/labels   {"order_id","service_level","ship_to":{"country","postal_code"},
 *                             "parcels":[{"weight_g"}]}
 *   201 {"tracking_number":"SBX100001","service":"ground","cost":899,"currency":"USD",
 *        "label":{"mime":"application/zpl","content":"^XA...^XZ"}}
 * Events may come in any order; the shipment's status is taken from the newest by instant
 * (times carry their offset).
 */
#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>

typedef struct carrier {
    const oh_host_api *host;
    const char *base_url;
} carrier;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "http://127.0.0.1:8781/sandbox/carrier",
     "Root URL of the sandbox carrier API", 0, 0, 0},
    OH_SETTINGS_END};

/* Sandbox codes -> canonical statuses.  Codes are strings; compare them as strings. */
static const struct {
    const char *code;
    oh_track_status status;
} code_map[] = {
    {"PR", OH_TRACK_PENDING},         {"IR", OH_TRACK_INFO_RECEIVED},
    {"PU", OH_TRACK_IN_TRANSIT},      {"IT", OH_TRACK_IN_TRANSIT},
    {"OD", OH_TRACK_OUT_FOR_DELIVERY}, {"AF", OH_TRACK_ATTEMPT_FAILED},
    {"AP", OH_TRACK_AVAILABLE_FOR_PICKUP}, {"DL", OH_TRACK_DELIVERED},
    {"EX", OH_TRACK_EXCEPTION},       {"RS", OH_TRACK_RETURNED_TO_SENDER},
    {"CA", OH_TRACK_CANCELLED},
};

static oh_track_status map_code(const char *code)
{
    for (size_t i = 0; i < sizeof(code_map) / sizeof(code_map[0]); i++) {
        if (strcmp(code_map[i].code, code) == 0)
            return code_map[i].status;
    }
    return OH_TRACK_UNKNOWN;
}

static int carrier_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    carrier *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    c->host = host;
    c->base_url = host->setting_string(s, "base_url");
    if (strncmp(c->base_url, "http://", 7) != 0 && strncmp(c->base_url, "https://", 8) != 0) {
        free(c);
        return oh_error_set(err, OH_FAIL, "base_url must start with http:// or https://");
    }
    *state = c;
    return OH_OK;
}

static void carrier_destroy(void *state)
{
    free(state);
}

static int track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                       oh_error *err)
{
    carrier *c = state;
    char list[2048] = "", url[3072];
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        char enc[256];
        if (c->host->url_encode(numbers[i], enc, sizeof(enc)) < 0)
            return oh_error_set(err, OH_FAIL, "tracking number %zu is too long", i + 1);
        int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "", enc);
        if (n < 0 || (size_t)n >= sizeof(list) - used)
            return oh_error_set(err, OH_FAIL, "too many tracking numbers for one request");
        used += (size_t)n;
    }
    int n = snprintf(url, sizeof(url), "%s/track?numbers=%s", c->base_url, list);
    if (n < 0 || (size_t)n >= sizeof(url))
        return oh_error_set(err, OH_FAIL, "track URL longer than %zu bytes", sizeof(url));
    if (c->host->request_set(req, "GET", url) != 0 ||
        c->host->request_header(req, "Accept", "application/json", 0) != 0)
        return oh_error_set(err, OH_FAIL, "cannot build the track request");
    return OH_OK;
}

static void copy_event(const json_t *je, oh_track_event *ev)
{
    const char *code = json_string_value(json_object_get(je, "code"));
    OH_STRLCPY(ev->raw_code, code);
    OH_STRLCPY(ev->raw_text, json_string_value(json_object_get(je, "text")));
    OH_STRLCPY(ev->timestamp, json_string_value(json_object_get(je, "time")));
    OH_STRLCPY(ev->location.city, json_string_value(json_object_get(je, "city")));
    OH_STRLCPY(ev->location.region, json_string_value(json_object_get(je, "region")));
    OH_STRLCPY(ev->location.postal_code, json_string_value(json_object_get(je, "postal_code")));
    OH_STRLCPY(ev->location.country, json_string_value(json_object_get(je, "country")));
    OH_STRLCPY(ev->proof.signed_by, json_string_value(json_object_get(je, "signed_by")));
    ev->status = map_code(ev->raw_code);
}

static int track_parse(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err)
{
    carrier *c = state;
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "sandbox carrier answered HTTP %d", resp->status);
    if (resp->status != 200)
        return oh_error_set(err, OH_FAIL, "sandbox carrier answered HTTP %d", resp->status);
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    json_t *list = json_object_get(j, "shipments");
    if (!json_is_array(list)) {
        json_decref(j);
        return oh_error_set(err, OH_FAIL, "answer has no \"shipments\" array");
    }
    int rc = OH_OK;
    size_t i;
    json_t *js;
    json_array_foreach(list, i, js) {
        const char *number = json_string_value(json_object_get(js, "number"));
        json_t *events = json_object_get(js, "events");
        oh_track_shipment *s = number ? c->host->track_add_shipment(out, number) : NULL;
        if (s == NULL) {
            rc = oh_error_set(err, OH_FAIL, "shipment %zu: no number, or too many", i + 1);
            break;
        }
        OH_STRLCPY(s->error, json_string_value(json_object_get(js, "error")));
        OH_STRLCPY(s->eta, json_string_value(json_object_get(js, "eta")));
        int64_t newest_ms = INT64_MIN;
        /* The sandbox lists scans oldest first; the SDK wants them added newest first. */
        for (size_t k = json_array_size(events); k-- > 0;) {
            json_t *je = json_array_get(events, k);
            oh_track_event *ev = c->host->track_add_event(s);
            if (ev == NULL || !json_is_string(json_object_get(je, "code"))) {
                rc = oh_error_set(err, OH_FAIL, "shipment %s: event %zu malformed", number,
                                  k + 1);
                break;
            }
            copy_event(je, ev);
            /* The newest event by instant, not by string order (offsets may differ). */
            int64_t at = 0;
            if (c->host->time_parse(ev->timestamp, &at) < 0) {
                rc = oh_error_set(err, OH_FAIL, "shipment %s: event %zu has no ISO-8601 time",
                                  number, k + 1);
                break;
            }
            if (at > newest_ms) {
                newest_ms = at;
                s->status = ev->status;
            }
        }
        if (rc != OH_OK)
            break;
    }
    json_decref(j);
    (void)numbers;
    (void)count;
    return rc;
}

static int label_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err)
{
    carrier *c = state;
    char url[1100];
    int n = snprintf(url, sizeof(url), "%s/labels", c->base_url);
    json_t *parcels = json_array();
    for (size_t i = 0; parcels != NULL && i < s->parcel_count; i++)
        json_array_append_new(parcels, json_pack("{s:I}", "weight_g",
                                                 (json_int_t)s->parcels[i].weight_g));
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o?}", "order_id",
                             s->order_id ? s->order_id : "", "service_level",
                             s->service_level ? s->service_level : "standard", "ship_to",
                             "country", s->ship_to.country ? s->ship_to.country : "",
                             "postal_code", s->ship_to.postal_code ? s->ship_to.postal_code : "",
                             "parcels", parcels);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(body);
    int rc = (n > 0 && (size_t)n < sizeof(url) && text != NULL &&
              c->host->request_set(req, "POST", url) == 0 &&
              c->host->request_header(req, "Content-Type", "application/json", 0) == 0 &&
              (s->idempotency_key == NULL ||
               c->host->request_header(req, "Idempotency-Key", s->idempotency_key, 0) == 0) &&
              c->host->request_body(req, text, strlen(text)) == 0)
                 ? OH_OK
                 : oh_error_set(err, OH_FAIL, "cannot build the label request");
    free(text);
    return rc;
}

static int label_parse(void *state, const oh_shipment *s, const oh_response *resp,
                       oh_label *out, oh_error *err)
{
    carrier *c = state;
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "sandbox carrier answered HTTP %d", resp->status);
    if (resp->status != 200 && resp->status != 201)
        return oh_error_set(err, OH_FAIL, "sandbox carrier answered HTTP %d", resp->status);
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *number = NULL, *service = NULL, *currency = "", *mime = NULL, *content = NULL;
    json_int_t cost = 0;
    json_error_t je;
    int rc = OH_OK;
    if (json_unpack_ex(j, &je, 0, "{s:s, s?s, s?I, s?s, s:{s:s, s:s}}", "tracking_number",
                       &number, "service", &service, "cost", &cost, "currency", &currency,
                       "label", "mime", &mime, "content", &content) != 0) {
        rc = oh_error_set(err, OH_FAIL, "label answer: %s", je.text);
    } else {
        OH_STRLCPY(out->tracking_number, number);
        OH_STRLCPY(out->service, service);
        OH_STRLCPY(out->currency, currency);
        out->cost = cost;
        if (c->host->label_document(out, OH_DOCUMENT_LABEL, mime, content, strlen(content)) != 0)
            rc = oh_error_set(err, OH_FAIL, "label document refused (empty or too large)");
    }
    json_decref(j);
    return rc;
}

static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops, .max_batch = 50,
    .track_build = track_build, .track_parse = track_parse,
    .label_build = label_build, .label_parse = label_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_sandbox", .version = "0.1.0", .kind = OH_KIND_CARRIER,
    .description = "Simulated carrier for demos and tests", .settings = settings,
    .init = carrier_init, .destroy = carrier_destroy, .carrier = &ops);

OH_PLUGIN_DEFINE(plugin)
