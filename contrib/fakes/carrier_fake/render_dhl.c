/*
 * render_dhl.c - DHL Shipment Tracking - Unified (GET /track/shipments?trackingNumber=...),
 * key in the DHL-API-Key header (no OAuth). shipments[] with status (the newest event),
 * events[] newest first, statusCode from the enum pre-transit | transit | delivered |
 * failure | unknown, timestamps ISO-8601 with offset; errors RFC 7807 style
 * {title, status, detail, instance}: 404 "No result found", 401 bad key, 429 rate limit.
 */
#include "config.h"

#include "render.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fk_place origins[] = {
    {"LEIPZIG - GERMANY", "", "04435", "DE", 120, "CEST"},
    {"AMSTERDAM - NETHERLANDS", "", "1043 AG", "NL", 120, "CEST"},
    {"LONDON - UK", "", "TW6 2JS", "GB", 60, "BST"},
};
static const fk_place hubs[] = {
    {"BRUSSELS - BELGIUM", "", "1930", "BE", 120, "CEST"},
    {"EAST MIDLANDS - UK", "", "DE74 2TR", "GB", 60, "BST"},
    {"PARIS - FRANCE", "", "95700", "FR", 120, "CEST"},
    {"COLOGNE - GERMANY", "", "51147", "DE", 120, "CEST"},
};
static const fk_place dests[] = {
    {"MADRID - SPAIN", "", "28042", "ES", 120, "CEST"},
    {"VIENNA - AUSTRIA", "", "1300", "AT", 120, "CEST"},
    {"DUBLIN - IRELAND", "", "D17", "IE", 60, "IST"},
};
static const fk_route_set routes = {origins, 3, hubs, 4, dests, 3};

typedef struct dhl_event {
    const char *code, *status, *description;
} dhl_event;

static dhl_event event_of(jr_stage s)
{
    switch (s) {
    case ST_LABEL:
        return (dhl_event){"pre-transit", "SHIPMENT INFORMATION RECEIVED",
                           "Shipment information received"};
    case ST_PICKUP: return (dhl_event){"transit", "PICKED UP", "Shipment picked up"};
    case ST_ARRIVE:
        return (dhl_event){"transit", "ARRIVED AT SORT FACILITY", "Arrived at DHL Sort Facility"};
    case ST_DEPART: return (dhl_event){"transit", "DEPARTED FACILITY", "Departed Facility"};
    case ST_OUT_FOR_DELIVERY:
        return (dhl_event){"transit", "WITH DELIVERY COURIER",
                           "Shipment is out with courier for delivery"};
    case ST_DELIVERED: return (dhl_event){"delivered", "DELIVERED", "Delivered"};
    case ST_DELAY:
        return (dhl_event){"failure", "DELAYED", "Shipment delayed due to weather conditions"};
    case ST_DAMAGED: return (dhl_event){"failure", "DAMAGED", "Shipment damaged"};
    case ST_ADDRESS:
        return (dhl_event){"failure", "ADDRESS ISSUE",
                           "Recipient address incorrect, DHL is attempting to contact the "
                           "recipient"};
    case ST_RETURN_START:
        return (dhl_event){"failure", "RETURN TO SHIPPER",
                           "Delivery refused, the shipment will be returned to the shipper"};
    case ST_RETURNED:
        return (dhl_event){"failure", "RETURNED TO SHIPPER", "Shipment returned to shipper"};
    }
    return (dhl_event){"unknown", "", ""};
}

static json_t *address_json(const fk_place *p)
{
    return json_pack("{s:{s:s, s:s, s:s}}", "address", "addressLocality", p->city,
                     "countryCode", p->country, "postalCode", p->postal);
}

static json_t *event_json(const jr_view *v, const jr_scan *s)
{
    const fk_place *p = fk_place_of(&routes, v, s);
    dhl_event e = event_of(s->stage);
    char when[40];
    fk_iso_offset(when, sizeof(when), s->when, p->off_min);
    json_t *j = json_pack("{s:s, s:o, s:s, s:s, s:s}", "timestamp", when, "location",
                          address_json(p), "statusCode", e.code, "status", e.status,
                          "description", e.description);
    if (s->stage == ST_DELAY) {
        json_object_set_new(j, "remark", json_string("The shipment is delayed."));
        json_object_set_new(j, "nextSteps",
                            json_string("The status will be updated when the shipment moves."));
    }
    return j;
}

