/*
 * render_usps.c - USPS Web Tools TrackV2 (GET /ShippingAPI.dll?API=TrackV2&XML=...), the
 * legacy XML API. <TrackFieldRequest USERID=".."><Revision>1</Revision>... up to 25
 * <TrackID ID=".."/>; answers TrackResponse/TrackInfo@ID with the newest event as ONE
 * TrackSummary and older ones as TrackDetail, newest first. Dates "January 6, 2016", times
 * "9:10 am" with NO time zone (local), the pre-shipment event has an empty EventTime and no
 * city, Class carries entity-escaped HTML. Everything comes back in HTTP 200: errors are an
 * <Error> as the document root (request level, bad USERID) or inside TrackInfo (per number).
 * A plain <TrackRequest> (no fields) gets the one-sentence TrackSummary/TrackDetail form.
 */
#include "config.h"

#include "render.h"
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IDS 25
#define MAX_ID_LEN 64
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static const fk_place origins[] = {
    {"MILWAUKEE", "WI", "53204", "", -360, "CST"},
    {"EDGEWATER", "NJ", "07020", "", -300, "EST"},
    {"PORTLAND", "OR", "97218", "", -480, "PST"},
};
static const fk_place hubs[] = {
    {"OAK CREEK", "WI", "53154", "", -360, "CST"},
    {"CHICAGO IL DISTRIBUTION CENTER", "", "", "", -360, "CST"}, /* facility, no state/ZIP */
    {"KEARNY", "NJ", "07032", "", -300, "EST"},
    {"SAN DIEGO", "CA", "92199", "", -480, "PST"},
};
static const fk_place dests[] = {
    {"SAN DIEGO", "CA", "92104", "", -480, "PST"},
    {"WILMINGTON", "DE", "19801", "", -300, "EST"},
    {"AUSTIN", "TX", "78701", "", -360, "CST"},
};
static const fk_route_set routes = {origins, 3, hubs, 4, dests, 3};

static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

typedef struct usps_event {
    const char *code, *text, *category;
} usps_event;

static usps_event event_of(jr_stage s)
{
    switch (s) {
    case ST_LABEL:
        return (usps_event){"MA", "Pre-Shipment Info Sent to USPS, USPS Awaiting Item",
                            "Pre-Shipment"};
    case ST_PICKUP: return (usps_event){"03", "USPS picked up item", "Accepted"};
    case ST_ARRIVE:
        return (usps_event){"10", "Arrived at USPS Regional Facility", "In Transit"};
    case ST_DEPART: return (usps_event){"EF", "Departed USPS Regional Facility", "In Transit"};
    case ST_OUT_FOR_DELIVERY:
        return (usps_event){"OF", "Out for Delivery", "Out for Delivery"};
    case ST_DELIVERED:
        return (usps_event){"01", "Delivered, Left with Individual", "Delivered"};
    case ST_DELAY: return (usps_event){"NT", "In Transit, Arriving Late", "In Transit"};
    case ST_DAMAGED: return (usps_event){"11", "Dead Letter", "Alert"};
    case ST_ADDRESS: return (usps_event){"05", "Undeliverable as Addressed", "Alert"};
    case ST_RETURN_START: return (usps_event){"04", "Refused", "Alert"};
    case ST_RETURNED: return (usps_event){"09", "Returned to Sender", "Alert"};
    }
    return (usps_event){"DX", "Delivery status not updated", "Alert"};
}

static void date_text(char *buf, size_t size, const struct tm *tm)
{
    snprintf(buf, size, "%s %d, %d", months[tm->tm_mon], tm->tm_mday, tm->tm_year + 1900);
}

static void time_text(char *buf, size_t size, const struct tm *tm)
{
    int h = tm->tm_hour % 12;
    snprintf(buf, size, "%d:%02d %s", h == 0 ? 12 : h, tm->tm_min, tm->tm_hour < 12 ? "am" : "pm");
}

static void event_fields(sbuf *b, const char *tag, const jr_view *v, const jr_scan *s)
{
    const fk_place *p = fk_place_of(&routes, v, s);
    usps_event e = event_of(s->stage);
    struct tm tm;
    char date[40], tim[16];
    fk_local(s->when, p->off_min, &tm);
    date_text(date, sizeof(date), &tm);
    time_text(tim, sizeof(tim), &tm);
    bool label = s->stage == ST_LABEL; /* pre-shipment: no time, no place */
    sb_printf(b, "<%s>", tag);
    sb_elem(b, "EventTime", label ? "" : tim);
    sb_elem(b, "EventDate", date);
    sb_elem(b, "Event", e.text);
    sb_elem(b, "EventCity", label ? "" : p->city);
    sb_elem(b, "EventState", label ? "" : p->region);
    sb_elem(b, "EventZIPCode", label ? "" : p->postal);
    sb_elem(b, "EventCountry", "");
    sb_elem(b, "FirmName", "");
    sb_elem(b, "Name", s->stage == ST_DELIVERED ? v->signer : "");
    sb_elem(b, "AuthorizedAgent", "false");
    sb_elem(b, "EventCode", e.code);
    sb_printf(b, "</%s>", tag);
}

