/*
 * carrier_sandbox - a simulated carrier for the demo and the tests.
 *
 * Speaks the small JSON API of the sandbox carrier in contrib/fakes (README.md has it all):
 *   GET  {base_url}/track?numbers=N1,N2      (up to max_batch numbers)
 *   200 {"shipments":[{"number":"SBX1","eta":"2026-03-04",
 *        "events":[{"code":"DL","text":"Delivered","time":"2026-03-04T10:12:00-05:00",
 *                   "city":"Boston","region":"MA","postal_code":"02110","country":"US",
 *                   "signed_by":"J. Doe"}]},
 *       {"number":"SBX9","error":"not found","error_code":"TRK404","events":[]}]}
 *   POST {base_url}/labels   {"order_id","service","journey"?,"ship_to":{..},"parcels":[..],
 *                             "customs":[..]?}
 *   201 {"tracking_number","shipment_id","service","cost","currency",
 *        "label":{"mime","content"},"customs":{"mime","content"}?,
 *        "parcels":[{"tracking_number","label"}]?}  (one per parcel when several)
 *   POST {base_url}/shipments/{shipment_id}/void  ->  200 {"voided":true}, 409 too late
 *   POST {base_url}/rates    same body  ->  200 {"currency","rates":[{"service","amount",
 *                                                 "transit_days"}]}
 *   Inbound webhook: {"id"?,"number","events":[..]} signed "Sandbox-Signature: t=..,v1=..".
 * Events may come in any order; the shipment's status is taken from the newest by instant
 * (times carry their offset).
 */
#include "../../common/signed_webhook.h"

#include <orderhub/orderhub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct carrier {
    const oh_host_api *host;
    const char *base_url;     /* settings strings are owned by the host */
    const char *journey;      /* "" lets the remote choose from its markers */
    const char *webhook_secret;
    int64_t webhook_tolerance_s;
} carrier;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "http://127.0.0.1:8781/sandbox/carrier",
     "Root URL of the sandbox carrier API", OH_SETTING_HTTP_URL, 0, 0},
    {"journey", OH_SETTING_STRING, "",
     "Scripted journey of every label (normal, delayed, exception, lost, returned_to_sender);"
     " empty: the remote chooses from markers in the order id or ship-to name", 0, 0, 0},
    {"webhook_secret", OH_SETTING_STRING, "",
     "HMAC-SHA256 secret of inbound tracking webhooks (empty: webhooks refused)",
     OH_SETTING_SENSITIVE, 0, 0},
    {"webhook_tolerance_s", OH_SETTING_INT, "300",
     "Largest age of a webhook's timestamp, seconds", 0, 1, 86400},
    OH_SETTINGS_END};

static const char *const journeys[] = {"normal", "delayed", "exception", "lost",
                                       "returned_to_sender"};

/* Sandbox scan codes -> canonical statuses.  Codes are strings; compare them as strings. */
static const struct {
    const char *code;
    oh_track_status status;
} code_map[] = {
    {"PR", OH_TRACK_PENDING},          {"IR", OH_TRACK_INFO_RECEIVED},
    {"PU", OH_TRACK_IN_TRANSIT},       {"IT", OH_TRACK_IN_TRANSIT},
    {"OD", OH_TRACK_OUT_FOR_DELIVERY}, {"AF", OH_TRACK_ATTEMPT_FAILED},
    {"AP", OH_TRACK_AVAILABLE_FOR_PICKUP}, {"DL", OH_TRACK_DELIVERED},
    {"EX", OH_TRACK_EXCEPTION},        {"DY", OH_TRACK_EXCEPTION},
    {"AX", OH_TRACK_EXCEPTION},        {"DM", OH_TRACK_EXCEPTION},
    {"RT", OH_TRACK_RETURNED_TO_SENDER}, {"RS", OH_TRACK_RETURNED_TO_SENDER},
    {"CA", OH_TRACK_CANCELLED},
};

/* Sandbox per-number error codes -> error kinds (anything else: "carrier"). */
static const struct {
    const char *code;
    oh_track_error_kind kind;
} error_map[] = {
    {"TRK404", OH_TRACK_ERROR_NOT_FOUND},
    {"TRK400", OH_TRACK_ERROR_INVALID_NUMBER},
};

