/*
 * render_ups.c - UPS: OAuth client-credentials token (POST /security/v1/oauth/token) and
 * Track API (GET /api/track/v1/details/{inquiryNumber}), in the shape of UPS's OpenAPI
 * Tracking.yaml: trackResponse.shipment[].package[] with activity[] newest first; date
 * YYYYMMDD and time HHMMSS in local time, gmtDate/gmtTime/gmtOffset beside them (gmtTime
 * unpadded, as UPS's own example '74700'); not found = warning TW0001 inside a 200;
 * invalid number = 400 with TV1002; bad token = 401 with 250002.
 */
#include "config.h"

#include "render.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fk_place origins[] = {
    {"MILWAUKEE", "WI", "53204", "US", -360, "CST"},
    {"COSTA MESA", "CA", "92626", "US", -480, "PST"},
    {"ATLANTA", "GA", "30336", "US", -300, "EST"},
};
static const fk_place hubs[] = {
    {"HODGKINS", "IL", "60525", "US", -360, "CST"},
    {"LOUISVILLE", "KY", "40209", "US", -300, "EST"},
    {"DALLAS", "TX", "75261", "US", -360, "CST"},
    {"ONTARIO", "CA", "91761", "US", -480, "PST"},
};
static const fk_place dests[] = {
    {"SANTA CLARA", "CA", "95053", "US", -480, "PST"},
    {"BROOKLYN", "NY", "11201", "US", -300, "EST"},
    {"DENVER", "CO", "80202", "US", -420, "MST"},
};
static const fk_route_set routes = {origins, 3, hubs, 4, dests, 3};

typedef struct ups_status {
    const char *type, *code, *status_code, *description, *simplified;
} ups_status;

static ups_status status_of(jr_stage s)
{
    switch (s) {
    case ST_LABEL:
        return (ups_status){"M", "MP", "003",
                            "Shipper created a label, UPS has not received the package yet.",
                            "Label Created"};
    case ST_PICKUP: return (ups_status){"I", "OR", "005", "Origin Scan", "On the Way"};
    case ST_ARRIVE: return (ups_status){"I", "AR", "005", "Arrived at Facility", "On the Way"};
    case ST_DEPART: return (ups_status){"I", "DP", "005", "Departed from Facility", "On the Way"};
    case ST_OUT_FOR_DELIVERY:
        return (ups_status){"I", "OT", "021", "Out For Delivery Today", "Out for Delivery"};
    case ST_DELIVERED: return (ups_status){"D", "KB", "011", "DELIVERED", "Delivered"};
    case ST_DELAY:
        return (ups_status){"X", "AZ", "013",
                            "Delivery has been rescheduled due to weather conditions.",
                            "Delay"};
    case ST_DAMAGED:
        return (ups_status){"X", "DR", "059",
                            "Damage reported. We're reviewing the package and will update "
                            "the status when we know more.",
                            "Exception"};
    case ST_ADDRESS:
        return (ups_status){"X", "UA", "013",
                            "The address is incorrect. We're attempting to update it.",
                            "Exception"};
    case ST_RETURN_START:
        return (ups_status){"X", "RS", "033",
                            "The receiver refused the delivery. The package will be returned "
                            "to the sender.",
                            "Returning to Sender"};
    case ST_RETURNED:
        return (ups_status){"I", "RT", "036", "Returned to Sender", "Returned to Sender"};
    }
    return (ups_status){"NA", "", "", "", ""};
}

static json_t *status_json(jr_stage s)
{
    ups_status u = status_of(s);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", u.type, "description", u.description,
                     "code", u.code, "statusCode", u.status_code, "simplifiedTextDescription",
                     u.simplified);
}

static json_t *address_json(const fk_place *p, bool country_only)
{
    if (country_only)
        return json_pack("{s:s, s:s}", "countryCode", p->country, "country", p->country);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "city", p->city, "stateProvince", p->region,
                     "postalCode", p->postal, "countryCode", p->country, "country", p->country);
}

