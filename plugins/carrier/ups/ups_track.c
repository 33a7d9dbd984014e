/*
 * ups_track - UPS Track API v1: GET /api/track/v1/details/{inquiryNumber}, one number per
 * call, and its answer trackResponse.shipment[].package[].activity[] (newest first).
 *
 * Times: `date` YYYYMMDD and `time` HHMMSS are the local time of the scan; when UPS also
 * gives gmtDate/gmtTime/gmtOffset the instant comes from the GMT pair and is written as
 * local time with that offset.  gmtTime arrives unpadded ("74700") or as "07:47:00".
 */
#include "ups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- status mapping (README "Status mapping") ------------------------------------------ */

static const struct {
    const char *code;
    oh_track_status status;
} status_codes[] = {
    /* statusCode refines the type: checked first. */
    {"003", OH_TRACK_INFO_RECEIVED},      /* Shipper created a label, UPS not yet received */
    {"005", OH_TRACK_IN_TRANSIT},         {"010", OH_TRACK_IN_TRANSIT}, /* On the way */
    {"006", OH_TRACK_OUT_FOR_DELIVERY},   {"021", OH_TRACK_OUT_FOR_DELIVERY},
    {"037", OH_TRACK_OUT_FOR_DELIVERY},   {"072", OH_TRACK_OUT_FOR_DELIVERY},
    {"091", OH_TRACK_OUT_FOR_DELIVERY},   {"146", OH_TRACK_OUT_FOR_DELIVERY},
    {"007", OH_TRACK_CANCELLED},          /* Shipment information voided */
    {"011", OH_TRACK_DELIVERED},          {"026", OH_TRACK_DELIVERED},
    {"017", OH_TRACK_AVAILABLE_FOR_PICKUP}, {"040", OH_TRACK_AVAILABLE_FOR_PICKUP},
    {"144", OH_TRACK_AVAILABLE_FOR_PICKUP},
    {"022", OH_TRACK_ATTEMPT_FAILED},     {"023", OH_TRACK_ATTEMPT_FAILED},
    {"024", OH_TRACK_ATTEMPT_FAILED},     {"060", OH_TRACK_ATTEMPT_FAILED},
    {"061", OH_TRACK_ATTEMPT_FAILED},     {"062", OH_TRACK_ATTEMPT_FAILED},
    {"145", OH_TRACK_ATTEMPT_FAILED},
    {"033", OH_TRACK_RETURNED_TO_SENDER}, {"034", OH_TRACK_RETURNED_TO_SENDER},
    {"035", OH_TRACK_RETURNED_TO_SENDER}, {"036", OH_TRACK_RETURNED_TO_SENDER},
    {"013", OH_TRACK_EXCEPTION},          {"029", OH_TRACK_EXCEPTION},
    {"059", OH_TRACK_EXCEPTION},          {"064", OH_TRACK_EXCEPTION},
}, status_types[] = {
    {"M", OH_TRACK_INFO_RECEIVED},   /* Billing information received */
    {"MV", OH_TRACK_CANCELLED},      /* Billing information voided */
    {"P", OH_TRACK_IN_TRANSIT},      /* Pickup (older lists) */
    {"I", OH_TRACK_IN_TRANSIT},      /* In transit (and out for delivery: see statusCode) */
    {"DO", OH_TRACK_IN_TRANSIT},     /* Freight: delivered to origin CFS */
    {"DD", OH_TRACK_IN_TRANSIT},     /* Freight: delivered to destination CFS */
    {"W", OH_TRACK_IN_TRANSIT},      /* Freight: warehousing */
    {"D", OH_TRACK_DELIVERED},
    {"X", OH_TRACK_EXCEPTION},
    {"RS", OH_TRACK_RETURNED_TO_SENDER},
    {"NA", OH_TRACK_UNKNOWN},        /* Not available */
};

oh_track_status ups_map_status(const char *type, const char *code, const char *status_code)
{
    /* Codes are strings ("003"): compared as strings, never as numbers. */
    for (size_t i = 0; status_code != NULL && i < sizeof(status_codes) / sizeof(status_codes[0]);
         i++)
        if (strcmp(status_codes[i].code, status_code) == 0)
            return status_codes[i].status;
    if (type != NULL && code != NULL && strcmp(type, "I") == 0 && strcmp(code, "OT") == 0)
        return OH_TRACK_OUT_FOR_DELIVERY; /* "Out For Delivery Today" without a statusCode */
    for (size_t i = 0; type != NULL && i < sizeof(status_types) / sizeof(status_types[0]); i++)
        if (strcmp(status_types[i].code, type) == 0)
            return status_types[i].status;
    return OH_TRACK_UNKNOWN;
}

