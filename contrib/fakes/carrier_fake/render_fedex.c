/*
 * render_fedex.c - FedEx: OAuth token (POST /oauth/token, form body) and Track API
 * (POST /track/v1/trackingnumbers, batch of up to 30). Shape of FedEx's Track API:
 * output.completeTrackResults[].trackResults[] with latestStatusDetail, dateAndTimes[],
 * scanEvents[] newest first, dates ISO-8601 with the scan's offset; the delivery scan has
 * no city; the OD scan carries derivedStatusCode "IT". An unknown number is an error
 * INSIDE the 200 (trackResults[].error); request-level errors are {transactionId, errors[]}.
 */
#include "config.h"

#include "render.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 30

static const fk_place origins[] = {
    {"COSTA MESA", "CA", "92626", "US", -420, "PDT"},
    {"MANKATO", "MN", "56001", "US", -300, "CDT"},
    {"ORLANDO", "FL", "32809", "US", -240, "EDT"},
};
static const fk_place hubs[] = {
    {"OAKLAND", "CA", "94621", "US", -420, "PDT"},
    {"MEMPHIS", "TN", "38118", "US", -300, "CDT"},
    {"GROVE CITY", "OH", "43123", "US", -240, "EDT"},
    {"KEASBEY", "NJ", "08832", "US", -240, "EDT"},
};
static const fk_place dests[] = {
    {"CLOVIS", "CA", "93612", "US", -420, "PDT"},
    {"HOLBROOK", "NY", "11741", "US", -240, "EDT"},
    {"SEATTLE", "WA", "98101", "US", -420, "PDT"},
};
static const fk_route_set routes = {origins, 3, hubs, 4, dests, 3};

typedef struct fx_event {
    const char *type, *description, *derived, *derived_text, *exc_code, *exc_text;
} fx_event;

static fx_event event_of(jr_stage s)
{
    switch (s) {
    case ST_LABEL:
        return (fx_event){"OC", "Shipment information sent to FedEx", "IN", "Label created",
                          "", ""};
    case ST_PICKUP: return (fx_event){"PU", "Picked up", "PU", "Picked up", "", ""};
    case ST_ARRIVE:
        return (fx_event){"AR", "Arrived at FedEx location", "IT", "In transit", "", ""};
    case ST_DEPART:
        return (fx_event){"DP", "Departed FedEx location", "IT", "In transit", "", ""};
    case ST_OUT_FOR_DELIVERY:
        return (fx_event){"OD", "On FedEx vehicle for delivery", "IT", "In transit", "", ""};
    case ST_DELIVERED: return (fx_event){"DL", "Delivered", "DL", "Delivered", "", ""};
    case ST_DELAY:
        return (fx_event){"DY", "Delay", "DY", "Delay", "A52", "Package delayed"};
    case ST_DAMAGED:
        return (fx_event){"DE", "Delivery exception", "DE", "Delivery exception", "12",
                          "Package damaged"};
    case ST_ADDRESS:
        return (fx_event){"DE", "Delivery exception", "DE", "Delivery exception", "03",
                          "Incorrect address"};
    case ST_RETURN_START:
        return (fx_event){"RS", "Return to shipper", "RS", "Return to shipper", "07",
                          "Refused by recipient"};
    case ST_RETURNED:
        return (fx_event){"RS", "Returned to shipper", "RS", "Return to shipper", "", ""};
    }
    return (fx_event){"", "", "", "", "", ""};
}

static json_t *address_json(const fk_place *p, jr_stage s)
{
    if (s == ST_LABEL)
        return json_pack("{s:[s], s:b}", "streetLines", "", "residential", 0);
    json_t *a = json_pack("{s:[s], s:s, s:s, s:s, s:b, s:s}", "streetLines", "", "city",
                          p->city, "stateOrProvinceCode", p->region, "countryCode", p->country,
                          "residential", 0, "countryName", "United States");
    if (s == ST_DELIVERED) /* as FedEx sends it: the DL scan often has no city */
        json_object_del(a, "city");
    json_object_set_new(a, "postalCode", json_string(p->postal));
    return a;
}

static json_t *scan_json(const jr_view *v, const jr_scan *s)
{
    const fk_place *p = fk_place_of(&routes, v, s);
    fx_event e = event_of(s->stage);
    char when[40];
    fk_iso_offset(when, sizeof(when), s->when, p->off_min);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "date", when,
                          "eventType", e.type, "eventDescription", e.description,
                          "exceptionCode", e.exc_code, "exceptionDescription", e.exc_text,
                          "scanLocation", address_json(p, s->stage), "locationType",
                          s->stage == ST_LABEL ? "CUSTOMER"
                          : s->place == PL_HUB ? "FEDEX_FACILITY"
                                               : "DESTINATION_FEDEX_FACILITY",
                          "derivedStatusCode", e.derived, "derivedStatus", e.derived_text);
    if (s->stage == ST_DELAY)
        json_object_set_new(j, "delayDetail", json_pack("{s:s}", "type", "WEATHER"));
    return j;
}