static void ymd(char *buf, size_t size, const struct tm *tm)
{
    snprintf(buf, size, "%04d%02d%02d", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
}

static json_t *activity_json(const jr_view *v, const jr_scan *s)
{
    const fk_place *p = fk_place_of(&routes, v, s);
    struct tm loc, gmt;
    char date[16], time_[16], gdate[16], gtime[16], off[8];
    fk_local(s->when, p->off_min, &loc);
    fk_local(s->when, 0, &gmt);
    ymd(date, sizeof(date), &loc);
    ymd(gdate, sizeof(gdate), &gmt);
    snprintf(time_, sizeof(time_), "%02d%02d%02d", loc.tm_hour, loc.tm_min, loc.tm_sec);
    /* UPS's own example gives gmtTime '74700': no zero padding. */
    snprintf(gtime, sizeof(gtime), "%d", gmt.tm_hour * 10000 + gmt.tm_min * 100 + gmt.tm_sec);
    fk_offset_text(off, sizeof(off), p->off_min);
    return json_pack("{s:{s:o}, s:o, s:s, s:s, s:s, s:s, s:s}", "location", "address",
                     address_json(p, s->stage == ST_LABEL), "status", status_json(s->stage),
                     "date", date, "time", time_, "gmtDate", gdate, "gmtOffset", off, "gmtTime",
                     gtime);
}

static json_t *package_json(const fk_req *r, const char *number, const jr_view *v)
{
    json_t *acts = json_array();
    for (int i = v->nscans - 1; i >= 0; i--)
        json_array_append_new(acts, activity_json(v, &v->scans[i]));
    const jr_scan *last = &v->scans[v->nscans - 1];
    const fk_place *dest = fk_dest_of(&routes, v), *orig = fk_origin_of(&routes, v);
    struct tm tm;
    char date[16];
    json_t *pkg = json_pack("{s:s, s:o, s:o}", "trackingNumber", number, "activity", acts,
                            "currentStatus", status_json(last->stage));
    if (jr_delivered(v)) {
        fk_local(last->when, dest->off_min, &tm);
        ymd(date, sizeof(date), &tm);
        char t[16];
        snprintf(t, sizeof(t), "%02d%02d%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        json_object_set_new(pkg, "deliveryDate", json_pack("[{s:s, s:s}]", "type", "DEL",
                                                           "date", date));
        json_object_set_new(pkg, "deliveryTime",
                            json_pack("{s:s, s:s, s:s}", "type", "DEL", "startTime", "",
                                      "endTime", t));
        json_t *info = json_pack("{s:s, s:s}", "receivedBy", v->signer, "location",
                                 "Front Door");
        const char *sig = r->query(r, "returnSignature");
        if (sig != NULL && strcmp(sig, "true") == 0)
            json_object_set_new(info, "signature",
                                json_pack("{s:s}", "image", "R0lGODlhAQABAAAAACw="));
        json_object_set_new(pkg, "deliveryInformation", info);
    } else if (v->kind != JR_LOST && v->kind != JR_DAMAGED) {
        fk_local(v->eta, dest->off_min, &tm);
        ymd(date, sizeof(date), &tm);
        json_object_set_new(pkg, "deliveryDate", json_pack("[{s:s, s:s}]", "type", "SDD",
                                                           "date", date));
        json_object_set_new(pkg, "deliveryTime", json_pack("{s:s, s:s, s:s}", "type", "EOD",
                                                           "startTime", "", "endTime",
                                                           "230000"));
    }
    json_object_set_new(pkg, "packageAddress",
                        json_pack("[{s:s, s:o}, {s:s, s:o}]", "type", "ORIGIN", "address",
                                  address_json(orig, false), "type", "DESTINATION", "address",
                                  address_json(dest, false)));
    json_object_set_new(pkg, "service",
                        json_pack("{s:s, s:s}", "code", "003", "description", "UPS Ground"));
    json_object_set_new(pkg, "weight", json_pack("{s:s, s:s}", "unitOfMeasurement", "LBS",
                                                 "weight", "3.20"));
    json_object_set_new(pkg, "packageCount", json_integer(1));
    return pkg;
}

static void reply_json(fk_reply *out, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    fk_reply_set(out, status, "application/json", text);
}

static void ups_errors(fk_reply *out, int status, const char *code, const char *message)
{
    reply_json(out, status, json_pack("{s:{s:[{s:s, s:s}]}}", "response", "errors", "code",
                                      code, "message", message));
}

static void ups_error(const fk_req *r, int status, fk_reply *out)
{
    switch (status) {
    case 401: ups_errors(out, 401, "250002", "Invalid Authentication Information."); break;
    case 429: ups_errors(out, 429, "10429", "Too Many Requests."); break;
    case 503: ups_errors(out, 503, "10503", "Service Unavailable."); break;
    default: {
        char code[16];
        snprintf(code, sizeof(code), "10%03d", status % 1000);
        ups_errors(out, status, code, "The request could not be processed.");
    }
    }
}

static void token(const fk_req *r, fk_reply *out)
{
    char id[256], secret[256], grant[64];
    if (!fk_basic_credentials(r, id, sizeof(id), secret, sizeof(secret)) || id[0] == '\0' ||
        strcmp(secret, r->cfg->client_secret) != 0) {
        ups_errors(out, 401, "10401", "ClientId is Invalid");
        return;
    }
    if (!fk_form_value(r->body, "grant_type", grant, sizeof(grant)) ||
        strcmp(grant, "client_credentials") != 0) {
        ups_errors(out, 400, "10400", "Invalid/Missing grant_type");
        return;
    }
    char issued[32];
    snprintf(issued, sizeof(issued), "%lld", (long long)r->now_ms);
    reply_json(out, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "token_type",
                                   "Bearer", "issued_at", issued, "client_id", id,
                                   "access_token", r->cfg->token, "scope", "", "expires_in",
                                   "14399", "status", "approved"));
}

static bool valid_number(const char *n)
{
    return strncmp(n, "1Z", 2) == 0 && fk_all_alnum(n, 18, 18);
}

static void track(const fk_req *r, const char *number, fk_reply *out)
{
    if (!fk_bearer_ok(r)) {
        ups_error(r, 401, out);
        out->www_auth = "Bearer";
        return;
    }
    if (!valid_number(number)) {
        ups_errors(out, 400, "TV1002", "Invalid inquiry number");
        return;
    }
    jr_view v;
    jr_view_get(r, number, &v);
    if (v.total == 0 || v.nscans == 0) {
        reply_json(out, 200,
                   json_pack("{s:{s:[{s:s, s:[{s:s, s:s}]}]}}", "trackResponse", "shipment",
                             "inquiryNumber", number, "warnings", "code", "TW0001", "message",
                             "Tracking Information Not Found"));
        return;
    }
    reply_json(out, 200, json_pack("{s:{s:[{s:s, s:[o]}]}}", "trackResponse", "shipment",
                                   "inquiryNumber", number, "package",
                                   package_json(r, number, &v)));
}

static void handle(const fk_req *r, fk_reply *out)
{
    static const char prefix[] = "/api/track/v1/details/";
    if (strcmp(r->url, "/security/v1/oauth/token") == 0) {
        token(r, out);
        return;
    }
    const char *number = r->url + strlen(prefix);
    if (strlen(number) > 64 || strchr(number, '/') != NULL) {
        ups_errors(out, 400, "TV1002", "Invalid inquiry number");
        return;
    }
    track(r, number, out);
}

const fk_carrier fk_ups = {"ups", handle, ups_error};