/* Sandbox services -> orderhub service levels. */
static const struct {
    const char *service, *level;
} service_map[] = {
    {"economy", "economy"}, {"ground", "standard"}, {"express", "express"},
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
    (void)self;
    carrier *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    c->host = host;
    c->base_url = host->setting_string(s, "base_url");
    c->journey = host->setting_string(s, "journey");
    c->webhook_secret = host->setting_string(s, "webhook_secret");
    c->webhook_tolerance_s = host->setting_int(s, "webhook_tolerance_s");
    size_t k = 0, n = sizeof(journeys) / sizeof(journeys[0]);
    while (c->journey[0] != '\0' && k < n && strcmp(journeys[k], c->journey) != 0)
        k++;
    if (k == n) {
        free(c);
        return oh_error_set(err, OH_FAIL, "journey must be empty or one of normal, delayed, "
                                          "exception, lost, returned_to_sender");
    }
    *state = c;
    return OH_OK;
}

static void carrier_destroy(void *state)
{
    free(state);
}

/* ---- tracking --------------------------------------------------------------------------- */

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

/* A per-number lookup error: message, and (SDK 1.1 hosts) its kind and raw code. */
static void copy_error(const json_t *js, oh_track_shipment *s)
{
    const char *message = json_string_value(json_object_get(js, "error"));
    const char *code = json_string_value(json_object_get(js, "error_code"));
    if (message == NULL && code == NULL)
        return;
    if (message != NULL)
        OH_STRLCPY(s->error, message);
    else
        snprintf(s->error, sizeof(s->error), "sandbox error %.32s", code);
    if (!OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s))
        return;
    s->error_kind = OH_TRACK_ERROR_CARRIER;
    for (size_t i = 0; code != NULL && i < sizeof(error_map) / sizeof(error_map[0]); i++) {
        if (strcmp(error_map[i].code, code) == 0)
            s->error_kind = error_map[i].kind;
    }
    OH_STRLCPY(s->error_code, code);
}

/* One shipment object of a track answer or a webhook, added to `out`. */
static int parse_shipment(carrier *c, const json_t *js, size_t index, oh_track_result *out,
                          oh_error *err)
{
    const char *number = json_string_value(json_object_get(js, "number"));
    const json_t *events = json_object_get(js, "events");
    oh_track_shipment *s = number ? c->host->track_add_shipment(out, number) : NULL;
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "shipment %zu: no number, or too many", index + 1);
    if (events != NULL && !json_is_array(events))
        return oh_error_set(err, OH_FAIL, "shipment %s: events is not an array", number);
    copy_error(js, s);
    OH_STRLCPY(s->eta, json_string_value(json_object_get(js, "eta")));
    int64_t newest_ms = INT64_MIN;
    /* The sandbox lists scans oldest first; the SDK wants them added newest first. */
    for (size_t k = json_array_size(events); k-- > 0;) {
        const json_t *je = json_array_get(events, k);
        oh_track_event *ev = c->host->track_add_event(s);
        if (ev == NULL || !json_is_string(json_object_get(je, "code")))
            return oh_error_set(err, OH_FAIL, "shipment %s: event %zu malformed", number, k + 1);
        copy_event(je, ev);
        /* The newest event by instant, not by string order (offsets may differ). */
        int64_t at = 0;
        if (c->host->time_parse(ev->timestamp, &at) < 0)
            return oh_error_set(err, OH_FAIL, "shipment %s: event %zu has no ISO-8601 time",
                                number, k + 1);
        if (at > newest_ms) {
            newest_ms = at;
            s->status = ev->status;
        }
    }
    return OH_OK;
}

static int track_parse(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err)
{
    carrier *c = state;
    (void)numbers;
    (void)count;
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
        if ((rc = parse_shipment(c, js, i, out, err)) != OH_OK)
            break;
    }
    json_decref(j);
    return rc;
}

/* ---- labels and rates ------------------------------------------------------------------ */

/* The sandbox service for a shipment: the one asked for, else by service level. */
static const char *pick_service(const oh_shipment *s)
{
    if (s->service != NULL && s->service[0] != '\0')
        return s->service;
    const char *level = s->service_level ? s->service_level : "";
    if (strcmp(level, "economy") == 0)
        return "economy";
    if (strcmp(level, "express") == 0 || strcmp(level, "expedited") == 0 ||
        strcmp(level, "overnight") == 0)
        return "express";
    return "ground";
}