/* ---- request --------------------------------------------------------------------------- */

int ups_track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                    oh_error *err)
{
    ups *u = state;
    char enc[200], url[800];
    if (count != 1)
        return oh_error_set(err, OH_FAIL, "UPS tracks one number per request, not %zu", count);
    if (u->host->url_encode(numbers[0], enc, sizeof(enc)) < 0)
        return oh_error_set(err, OH_FAIL, "tracking number too long");
    int n = snprintf(url, sizeof(url), "%s/api/track/v1/details/%s?locale=en_US"
                     "&returnSignature=false", u->base_url, enc);
    if (n < 0 || (size_t)n >= sizeof(url))
        return oh_error_set(err, OH_FAIL, "track URL longer than %zu bytes", sizeof(url));
    return ups_set_common(u, req, "GET", url, NULL, err);
}

/* ---- times ----------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, size_t n)
{
    return s != NULL && strlen(s) == n && strspn(s, "0123456789") == n;
}

/* "YYYYMMDD" -> y/m/d; 0 or -1. */
static int read_date(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 8) || sscanf(s, "%4d%2d%2d", y, m, d) != 3 || *m < 1 || *m > 12 || *d < 1 ||
        *d > 31)
        return -1;
    return 0;
}

/* "HHMMSS", unpadded "74700", or "HH:MM:SS" -> seconds of the day; -1 when none. */
static int read_time(const char *s)
{
    char six[7];
    int h, mi, se;
    size_t len = s ? strlen(s) : 0;
    if (len == 8 && s[2] == ':' && s[5] == ':') {
        snprintf(six, sizeof(six), "%.2s%.2s%.2s", s, s + 3, s + 6);
    } else if (len >= 5 && len <= 6 && strspn(s, "0123456789") == len) {
        snprintf(six, sizeof(six), "%s%s", len == 5 ? "0" : "", s);
    } else {
        return -1;
    }
    if (!digits(six, 6) || sscanf(six, "%2d%2d%2d", &h, &mi, &se) != 3 || h > 23 || mi > 59 ||
        se > 59)
        return -1;
    return h * 3600 + mi * 60 + se;
}

/* "-05:00" or "-0500" -> seconds east of GMT, and the canonical "-05:00"; -1 when not one. */
static int read_offset(const char *s, int *secs, char canon[7])
{
    int h, m;
    if (s == NULL || (s[0] != '+' && s[0] != '-'))
        return -1;
    if (strlen(s) == 6 && s[3] == ':' && digits((char[]){s[1], s[2], s[4], s[5], 0}, 4))
        sscanf(s + 1, "%2d:%2d", &h, &m);
    else if (digits(s + 1, 4))
        sscanf(s + 1, "%2d%2d", &h, &m);
    else
        return -1;
    if (h > 14 || m > 59)
        return -1;
    *secs = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    snprintf(canon, 7, "%c%02d:%02d", s[0], h, m);
    return 0;
}

static void write_time(char *out, size_t outlen, int64_t epoch_s, const char *offset)
{
    int64_t days = epoch_s >= 0 ? epoch_s / 86400 : -((-epoch_s + 86399) / 86400);
    int64_t sod = epoch_s - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60), offset ? offset : "");
}

/* The event's ISO-8601 time; -1 when the activity has no readable local date. */
static int activity_time(const json_t *a, char *out, size_t outlen)
{
    int y, m, d, gy, gm, gd, off;
    char canon[7];
    if (read_date(json_string_value(json_object_get(a, "date")), &y, &m, &d) != 0)
        return -1;
    int local = read_time(json_string_value(json_object_get(a, "time")));
    int has_off = read_offset(json_string_value(json_object_get(a, "gmtOffset")), &off,
                              canon) == 0;
    int gmt = read_time(json_string_value(json_object_get(a, "gmtTime")));
    if (has_off && gmt >= 0 &&
        read_date(json_string_value(json_object_get(a, "gmtDate")), &gy, &gm, &gd) == 0) {
        /* The GMT pair is the instant; shown as the local wall time with its offset. */
        write_time(out, outlen, days_from_civil(gy, gm, gd) * 86400 + gmt + off, canon);
    } else if (local >= 0) {
        /* Local time only, or local time plus its offset: never an invented "Z". */
        write_time(out, outlen, days_from_civil(y, m, d) * 86400 + local,
                   has_off ? canon : NULL);
    } else {
        snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
    }
    return 0;
}

/* ---- answer ---------------------------------------------------------------------------- */