/* The no-Revision form: one sentence per event. */
static void event_sentence(sbuf *b, const char *tag, const jr_view *v, const jr_scan *s)
{
    const fk_place *p = fk_place_of(&routes, v, s);
    struct tm tm;
    char date[40], tim[16], line[256];
    fk_local(s->when, p->off_min, &tm);
    date_text(date, sizeof(date), &tm);
    time_text(tim, sizeof(tim), &tm);
    snprintf(line, sizeof(line), "%s, %s, %s, %s %s %s", event_of(s->stage).text, date, tim,
             p->city, p->region, p->postal);
    sb_printf(b, "<%s>", tag);
    sb_xml(b, line);
    sb_printf(b, "</%s>", tag);
}

static void info_error(sbuf *b, const char *id, const char *description)
{
    sb_printf(b, "<TrackInfo ID=\"");
    sb_xml(b, id);
    sb_printf(b, "\"><Error><Number>-2147219302</Number><Description>");
    sb_xml(b, description);
    sb_printf(b, "</Description><HelpFile/><HelpContext/></Error></TrackInfo>");
}

static bool valid_number(const char *n)
{
    size_t len = strlen(n);
    if (len == 13) { /* UPU S10: two letters, nine digits, two letters ("EA123456785US") */
        char digits[10];
        memcpy(digits, n + 2, 9);
        digits[9] = '\0';
        return fk_all_alnum(n, 13, 13) && fk_all_digits(digits, 9, 9);
    }
    return fk_all_digits(n, 20, 34);
}

static void track_info(const fk_req *r, sbuf *b, const char *id, bool fields)
{
    if (!valid_number(id)) {
        info_error(b, id, "The tracking number may be incorrect or the status update is not "
                          "yet available. Please verify your tracking number and try again "
                          "later.");
        return;
    }
    jr_view v;
    jr_view_get(r, id, &v);
    if (v.total == 0 || v.nscans == 0) {
        info_error(b, id, "The Postal Service could not locate the tracking information for "
                          "your request. Please verify your tracking number and try again "
                          "later.");
        return;
    }
    const jr_scan *last = &v.scans[v.nscans - 1];
    sb_printf(b, "<TrackInfo ID=\"");
    sb_xml(b, id);
    sb_printf(b, "\">");
    if (fields) {
        const fk_place *o = fk_origin_of(&routes, &v), *d = fk_dest_of(&routes, &v);
        usps_event e = event_of(last->stage);
        sb_elem(b, "Class", "Priority Mail<SUP>&#174;</SUP>");
        sb_elem(b, "ClassOfMailCode", "PM");
        sb_elem(b, "DestinationCity", d->city);
        sb_elem(b, "DestinationState", d->region);
        sb_elem(b, "DestinationZip", d->postal);
        sb_elem(b, "EmailEnabled", "true");
        if (!jr_delivered(&v) && v.kind != JR_LOST && v.kind != JR_DAMAGED) {
            struct tm tm;
            char date[40];
            fk_local(v.eta, d->off_min, &tm);
            date_text(date, sizeof(date), &tm);
            sb_elem(b, "ExpectedDeliveryDate", date);
        }
        sb_elem(b, "OriginCity", o->city);
        sb_elem(b, "OriginState", o->region);
        sb_elem(b, "OriginZip", o->postal);
        sb_elem(b, "PodEnabled", "false");
        sb_elem(b, "Service", "USPS Tracking<SUP>&#174;</SUP>");
        sb_elem(b, "ServiceTypeCode", "055");
        sb_elem(b, "Status", e.text);
        sb_elem(b, "StatusCategory", e.category);
        sb_elem(b, "StatusSummary", jr_delivered(&v)
                                        ? "Your item was delivered to an individual."
                                        : "Your item is moving through the USPS network.");
        event_fields(b, "TrackSummary", &v, last);
        for (int i = v.nscans - 2; i >= 0; i--)
            event_fields(b, "TrackDetail", &v, &v.scans[i]);
    } else {
        event_sentence(b, "TrackSummary", &v, last);
        for (int i = v.nscans - 2; i >= 0; i--)
            event_sentence(b, "TrackDetail", &v, &v.scans[i]);
    }
    sb_printf(b, "</TrackInfo>");
}