static json_t *address_json(const oh_address *a)
{
    json_t *j = json_object();
    const struct {
        const char *name, *value;
    } fields[] = {{"name", a->name},       {"company", a->company},
                  {"street1", a->street1}, {"street2", a->street2},
                  {"city", a->city},       {"region", a->region},
                  {"postal_code", a->postal_code}, {"country", a->country}};
    for (size_t i = 0; j != NULL && i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (fields[i].value != NULL && fields[i].value[0] != '\0')
            json_object_set_new(j, fields[i].name, json_string(fields[i].value));
    }
    return j;
}

/* The body of a label (with_label) or a rate request; NULL on no memory. */
static char *shipment_body(const carrier *c, const oh_shipment *s, int with_label)
{
    json_t *parcels = json_array();
    for (size_t i = 0; parcels != NULL && i < s->parcel_count; i++) {
        const oh_parcel *p = &s->parcels[i];
        json_array_append_new(parcels, json_pack("{s:I, s:I, s:I, s:I}", "weight_g",
                                                 (json_int_t)p->weight_g, "length_mm",
                                                 (json_int_t)p->length_mm, "width_mm",
                                                 (json_int_t)p->width_mm, "height_mm",
                                                 (json_int_t)p->height_mm));
    }
    json_t *body = json_pack("{s:s, s:s, s:s, s:o?, s:o?, s:o?}", "order_id",
                             s->order_id ? s->order_id : "", "service", pick_service(s),
                             "currency", s->currency[0] ? s->currency : "USD", "ship_from",
                             address_json(&s->ship_from), "ship_to", address_json(&s->ship_to),
                             "parcels", parcels);
    if (body != NULL && with_label && c->journey[0] != '\0')
        json_object_set_new(body, "journey", json_string(c->journey));
    if (body != NULL && with_label && s->customs_count > 0) {
        json_t *lines = json_array();
        for (size_t i = 0; lines != NULL && i < s->customs_count; i++) {
            const oh_customs_item *it = &s->customs[i];
            json_array_append_new(
                lines, json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I}", "description",
                                 it->description ? it->description : "", "hs_code",
                                 it->hs_code, "origin_country", it->origin_country,
                                 "quantity", (json_int_t)it->quantity, "value",
                                 (json_int_t)it->value, "weight_g", (json_int_t)it->weight_g));
        }
        json_object_set_new(body, "customs", lines);
    }
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(body);
    return text;
}

static int post_build(carrier *c, const char *what, const oh_shipment *s, int with_label,
                      oh_request *req, oh_error *err)
{
    char url[1100];
    int n = snprintf(url, sizeof(url), "%s/%s", c->base_url, what);
    char *text = shipment_body(c, s, with_label);
    int rc = (n > 0 && (size_t)n < sizeof(url) && text != NULL &&
              c->host->request_set(req, "POST", url) == 0 &&
              c->host->request_header(req, "Content-Type", "application/json", 0) == 0 &&
              c->host->request_header(req, "Accept", "application/json", 0) == 0 &&
              (s->idempotency_key == NULL ||
               c->host->request_header(req, "Idempotency-Key", s->idempotency_key, 0) == 0) &&
              c->host->request_body(req, text, strlen(text)) == 0)
                 ? OH_OK
                 : oh_error_set(err, OH_FAIL, "cannot build the %s request", what);
    free(text);
    return rc;
}

/*
 * The status of a label or rate answer: OH_OK for 2xx, OH_RETRY for 429/5xx, OH_FAIL with
 * the sandbox's own {"error","code"} (when readable) for anything else.
 */
static int answer_status(carrier *c, const char *what, const oh_response *resp, oh_error *err)
{
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "sandbox carrier answered HTTP %d", resp->status);
    if (resp->status >= 200 && resp->status < 300)
        return OH_OK;
    oh_error ignored = {{0}};
    json_t *j = c->host->json_parse(resp->body, resp->body_len, &ignored);
    const char *text = json_string_value(json_object_get(j, "error"));
    const char *code = json_string_value(json_object_get(j, "code"));
    int rc = oh_error_set(err, OH_FAIL, "sandbox carrier refused the %s (HTTP %d %.32s): %.160s",
                          what, resp->status, code ? code : "", text ? text : "no reason");
    json_decref(j);
    return rc;
}

static int label_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err)
{
    return post_build(state, "labels", s, 1, req, err);
}

