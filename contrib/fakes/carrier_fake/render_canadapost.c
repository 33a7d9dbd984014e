/*
 * render_canadapost.c - Canada Post "Get Tracking Details" (GET /vis/track/pin/{pin}/detail),
 * Basic auth, Accept: application/vnd.cpc.track-v2+xml. Root <tracking-detail> in namespace
 * http://www.canadapost.ca/ws/track-v2 with significant-events/occurrence newest first;
 * event-identifier zero-padded 4-digit strings, event-date YYYY-MM-DD, event-time HH:MM:SS,
 * event-time-zone an abbreviation. On delivery an informational "20" (signature image
 * recorded, with signatory-name) comes first, stamped like the 1496 it follows.
 * Errors: <messages xmlns="http://www.canadapost.ca/ws/messages"><message><code>..</code>
 * <description>..</description></message></messages> (004 No Pin History, E002 auth).
 */
#include "config.h"

#include "render.h"
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CT_TRACK "application/vnd.cpc.track-v2+xml"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static const fk_place origins[] = {
    {"MISSISSAUGA", "ON", "L5T2T1", "CA", -300, "EST"},
    {"MONTREAL", "QC", "H4R2A4", "CA", -300, "EST"},
    {"CALGARY", "AB", "T2E8P2", "CA", -420, "MST"},
};
static const fk_place hubs[] = {
    {"TORONTO", "ON", "", "CA", -300, "EST"},
    {"WINNIPEG", "MB", "", "CA", -360, "CST"},
    {"QUEBEC", "QC", "", "CA", -300, "EST"},
    {"RICHMOND", "BC", "", "CA", -480, "PST"},
};
static const fk_place dests[] = {
    {"SAINTE-FOY", "QC", "G1V4M7", "CA", -300, "EST"},
    {"VANCOUVER", "BC", "V6B1A1", "CA", -480, "PST"},
    {"OTTAWA", "ON", "K0J1T0", "CA", -300, "EST"},
};
static const fk_route_set routes = {origins, 3, hubs, 4, dests, 3};

typedef struct cp_event {
    const char *id, *description;
} cp_event;

/* Codes marked (*) in README.md are not confirmed from Canada Post's own list. */
static cp_event event_of(jr_stage s)
{
    switch (s) {
    case ST_LABEL: return (cp_event){"3000", "Electronic information submitted by shipper"};
    case ST_PICKUP: return (cp_event){"0101", "Item picked up by Canada Post"};
    case ST_ARRIVE: return (cp_event){"0100", "Item processed at postal facility"};
    case ST_DEPART: return (cp_event){"0100", "Item processed at postal facility"};
    case ST_OUT_FOR_DELIVERY: return (cp_event){"0174", "Item out for delivery"};
    case ST_DELIVERED: return (cp_event){"1496", "Item successfully delivered"};
    case ST_DELAY: return (cp_event){"0162", "Delivery delayed due to weather conditions"};
    case ST_DAMAGED: return (cp_event){"0119", "Item damaged; investigation in progress"};
    case ST_ADDRESS:
        return (cp_event){"0173",
                          "Customer addressing error found; attempting to correct. Possible "
                          "delay"};
    case ST_RETURN_START:
        return (cp_event){"1415", "Item refused by recipient; being returned to sender"};
    case ST_RETURNED: return (cp_event){"0193", "Item returned to sender"};
    }
    return (cp_event){"", ""};
}