static void reply_json(fk_reply *out, int status, const char *type, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    fk_reply_set(out, status, type, text);
}

static void problem(fk_reply *out, int status, const char *title, const char *detail,
                    const char *instance)
{
    json_t *doc = json_pack("{s:s, s:i, s:s}", "title", title, "status", status, "detail",
                            detail);
    if (instance != NULL)
        json_object_set_new(doc, "instance", json_string(instance));
    reply_json(out, status, "application/problem+json", doc);
}

static void dhl_error(const fk_req *r, int status, fk_reply *out)
{
    switch (status) {
    case 401: problem(out, 401, "Unauthorized", "Unauthorized for given resource.", NULL); break;
    case 429:
        problem(out, 429, "Too many requests", "Too many requests in this time frame.", NULL);
        break;
    case 503:
        problem(out, 503, "Service Unavailable", "The service is temporarily unavailable.",
                NULL);
        break;
    default: problem(out, status, "Error", "The request could not be processed.", NULL);
    }
}

static void handle(const fk_req *r, fk_reply *out)
{
    const char *key = r->header(r, "DHL-API-Key");
    if (key == NULL || strcmp(key, r->cfg->token) != 0) {
        dhl_error(r, 401, out);
        return;
    }
    const char *number = r->query(r, "trackingNumber");
    if (number == NULL || number[0] == '\0') {
        problem(out, 400, "Bad Request", "Missing required parameter: trackingNumber.", NULL);
        return;
    }
    char instance[96];
    snprintf(instance, sizeof(instance), "/shipments?trackingNumber=%.64s", number);
    if (!fk_all_alnum(number, 10, 39)) {
        problem(out, 400, "Invalid tracking number",
                "The tracking number does not have a valid format.", instance);
        return;
    }
    jr_view v;
    jr_view_get(r, number, &v);
    if (v.total == 0 || v.nscans == 0) {
        problem(out, 404, "No result found", "No shipment with given tracking number found.",
                instance);
        return;
    }
    json_t *events = json_array();
    for (int i = v.nscans - 1; i >= 0; i--)
        json_array_append_new(events, event_json(&v, &v.scans[i]));
    const fk_place *orig = fk_origin_of(&routes, &v), *dest = fk_dest_of(&routes, &v);
    char piece[40];
    snprintf(piece, sizeof(piece), "JD0146%014u", (unsigned)v.seed);
    json_t *details = json_pack("{s:{s:s, s:s}, s:{s:s}, s:i, s:[s], s:{s:f, s:s}}", "carrier",
                                "@type", "Organization", "organizationName", "DHL Express",
                                "product", "productName", "EXPRESS WORLDWIDE",
                                "totalNumberOfPieces", 1, "pieceIds", piece, "weight", "value",
                                1.5, "unitText", "kg");
    json_t *ship = json_pack("{s:s, s:s, s:o, s:o, s:O}", "id", number, "service", "express",
                             "origin", address_json(orig), "destination", address_json(dest),
                             "status", json_array_get(events, 0));
    char when[40];
    if (jr_delivered(&v)) {
        fk_iso_offset(when, sizeof(when), v.scans[v.nscans - 1].when, dest->off_min);
        json_object_set_new(details, "proofOfDelivery",
                            json_pack("{s:s, s:s, s:{s:s, s:s}}", "timestamp", when,
                                      "documentUrl",
                                      "https://proview.dhl.com/proofofdelivery/fake",
                                      "signed", "@type", "Person", "name", v.signer));
    } else if (v.kind != JR_LOST && v.kind != JR_DAMAGED) {
        fk_iso_offset(when, sizeof(when), v.eta, dest->off_min);
        json_object_set_new(ship, "estimatedTimeOfDelivery", json_string(when));
    }
    json_object_set_new(ship, "details", details);
    json_object_set_new(ship, "events", events);
    reply_json(out, 200, "application/json", json_pack("{s:[o]}", "shipments", ship));
}

const fk_carrier fk_dhl = {"dhl", handle, dhl_error};