/* Attach {"mime","content"} as a document of `kind`; absent is fine unless `required`. */
static int attach(carrier *c, oh_label *out, oh_document_kind kind, const json_t *doc,
                  int required, oh_error *err)
{
    const char *name = kind == OH_DOCUMENT_LABEL ? "label" : "customs";
    if (doc == NULL && !required)
        return OH_OK;
    const char *mime = json_string_value(json_object_get(doc, "mime"));
    const char *content = json_string_value(json_object_get(doc, "content"));
    if (mime == NULL || content == NULL)
        return oh_error_set(err, OH_FAIL, "label answer: \"%s\" needs mime and content", name);
    if (c->host->label_document(out, kind, mime, content, strlen(content)) != 0)
        return oh_error_set(err, OH_FAIL, "%s document refused (empty or too large)", name);
    return OH_OK;
}

/* "parcels":[{"tracking_number","label"?}]: each parcel's own number (and label), in the
 * request's order. */
static int name_parcels(carrier *c, oh_label *out, const json_t *parcels, oh_error *err)
{
    if (parcels == NULL)
        return OH_OK;
    if (!json_is_array(parcels))
        return oh_error_set(err, OH_FAIL, "label answer: \"parcels\" is not an array");
    size_t i;
    const json_t *p;
    json_array_foreach(parcels, i, p) {
        const char *number = json_string_value(json_object_get(p, "tracking_number"));
        if (number == NULL)
            return oh_error_set(err, OH_FAIL, "label answer: parcel %zu has no tracking_number",
                                i + 1);
        if (c->host->label_parcel(out, number) != 0)
            return oh_error_set(err, OH_FAIL, "label answer: parcel %zu's number refused by "
                                "the host (empty, too long or too many parcels)", i + 1);
        const json_t *doc = json_object_get(p, "label");
        const char *mime = json_string_value(json_object_get(doc, "mime"));
        const char *content = json_string_value(json_object_get(doc, "content"));
        if (doc != NULL && (mime == NULL || content == NULL))
            return oh_error_set(err, OH_FAIL, "label answer: parcel %zu's label needs mime "
                                "and content", i + 1);
        if (doc != NULL &&
            c->host->label_parcel_document(out, i, mime, content, strlen(content)) != 0)
            return oh_error_set(err, OH_FAIL, "parcel %zu's label refused (empty or too "
                                "large)", i + 1);
    }
    return OH_OK;
}

static int label_parse(void *state, const oh_shipment *s, const oh_response *resp,
                       oh_label *out, oh_error *err)
{
    carrier *c = state;
    (void)s;
    int rc = answer_status(c, "label", resp, err);
    if (rc != OH_OK)
        return rc;
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *number = NULL, *service = NULL, *currency = "", *shipment_id = "";
    json_t *label = NULL, *customs = NULL, *parcels = NULL;
    json_int_t cost = 0;
    json_error_t je;
    if (json_unpack_ex(j, &je, 0, "{s:s, s?s, s?s, s?I, s?s, s:o, s?o, s?o}", "tracking_number",
                       &number, "shipment_id", &shipment_id, "service", &service, "cost", &cost,
                       "currency", &currency, "label", &label, "customs", &customs, "parcels",
                       &parcels) != 0) {
        rc = oh_error_set(err, OH_FAIL, "label answer: %s", je.text);
    } else if (cost < 0) {
        rc = oh_error_set(err, OH_FAIL, "label answer: negative cost");
    } else {
        OH_STRLCPY(out->tracking_number, number);
        OH_STRLCPY(out->service, service);
        OH_STRLCPY(out->currency, currency);
        OH_STRLCPY(out->carrier_ref, shipment_id);
        out->cost = cost;
        rc = attach(c, out, OH_DOCUMENT_LABEL, label, 1, err);
        if (rc == OH_OK)
            rc = attach(c, out, OH_DOCUMENT_CUSTOMS, customs, 0, err);
        if (rc == OH_OK)
            rc = name_parcels(c, out, parcels, err);
    }
    json_decref(j);
    return rc;
}

static int rate_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err)
{
    return post_build(state, "rates", s, 0, req, err);
}