static void root_error(fk_reply *out, const char *number, const char *source,
                       const char *description)
{
    sbuf b = {0};
    sb_printf(&b, XML_DECL "<Error><Number>%s</Number><Source>%s</Source><Description>",
              number, source);
    sb_xml(&b, description);
    sb_printf(&b, "</Description><HelpFile/><HelpContext/></Error>");
    fk_reply_set(out, 200, "text/xml", sb_take(&b));
}

static void usps_error(const fk_req *r, int status, fk_reply *out)
{
    if (status == 401) { /* USPS says so in a 200 */
        root_error(out, "80040B1A", "USPSCOM::DoAuth",
                   "Authorization failure.  Perhaps username and/or password is incorrect.");
        return;
    }
    sbuf b = {0};
    sb_printf(&b, "<html><body><h1>%d</h1>Service unavailable.</body></html>", status);
    fk_reply_set(out, status, "text/html", sb_take(&b));
}

/* Value of attribute name="..." inside the start tag at tag (up to '>'); false if absent. */
static bool attr(const char *tag, const char *name, char *buf, size_t size)
{
    const char *end = strchr(tag, '>');
    size_t nlen = strlen(name);
    for (const char *p = tag + 1; end != NULL && p < end; p++) {
        if ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') && strncmp(p, name, nlen) == 0 &&
            p[nlen] == '=' && (p[nlen + 1] == '"' || p[nlen + 1] == '\'')) {
            const char *v = p + nlen + 2, *q = strchr(v, p[nlen + 1]);
            if (q == NULL || q > end || (size_t)(q - v) >= size)
                return false;
            memcpy(buf, v, (size_t)(q - v));
            buf[q - v] = '\0';
            return true;
        }
    }
    return false;
}

static void handle(const fk_req *r, fk_reply *out)
{
    const char *api = r->query(r, "API"), *xml = r->query(r, "XML");
    if (api == NULL || strcmp(api, "TrackV2") != 0) {
        root_error(out, "-2147219040", "SOLServerTracking", "API Authorization failure. "
                   "This API is not supported by this fake; use API=TrackV2.");
        return;
    }
    if (xml == NULL || strstr(xml, "<!") != NULL || strlen(xml) > 16384) {
        root_error(out, "-2147218040", "SOLServerTracking", "Invalid XML Element.");
        return;
    }
    const char *root = strstr(xml, "<TrackFieldRequest");
    bool fields = root != NULL;
    if (root == NULL)
        root = strstr(xml, "<TrackRequest");
    char userid[128];
    if (root == NULL || root != xml + strspn(xml, " \t\r\n")) {
        root_error(out, "-2147218040", "SOLServerTracking", "Invalid XML Element.");
        return;
    }
    if (!attr(root, "USERID", userid, sizeof(userid)) || strcmp(userid, r->cfg->token) != 0) {
        usps_error(r, 401, out);
        return;
    }
    /* The detailed form needs <Revision>1</Revision> too. */
    fields = fields && strstr(root, "<Revision>1</Revision>") != NULL;
    const char *ids[MAX_IDS + 1];
    char store[MAX_IDS + 1][MAX_ID_LEN + 1];
    int n = 0;
    for (const char *p = strstr(root, "<TrackID"); p != NULL; p = strstr(p + 8, "<TrackID")) {
        if (n == MAX_IDS + 1 || !attr(p + 1, "ID", store[n], sizeof(store[n]))) {
            root_error(out, "-2147218040", "SOLServerTracking",
                       n == MAX_IDS + 1 ? "Number of TrackIDs exceeds the maximum of 25."
                                        : "Invalid XML Element.");
            return;
        }
        ids[n] = store[n];
        n++;
    }
    if (n == 0 || n > MAX_IDS) {
        root_error(out, "-2147218040", "SOLServerTracking",
                   n == 0 ? "Missing value for TrackID." :
                            "Number of TrackIDs exceeds the maximum of 25.");
        return;
    }
    sbuf b = {0};
    sb_printf(&b, XML_DECL "<TrackResponse>");
    for (int i = 0; i < n; i++)
        track_info(r, &b, ids[i], fields);
    sb_printf(&b, "</TrackResponse>");
    fk_reply_set(out, 200, "text/xml", sb_take(&b));
}

const fk_carrier fk_usps = {"usps", handle, usps_error};