static void occurrence(sbuf *b, const fk_place *p, int64_t when, const char *id,
                       const char *description, const char *signatory)
{
    struct tm tm;
    char date[16], tim[16];
    fk_local(when, p->off_min, &tm);
    snprintf(date, sizeof(date), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    snprintf(tim, sizeof(tim), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    sb_printf(b, "<occurrence>");
    sb_elem(b, "event-identifier", id);
    sb_elem(b, "event-date", date);
    sb_elem(b, "event-time", tim);
    sb_elem(b, "event-time-zone", p->tz);
    sb_elem(b, "event-description", description);
    sb_elem(b, "signatory-name", signatory);
    sb_elem(b, "event-site", p->city);
    sb_elem(b, "event-province", p->region);
    sb_elem(b, "event-retail-location-id", "");
    sb_elem(b, "event-retail-name", "");
    sb_printf(b, "</occurrence>");
}

static void messages(fk_reply *out, int status, const char *code, const char *description)
{
    sbuf b = {0};
    sb_printf(&b, XML_DECL "<messages xmlns=\"http://www.canadapost.ca/ws/messages\">"
                           "<message>");
    sb_elem(&b, "code", code);
    sb_elem(&b, "description", description);
    sb_printf(&b, "</message></messages>");
    fk_reply_set(out, status, "application/vnd.cpc.track-v2+xml", sb_take(&b));
}

static void cp_error(const fk_req *r, int status, fk_reply *out)
{
    switch (status) {
    case 401: messages(out, 401, "E002", "AAA Authentication Failure"); break;
    case 429: messages(out, 429, "E100", "Too many requests"); break;
    case 503: messages(out, 503, "E999", "Service temporarily unavailable"); break;
    default: messages(out, status, "E999", "Server error");
    }
}

static bool valid_pin(const char *pin)
{
    size_t n = strlen(pin);
    return (n == 12 || n == 13 || n == 16) && fk_all_alnum(pin, n, n);
}

static void detail(const fk_req *r, const char *pin, fk_reply *out)
{
    jr_view v;
    jr_view_get(r, pin, &v);
    if (v.total == 0 || v.nscans == 0) {
        messages(out, 404, "004", "No Pin History");
        return;
    }
    const fk_place *dest = fk_dest_of(&routes, &v);
    sbuf b = {0};
    sb_printf(&b, XML_DECL "<tracking-detail xmlns=\"http://www.canadapost.ca/ws/track-v2\">");
    sb_elem(&b, "pin", pin);
    sb_elem(&b, "active-exists", "1");
    sb_elem(&b, "archive-exists", "");
    sb_elem(&b, "changed-expected-date", "");
    sb_elem(&b, "destination-postal-id", dest->postal);
    char eta[16] = "";
    if (v.kind != JR_LOST && v.kind != JR_DAMAGED) {
        struct tm tm;
        fk_local(v.eta, dest->off_min, &tm);
        snprintf(eta, sizeof(eta), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday);
    }
    sb_elem(&b, "expected-delivery-date", eta);
    sb_elem(&b, "changed-expected-delivery-reason", "");
    sb_elem(&b, "mailed-by-customer-number", "0007023210");
    sb_elem(&b, "mailed-on-behalf-of-customer-number", "0007023210");
    sb_elem(&b, "original-pin", "");
    sb_elem(&b, "service-name", "Expedited Parcels");
    sb_elem(&b, "service-name-2", "Colis accélérés");
    sb_elem(&b, "customer-ref-1", "ORDERHUB");
    sb_elem(&b, "customer-ref-2", "");
    sb_elem(&b, "return-pin", "");
    sb_elem(&b, "signature-image-exists", jr_delivered(&v) ? "true" : "false");
    sb_elem(&b, "suppress-signature", "false");
    sb_printf(&b, "<delivery-options><item><delivery-option>CH_SGN_OPTION</delivery-option>"
                  "<delivery-option-description>Signature Required"
                  "</delivery-option-description></item></delivery-options>");
    sb_printf(&b, "<significant-events>");
    for (int i = v.nscans - 1; i >= 0; i--) {
        const jr_scan *s = &v.scans[i];
        const fk_place *p = fk_place_of(&routes, &v, s);
        cp_event e = event_of(s->stage);
        if (s->stage == ST_DELIVERED) /* informational, same instant, listed first */
            occurrence(&b, p, s->when, "20", "Signature image recorded for Online viewing",
                       v.signer);
        occurrence(&b, p, s->when, e.id, e.description, "");
    }
    sb_printf(&b, "</significant-events></tracking-detail>");
    fk_reply_set(out, 200, CT_TRACK, sb_take(&b));
}

static void handle(const fk_req *r, fk_reply *out)
{
    static const char prefix[] = "/vis/track/pin/";
    if (!fk_basic_password_ok(r, r->cfg->token)) {
        cp_error(r, 401, out);
        out->www_auth = "Basic realm=\"canadapost\"";
        return;
    }
    const char *accept = r->header(r, "Accept");
    if (accept == NULL || strstr(accept, CT_TRACK) == NULL) {
        messages(out, 406, "E003", "Unsupported media type in the Accept header");
        return;
    }
    const char *pin = r->url + strlen(prefix);
    const char *slash = strchr(pin, '/');
    char buf[65];
    size_t n = slash ? (size_t)(slash - pin) : 0;
    if (slash == NULL || strcmp(slash, "/detail") != 0 || n >= sizeof(buf)) {
        messages(out, 404, "E004", "Resource not found");
        return;
    }
    memcpy(buf, pin, n);
    buf[n] = '\0';
    if (!valid_pin(buf)) {
        messages(out, 400, "002", "Invalid PIN");
        return;
    }
    detail(r, buf, out);
}

const fk_carrier fk_canadapost = {"canadapost", handle, cp_error};