static int rate_parse(void *state, const oh_shipment *s, const oh_response *resp,
                      oh_rate_list *out, oh_error *err)
{
    carrier *c = state;
    (void)s;
    int rc = answer_status(c, "rate quote", resp, err);
    if (rc != OH_OK)
        return rc;
    json_t *j = c->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *currency = json_string_value(json_object_get(j, "currency"));
    const json_t *list = json_object_get(j, "rates"), *jr;
    if (currency == NULL || strlen(currency) != 3 || !json_is_array(list)) {
        json_decref(j);
        return oh_error_set(err, OH_FAIL, "rate answer needs a currency and a \"rates\" array");
    }
    size_t i;
    json_array_foreach(list, i, jr) {
        const char *service = json_string_value(json_object_get(jr, "service"));
        const json_t *amount = json_object_get(jr, "amount"), *days = json_object_get(jr, "transit_days");
        if (service == NULL || !json_is_integer(amount) || json_integer_value(amount) < 0 ||
            (days != NULL && (!json_is_integer(days) || json_integer_value(days) < 0 ||
                              json_integer_value(days) > 365))) {
            rc = oh_error_set(err, OH_FAIL, "rate %zu: needs a service, an amount >= 0 and "
                                            "transit_days from 0 to 365", i + 1);
            break;
        }
        oh_rate r = {.struct_size = sizeof(r), .amount = json_integer_value(amount),
                     .transit_days = (int)json_integer_value(days)};
        OH_STRLCPY(r.service, service);
        OH_STRLCPY(r.currency, currency);
        for (size_t k = 0; k < sizeof(service_map) / sizeof(service_map[0]); k++) {
            if (strcmp(service_map[k].service, service) == 0)
                OH_STRLCPY(r.service_level, service_map[k].level);
        }
        if (c->host->rate_add(out, &r) != 0) {
            rc = oh_error_set(err, OH_FAIL, "rate %zu refused by the host", i + 1);
            break;
        }
    }
    json_decref(j);
    return rc;
}

/* ---- label void ------------------------------------------------------------------------ */

/* The sandbox voids a whole shipment by its id; a label from before 1.2 has only a number. */
static int void_build(void *state, const oh_label_ref *label, oh_request *req, oh_error *err)
{
    carrier *c = state;
    const char *id = label->carrier_ref[0] ? label->carrier_ref : label->tracking_number;
    char enc[200], url[1400];
    int n = c->host->url_encode(id, enc, sizeof(enc)) < 0
                ? -1
                : snprintf(url, sizeof(url), "%s/shipments/%s/void", c->base_url, enc);
    if (n < 0 || (size_t)n >= sizeof(url) || c->host->request_set(req, "POST", url) != 0 ||
        c->host->request_header(req, "Accept", "application/json", 0) != 0)
        return oh_error_set(err, OH_FAIL, "cannot build the void request");
    return OH_OK;
}

static int void_parse(void *state, const oh_label_ref *label, const oh_response *resp,
                      oh_error *err)
{
    (void)label;
    return answer_status(state, "void", resp, err);
}

/* ---- inbound webhooks ------------------------------------------------------------------ */

/* Signed like the payment sandbox (and Stripe): plugins/common/signed_webhook.h. */
static int webhook_verify(void *state, const oh_inbound *in, int64_t now_unix, oh_error *err)
{
    const carrier *c = state;
    return signed_webhook_verify(c->host, in, "Sandbox-Signature", c->webhook_secret,
                                 c->webhook_tolerance_s, now_unix, err);
}

/* {"id":"whk_..","number":"SBX..","events":[..]}: one shipment, shaped as in a track answer. */
static int webhook_parse(void *state, const oh_inbound *in, oh_track_result *out,
                         oh_error *err)
{
    carrier *c = state;
    json_t *j = c->host->json_parse(in->body, in->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    int rc = json_is_object(j) ? parse_shipment(c, j, 0, out, err)
                               : oh_error_set(err, OH_FAIL, "webhook body is not an object");
    json_decref(j);
    return rc;
}

static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops, .max_batch = 50,
    .track_build = track_build, .track_parse = track_parse,
    .label_build = label_build, .label_parse = label_parse,
    .rate_build = rate_build, .rate_parse = rate_parse,
    .webhook_verify = webhook_verify, .webhook_parse = webhook_parse,
    .void_build = void_build, .void_parse = void_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_sandbox", .version = "0.3.0", .kind = OH_KIND_CARRIER,
    .description = "Simulated carrier for demos and tests", .settings = settings,
    .init = carrier_init, .destroy = carrier_destroy, .carrier = &ops);

OH_PLUGIN_DEFINE(plugin)