static json_t *party(const fk_place *p)
{
    return json_pack("{s:{}, s:{s:s, s:s, s:s, s:b, s:s}}", "contact", "address", "city",
                     p->city, "stateOrProvinceCode", p->region, "countryCode", p->country,
                     "residential", 0, "countryName", "United States");
}

static json_t *number_info(const char *number, bool known)
{
    char uid[96];
    snprintf(uid, sizeof(uid), "2460425000~%s~FX", number);
    return json_pack("{s:s, s:s, s:s}", "trackingNumber", number, "trackingNumberUniqueId",
                     known ? uid : "", "carrierCode", known ? "FDXG" : "");
}

static json_t *error_result(const char *number, const char *code, const char *message)
{
    return json_pack("{s:s, s:[{s:o, s:{s:s, s:s}}]}", "trackingNumber", number,
                     "trackResults", "trackingNumberInfo", number_info(number, false), "error",
                     "code", code, "message", message);
}

static json_t *result_json(const fk_req *r, const char *number, bool detailed)
{
    if (!fk_all_digits(number, 12, 34))
        return error_result(number, "TRACKING.TRACKINGNUMBER.INVALID",
                            "Invalid tracking number.");
    jr_view v;
    jr_view_get(r, number, &v);
    if (v.total == 0 || v.nscans == 0)
        return error_result(number, "TRACKING.TRACKINGNUMBER.NOTFOUND",
                            "Tracking number cannot be found. Please correct the tracking "
                            "number and try again.");
    const jr_scan *last = &v.scans[v.nscans - 1];
    const fk_place *lp = fk_place_of(&routes, &v, last);
    fx_event e = event_of(last->stage);
    json_t *latest = json_pack("{s:s, s:s, s:s, s:s, s:o}", "code", e.type, "derivedCode",
                               e.derived, "statusByLocale", e.derived_text, "description",
                               e.description, "scanLocation", address_json(lp, last->stage));
    if (last->stage == ST_DELAY)
        json_object_set_new(latest, "delayDetail", json_pack("{s:s}", "status", "DELAYED"));
    const fk_place *orig = fk_origin_of(&routes, &v), *dest = fk_dest_of(&routes, &v);
    char when[40];
    json_t *dates = json_array();
    if (jr_delivered(&v)) {
        fk_iso_offset(when, sizeof(when), last->when, dest->off_min);
        json_array_append_new(dates, json_pack("{s:s, s:s}", "type", "ACTUAL_DELIVERY",
                                               "dateTime", when));
    } else if (v.kind != JR_LOST && v.kind != JR_DAMAGED) {
        fk_iso_offset(when, sizeof(when), v.eta, dest->off_min);
        json_array_append_new(dates, json_pack("{s:s, s:s}", "type", "ESTIMATED_DELIVERY",
                                               "dateTime", when));
    }
    if (v.nscans > 1) {
        fk_iso_offset(when, sizeof(when), v.scans[1].when, orig->off_min);
        json_array_append_new(dates, json_pack("{s:s, s:s}", "type", "ACTUAL_PICKUP",
                                               "dateTime", when));
    }
    fk_iso_offset(when, sizeof(when), v.ship_when, orig->off_min);
    json_array_append_new(dates, json_pack("{s:s, s:s}", "type", "SHIP", "dateTime", when));
    json_t *scans = json_array();
    for (int i = v.nscans - 1; detailed && i >= 0; i--)
        json_array_append_new(scans, scan_json(&v, &v.scans[i]));
    json_t *res = json_pack(
        "{s:o, s:{s:s, s:b}, s:o, s:o, s:o, s:o, s:[], s:{s:s, s:s, s:s}, s:o}",
        "trackingNumberInfo", number_info(number, true), "additionalTrackingInfo", "nickname",
        "", "hasAssociatedShipments", 0, "shipperInformation", party(orig),
        "recipientInformation", party(dest), "latestStatusDetail", latest, "dateAndTimes",
        dates, "availableImages", "serviceDetail", "type", "FEDEX_GROUND", "description",
        "FedEx Ground", "shortDescription", "FG", "scanEvents", scans);
    json_t *details = json_pack("{s:s}", "deliveryAttempts", "0");
    if (jr_delivered(&v)) {
        json_object_set_new(details, "receivedByName", json_string(v.signer));
        json_object_set_new(details, "signedByName", json_string(v.signer));
        json_object_set_new(details, "locationDescription", json_string("Front Door"));
        json_array_append_new(json_object_get(res, "availableImages"),
                              json_pack("{s:s}", "type", "SIGNATURE_PROOF_OF_DELIVERY"));
    }
    json_object_set_new(res, "deliveryDetails", details);
    return json_pack("{s:s, s:[o]}", "trackingNumber", number, "trackResults", res);
}