static void copy_location(const json_t *addr, oh_location *l)
{
    OH_STRLCPY(l->city, json_string_value(json_object_get(addr, "city")));
    OH_STRLCPY(l->region, json_string_value(json_object_get(addr, "stateProvince")));
    OH_STRLCPY(l->postal_code, json_string_value(json_object_get(addr, "postalCode")));
    /* countryCode is the ISO code; `country` is too in UPS's examples, but may be a name. */
    const char *cc = json_string_value(json_object_get(addr, "countryCode"));
    if (cc == NULL || strlen(cc) != 2)
        cc = json_string_value(json_object_get(addr, "country"));
    if (cc != NULL && strlen(cc) == 2)
        OH_STRLCPY(l->country, cc);
}

static void set_error(oh_track_shipment *s, oh_track_error_kind kind, const char *code,
                      const char *message)
{
    OH_STRLCPY(s->error, message && message[0] ? message : "UPS reported an error");
    if (OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s)) {
        s->error_kind = kind;
        OH_STRLCPY(s->error_code, code);
    }
}

/* Expected delivery: the rescheduled date, else the scheduled one; none once delivered. */
static void copy_eta(const json_t *pkg, oh_track_shipment *s)
{
    const char *sdd = NULL, *rdd = NULL;
    const json_t *dates = json_object_get(pkg, "deliveryDate");
    for (size_t i = 0; i < ups_list_size(dates); i++) {
        const json_t *e = ups_list_get(dates, i);
        const char *type = json_string_value(json_object_get(e, "type"));
        const char *date = json_string_value(json_object_get(e, "date"));
        if (type == NULL || !digits(date, 8))
            continue;
        if (strcmp(type, "DEL") == 0)
            return;
        if (strcmp(type, "RDD") == 0)
            rdd = date;
        else if (strcmp(type, "SDD") == 0)
            sdd = date;
    }
    const char *date = rdd ? rdd : sdd;
    if (date == NULL)
        return;
    /* A committed time or the end of a delivery window makes it a local date-time. */
    const char *ttype = ups_path_str(pkg, "deliveryTime", "type", NULL);
    const char *end = ups_path_str(pkg, "deliveryTime", "endTime", NULL);
    int secs = end ? read_time(end) : -1;
    if (ttype != NULL && secs >= 0 &&
        (strcmp(ttype, "CMT") == 0 || strcmp(ttype, "EDW") == 0 || strcmp(ttype, "CDW") == 0 ||
         strcmp(ttype, "IDW") == 0))
        snprintf(s->eta, sizeof(s->eta), "%.4s-%.2s-%.2sT%02d:%02d:%02d", date, date + 4,
                 date + 6, secs / 3600, secs / 60 % 60, secs % 60);
    else
        snprintf(s->eta, sizeof(s->eta), "%.4s-%.2s-%.2s", date, date + 4, date + 6);
}

static int parse_package(ups *u, const json_t *pkg, const char *fallback, oh_track_result *out,
                         oh_error *err)
{
    if (!json_is_object(pkg))
        return oh_error_set(err, OH_FAIL, "a package of %s is not an object",
                            fallback ? fallback : "the answer");
    const char *number = json_string_value(json_object_get(pkg, "trackingNumber"));
    if (number == NULL || number[0] == '\0')
        number = fallback;
    oh_track_shipment *s = number ? u->host->track_add_shipment(out, number) : NULL;
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "package without trackingNumber, or too many");
    const json_t *acts = json_object_get(pkg, "activity");
    if (acts != NULL && !json_is_array(acts))
        return oh_error_set(err, OH_FAIL, "package %s: activity is not an array", number);
    size_t delivered_at = 0; /* 1 + index of the newest delivered scan, 0 when none */
    for (size_t i = 0; i < json_array_size(acts); i++) {
        const json_t *a = json_array_get(acts, i);
        const json_t *st = json_object_get(a, "status");
        oh_track_event *ev = u->host->track_add_event(s);
        if (ev == NULL)
            return oh_error_set(err, OH_FAIL, "package %s: too many activities", number);
        if (!json_is_object(st))
            return oh_error_set(err, OH_FAIL, "package %s: activity %zu has no status",
                                number, i + 1);
        const char *type = json_string_value(json_object_get(st, "type"));
        const char *code = json_string_value(json_object_get(st, "code"));
        const char *scode = json_string_value(json_object_get(st, "statusCode"));
        /* raw_code: the finest code UPS gave (3-digit statusCode, else code, else type). */
        OH_STRLCPY(ev->raw_code, scode && scode[0] ? scode : code && code[0] ? code : type);
        OH_STRLCPY(ev->raw_text, json_string_value(json_object_get(st, "description")));
        ev->status = ups_map_status(type, code, scode);
        if (activity_time(a, ev->timestamp, sizeof(ev->timestamp)) != 0)
            return oh_error_set(err, OH_FAIL, "package %s: activity %zu has no YYYYMMDD date",
                                number, i + 1);
        copy_location(json_object_get(json_object_get(a, "location"), "address"),
                      &ev->location);
        if (ev->status == OH_TRACK_DELIVERED && delivered_at == 0)
            delivered_at = i + 1;
    }
    /* The proof belongs to the delivery scan (the array may have moved while growing). */
    oh_track_event *delivered = delivered_at ? &s->events[delivered_at - 1] : NULL;
    const char *by = ups_path_str(pkg, "deliveryInformation", "receivedBy", NULL);
    if (delivered != NULL && by != NULL)
        OH_STRLCPY(delivered->proof.signed_by, by);
    copy_eta(pkg, s);
    if (s->event_count == 0) {
        /* No scans yet: the summary is all there is. */
        const json_t *cs = json_object_get(pkg, "currentStatus");
        s->status = ups_map_status(json_string_value(json_object_get(cs, "type")),
                                   json_string_value(json_object_get(cs, "code")),
                                   json_string_value(json_object_get(cs, "statusCode")));
    }
    return OH_OK;
}

/* A shipment entry without packages: UPS's answer for an unknown number is a warning. */
static int parse_warnings(ups *u, const json_t *sh, const char *number, oh_track_result *out,
                          oh_error *err)
{
    const json_t *w = json_array_get(json_object_get(sh, "warnings"), 0);
    const char *code = json_string_value(json_object_get(w, "code"));
    const char *message = json_string_value(json_object_get(w, "message"));
    oh_track_shipment *s = number ? u->host->track_add_shipment(out, number) : NULL;
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "shipment without inquiryNumber, or too many");
    if (code != NULL && strcmp(code, "TW0001") == 0)
        set_error(s, OH_TRACK_ERROR_NOT_FOUND, code, message);
    else
        set_error(s, OH_TRACK_ERROR_CARRIER, code, message ? message : "no package in answer");
    return OH_OK;
}

/* 400/404 about the one number asked: an error on that shipment, not on the request. */
static int number_error(ups *u, const char *number, const oh_response *resp,
                        oh_track_result *out, oh_error *err)
{
    char code[32], message[200];
    ups_error_envelope(u, resp, code, sizeof(code), message, sizeof(message));
    oh_track_error_kind kind = OH_TRACK_ERROR_NONE;
    if (strcmp(code, "TV1002") == 0)
        kind = OH_TRACK_ERROR_INVALID_NUMBER;
    else if (strcmp(code, "TW0001") == 0 || (resp->status == 404 && code[0] != '\0'))
        kind = OH_TRACK_ERROR_NOT_FOUND;
    if (kind == OH_TRACK_ERROR_NONE)
        return ups_http_failure(u, resp, "track request", err);
    oh_track_shipment *s = u->host->track_add_shipment(out, number);
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    set_error(s, kind, code, message);
    return OH_OK;
}

int ups_track_parse(void *state, const char *const *numbers, size_t count,
                    const oh_response *resp, oh_track_result *out, oh_error *err)
{
    ups *u = state;
    const char *asked = count > 0 ? numbers[0] : NULL;
    if ((resp->status == 400 || resp->status == 404) && asked != NULL)
        return number_error(u, asked, resp, out, err);
    if (resp->status != 200)
        return ups_http_failure(u, resp, "track request", err);
    json_t *j = u->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const json_t *list = json_object_get(json_object_get(j, "trackResponse"), "shipment");
    int rc = OH_OK;
    if (!json_is_array(list) || json_array_size(list) == 0)
        rc = oh_error_set(err, OH_FAIL, "answer has no trackResponse.shipment array");
    for (size_t i = 0; rc == OH_OK && i < json_array_size(list); i++) {
        const json_t *sh = json_array_get(list, i);
        const char *inquiry = json_string_value(json_object_get(sh, "inquiryNumber"));
        if (inquiry == NULL || inquiry[0] == '\0')
            inquiry = asked;
        const json_t *pkgs = json_object_get(sh, "package");
        if (!json_is_object(sh) || (pkgs != NULL && !json_is_array(pkgs))) {
            rc = oh_error_set(err, OH_FAIL, "shipment %zu is malformed", i + 1);
        } else if (json_array_size(pkgs) == 0) {
            rc = parse_warnings(u, sh, inquiry, out, err);
        } else {
            for (size_t k = 0; rc == OH_OK && k < json_array_size(pkgs); k++)
                rc = parse_package(u, json_array_get(pkgs, k), inquiry, out, err);
        }
    }
    json_decref(j);
    return rc;
}