static void reply_json(fk_reply *out, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    fk_reply_set(out, status, "application/json", text);
}

static void fx_errors(fk_reply *out, int status, const char *code, const char *message)
{
    char txn[48];
    fk_txn_id(txn, sizeof(txn), (uint32_t)status);
    reply_json(out, status, json_pack("{s:s, s:[{s:s, s:s}]}", "transactionId", txn, "errors",
                                      "code", code, "message", message));
}

static void fx_error(const fk_req *r, int status, fk_reply *out)
{
    switch (status) {
    case 401:
        fx_errors(out, 401, "NOT.AUTHORIZED.ERROR",
                  "Access token expired. Please modify your request and try again.");
        break;
    case 429:
        fx_errors(out, 429, "TOO.MANY.REQUESTS",
                  "We have received too many requests in a short duration. Please wait a "
                  "while to try again.");
        break;
    case 503:
        fx_errors(out, 503, "SERVICE.UNAVAILABLE.ERROR",
                  "The service is currently unavailable and we are working to resolve the "
                  "issue. We apologize for any inconvenience. Please check back at a later "
                  "time.");
        break;
    default:
        fx_errors(out, status, "INTERNAL.SERVER.ERROR",
                  "We encountered an unexpected error and are working to resolve the issue. "
                  "We apologize for any inconvenience. Please check back at a later time.");
    }
}

static void token(const fk_req *r, fk_reply *out)
{
    char grant[64], id[256], secret[256];
    if (!fk_form_value(r->body, "grant_type", grant, sizeof(grant)) ||
        strcmp(grant, "client_credentials") != 0) {
        fx_errors(out, 400, "BAD.REQUEST.ERROR",
                  "Missing or duplicate parameters. Please modify your request and try again.");
        return;
    }
    if (!fk_form_value(r->body, "client_id", id, sizeof(id)) || id[0] == '\0' ||
        !fk_form_value(r->body, "client_secret", secret, sizeof(secret)) ||
        strcmp(secret, r->cfg->client_secret) != 0) {
        fx_errors(out, 401, "NOT.AUTHORIZED.ERROR",
                  "The given client credentials were not valid. Please modify your request "
                  "and try again.");
        return;
    }
    reply_json(out, 200, json_pack("{s:s, s:s, s:i, s:s}", "access_token", r->cfg->token,
                                   "token_type", "bearer", "expires_in", 3599, "scope",
                                   "CXS-TP"));
}

static void track(const fk_req *r, fk_reply *out)
{
    if (!fk_bearer_ok(r)) {
        fx_error(r, 401, out);
        out->www_auth = "Bearer";
        return;
    }
    json_error_t err;
    json_t *in = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    json_t *info = json_object_get(in, "trackingInfo");
    if (in == NULL || !json_is_array(info)) {
        json_decref(in);
        fx_errors(out, 400, "INVALID.INPUT.EXCEPTION", "Invalid field value in the input");
        return;
    }
    size_t n = json_array_size(info);
    if (n == 0) {
        json_decref(in);
        fx_errors(out, 400, "TRACKING.TRACKINGNUMBER.EMPTY", "Please provide tracking number.");
        return;
    }
    if (n > MAX_BATCH) {
        json_decref(in);
        fx_errors(out, 400, "TRACKING.TRACKINGNUMBERS.LIMIT.EXCEEDED",
                  "A maximum of 30 tracking numbers is allowed per request.");
        return;
    }
    json_t *detailed = json_object_get(in, "includeDetailedScans");
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *tni = json_object_get(json_array_get(info, i), "trackingNumberInfo");
        const char *number = json_string_value(json_object_get(tni, "trackingNumber"));
        if (number == NULL || number[0] == '\0') {
            json_decref(results);
            json_decref(in);
            fx_errors(out, 400, "TRACKING.TRACKINGNUMBER.EMPTY",
                      "Please provide tracking number.");
            return;
        }
        char num[65];
        snprintf(num, sizeof(num), "%s", number);
        json_array_append_new(results, result_json(r, num, !json_is_false(detailed)));
    }
    json_decref(in);
    char txn[48];
    fk_txn_id(txn, sizeof(txn), (uint32_t)n);
    reply_json(out, 200, json_pack("{s:s, s:{s:o}}", "transactionId", txn, "output",
                                   "completeTrackResults", results));
}

static void handle(const fk_req *r, fk_reply *out)
{
    if (strcmp(r->url, "/oauth/token") == 0)
        token(r, out);
    else
        track(r, out);
}

const fk_carrier fk_fedex = {"fedex", handle, fx_error};
