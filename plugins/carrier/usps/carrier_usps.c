/*
 * carrier_usps - USPS Web Tools Package Tracking "Fields" API (TrackV2, Revision 1).
 *
 *   GET {base_url}?API=TrackV2&XML=<TrackFieldRequest USERID=".." PASSWORD="..">
 *         <Revision>1</Revision><ClientIp>..</ClientIp><SourceId>..</SourceId>
 *         <TrackID ID="9400..."/>...            (up to 25 TrackIDs, XSD maxOccurs="25")
 *       </TrackFieldRequest>
 *
 *   200 <TrackResponse><TrackInfo ID="9400...">
 *         <Class>..</Class>...<ExpectedDeliveryDate>March 9, 2026</ExpectedDeliveryDate>
 *         <TrackSummary>  the newest event  </TrackSummary>
 *         <TrackDetail>   older events, newest first  </TrackDetail>*
 *       </TrackInfo>...</TrackResponse>
 *   each event: EventTime ("2:05 pm", may be empty), EventDate ("March 2, 2026"), Event,
 *   EventCity, EventState, EventZIPCode, EventCountry (empty = US), FirmName, Name,
 *   AuthorizedAgent, EventCode ("01", "OF": a STRING), DeliveryAttributeCode, GeoCertified.
 *
 * USPS answers request-level failures (bad USERID...) with HTTP 200 and a document whose
 * root is <Error>; a per-number failure is an <Error> inside that number's TrackInfo.
 * USPS times are local to the scan and carry no zone: they are written without an offset.
 */
#define _POSIX_C_SOURCE 200809L

#include "../../common/xml_text.h"

#include <orderhub/orderhub.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USPS_MAX_BATCH 25
/* The SDK's oh_track_shipment.number holds 63 bytes; USPS numbers are 20-34 characters. */
#define USPS_NUMBER_MAX 63

typedef struct usps {
    const oh_host_api *host;
    const char *base_url; /* owned by the host's settings, valid until destroy */
    const char *user_id;
    const char *password;
    const char *client_ip;
    const char *source_id;
} usps;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://secure.shippingapis.com/ShippingAPI.dll",
     "URL of the Web Tools ShippingAPI.dll endpoint", OH_SETTING_HTTP_URL, 0, 0},
    {"user_id", OH_SETTING_STRING, NULL, "Web Tools USERID issued by USPS",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"password", OH_SETTING_STRING, "", "Web Tools PASSWORD (empty: the attribute is left out)",
     OH_SETTING_SENSITIVE, 0, 0},
    {"client_ip", OH_SETTING_STRING, "127.0.0.1",
     "ClientIp sent with each Revision 1 request", 0, 0, 0},
    {"source_id", OH_SETTING_STRING, "orderhub",
     "SourceId (the requesting company) sent with each Revision 1 request", 0, 0, 0},
    OH_SETTINGS_END};

/* ---- EventCode -> canonical status (docs/formats.md §3; compared as strings) ---------- */

static const struct {
    const char *code;
    oh_track_status status;
} code_map[] = {
    {"MA", OH_TRACK_PENDING},        /* manifest acknowledgement */
    {"GX", OH_TRACK_INFO_RECEIVED},  /* shipping label created (seen in Revision 1 answers) */
    {"03", OH_TRACK_IN_TRANSIT},     /* accept / pickup */
    {"TM", OH_TRACK_IN_TRANSIT},     {"PA", OH_TRACK_IN_TRANSIT}, /* shipment acceptance */
    {"10", OH_TRACK_IN_TRANSIT},     /* processed */
    {"07", OH_TRACK_IN_TRANSIT},     /* arrival at unit */
    {"EF", OH_TRACK_IN_TRANSIT},     /* departed sort facility */
    {"SF", OH_TRACK_IN_TRANSIT},     /* departed post office */
    {"PC", OH_TRACK_IN_TRANSIT},     /* sorting complete */
    {"06", OH_TRACK_IN_TRANSIT},     /* forwarded */
    {"08", OH_TRACK_IN_TRANSIT},     /* missent */
    {"71", OH_TRACK_IN_TRANSIT},     /* rescheduled */
    {"OF", OH_TRACK_OUT_FOR_DELIVERY},
    {"14", OH_TRACK_AVAILABLE_FOR_PICKUP}, /* arrival at pickup point */
    {"16", OH_TRACK_AVAILABLE_FOR_PICKUP}, /* available for pickup */
    {"02", OH_TRACK_ATTEMPT_FAILED}, /* notice left */
    {"30", OH_TRACK_ATTEMPT_FAILED}, /* attempted, no access */
    {"52", OH_TRACK_ATTEMPT_FAILED}, {"53", OH_TRACK_ATTEMPT_FAILED},
    {"54", OH_TRACK_ATTEMPT_FAILED}, {"55", OH_TRACK_ATTEMPT_FAILED},
    {"56", OH_TRACK_ATTEMPT_FAILED}, /* receptacle blocked/full, no secure location, ... */
    {"01", OH_TRACK_DELIVERED},
    {"17", OH_TRACK_DELIVERED},      {"43", OH_TRACK_DELIVERED}, /* picked up (by agent) */
    {"04", OH_TRACK_EXCEPTION},      /* refused */
    {"05", OH_TRACK_EXCEPTION},      /* undeliverable as addressed */
    {"11", OH_TRACK_EXCEPTION},      /* dead letter */
    {"44", OH_TRACK_EXCEPTION},      /* customer recall */
    {"09", OH_TRACK_RETURNED_TO_SENDER}, {"21", OH_TRACK_RETURNED_TO_SENDER},
    {"22", OH_TRACK_RETURNED_TO_SENDER}, {"23", OH_TRACK_RETURNED_TO_SENDER},
    {"24", OH_TRACK_RETURNED_TO_SENDER}, {"25", OH_TRACK_RETURNED_TO_SENDER},
    {"26", OH_TRACK_RETURNED_TO_SENDER}, {"27", OH_TRACK_RETURNED_TO_SENDER},
    {"28", OH_TRACK_RETURNED_TO_SENDER}, {"29", OH_TRACK_RETURNED_TO_SENDER},
    {"31", OH_TRACK_RETURNED_TO_SENDER},
    {"DX", OH_TRACK_UNKNOWN},        /* delivery status not updated: says nothing */
};

static oh_track_status map_code(const char *code)
{
    for (size_t i = 0; i < sizeof(code_map) / sizeof(code_map[0]); i++) {
        if (strcmp(code_map[i].code, code) == 0)
            return code_map[i].status;
    }
    return OH_TRACK_UNKNOWN;
}

/* ---- instance ------------------------------------------------------------------------- */

static int carrier_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    (void)self;
    usps *u = calloc(1, sizeof(*u));
    if (u == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    u->host = host;
    u->base_url = host->setting_string(s, "base_url");
    u->user_id = host->setting_string(s, "user_id");
    u->password = host->setting_string(s, "password");
    u->client_ip = host->setting_string(s, "client_ip");
    u->source_id = host->setting_string(s, "source_id");
    if (strchr(u->base_url, '?') != NULL) {
        free(u);
        return oh_error_set(err, OH_FAIL, "base_url must not carry a query (API= is added)");
    }
    if (u->user_id[0] == '\0') {
        free(u);
        return oh_error_set(err, OH_FAIL, "user_id is empty");
    }
    *state = u;
    return OH_OK;
}

static void carrier_destroy(void *state)
{
    free(state);
}

/* ---- building the request ------------------------------------------------------------- */

/* A growable string: every append checks for room, so the XML can never be cut short. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* Text or attribute value with the five XML specials escaped. */
static void sb_escaped(sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': sb_str(b, "&amp;"); break;
        case '<': sb_str(b, "&lt;"); break;
        case '>': sb_str(b, "&gt;"); break;
        case '"': sb_str(b, "&quot;"); break;
        case '\'': sb_str(b, "&apos;"); break;
        default: sb_add(b, s, 1);
        }
    }
}

/* XML 1.0 has no escape for control characters: refuse them rather than send bad XML. */
static int has_control(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    }
    return 0;
}

static int track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                       oh_error *err)
{
    usps *u = state;
    if (count == 0 || count > USPS_MAX_BATCH)
        return oh_error_set(err, OH_FAIL, "USPS takes 1 to %d tracking numbers per request",
                            USPS_MAX_BATCH);
    if (has_control(u->user_id) || has_control(u->password) || has_control(u->client_ip) ||
        has_control(u->source_id))
        return oh_error_set(err, OH_FAIL, "a USPS setting contains a control character");
    sbuf x = {0};
    sb_str(&x, "<TrackFieldRequest USERID=\"");
    sb_escaped(&x, u->user_id);
    if (u->password[0] != '\0') {
        sb_str(&x, "\" PASSWORD=\"");
        sb_escaped(&x, u->password);
    }
    sb_str(&x, "\"><Revision>1</Revision><ClientIp>");
    sb_escaped(&x, u->client_ip);
    sb_str(&x, "</ClientIp><SourceId>");
    sb_escaped(&x, u->source_id);
    sb_str(&x, "</SourceId>");
    for (size_t i = 0; i < count; i++) {
        size_t n = numbers[i] ? strlen(numbers[i]) : 0;
        if (n == 0 || n > USPS_NUMBER_MAX || has_control(numbers[i])) {
            free(x.data);
            return oh_error_set(err, OH_FAIL,
                                "tracking number %zu is empty, longer than %d bytes or holds a "
                                "control character", i + 1, USPS_NUMBER_MAX);
        }
        sb_str(&x, "<TrackID ID=\"");
        sb_escaped(&x, numbers[i]);
        sb_str(&x, "\"/>");
    }
    sb_str(&x, "</TrackFieldRequest>");
    if (x.failed) {
        free(x.data);
        return oh_error_set(err, OH_FAIL, "out of memory");
    }
    /* Percent-encoding at most triples the XML. */
    size_t enc_cap = x.len * 3 + 1;
    char *enc = malloc(enc_cap);
    sbuf url = {0};
    int rc = OH_FAIL;
    if (enc != NULL && u->host->url_encode(x.data, enc, enc_cap) >= 0) {
        sb_str(&url, u->base_url);
        sb_str(&url, "?API=TrackV2&XML=");
        sb_str(&url, enc);
        if (!url.failed && u->host->request_set(req, "GET", url.data) == 0 &&
            u->host->request_header(req, "Accept", "text/xml", 0) == 0)
            rc = OH_OK;
    }
    if (rc != OH_OK)
        oh_error_set(err, OH_FAIL, "cannot build the TrackV2 request");
    free(enc);
    free(url.data);
    free(x.data);
    return rc;
}

/* ---- reading the answer --------------------------------------------------------------- */

/* The answer's elements: see plugins/common/xml_text.h. */
static int is_element(const xmlNode *n, const char *name)
{
    return pxml_is(n, name, NULL);
}

static const xmlNode *child(const xmlNode *parent, const char *name)
{
    return pxml_child(parent, name, NULL);
}

static void child_text(const xmlNode *parent, const char *name, char *out, size_t outlen)
{
    pxml_child_text(parent, name, NULL, out, outlen);
}

/* USPS descriptions embed HTML ("Informed Delivery<SUP>&reg;</SUP>"): keep only the words. */
static void strip_tags(char *s)
{
    char *w = s;
    int in_tag = 0;
    for (char *r = s; *r; r++) {
        if (*r == '<')
            in_tag = 1;
        else if (*r == '>' && in_tag)
            in_tag = 0;
        else if (!in_tag)
            *w++ = *r;
    }
    *w = '\0';
}

static const char *const months[] = {"january", "february", "march", "april", "may",
                                     "june", "july", "august", "september", "october",
                                     "november", "december"};

static int days_in(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

/* Read 1..max digits at *p. */
static int read_int(const char **p, int max, int *out)
{
    int v = 0, n = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || isdigit((unsigned char)**p))
        return -1;
    *out = v;
    return 0;
}

/* "March 2, 2026" (or "Mar 2, 2026") -> y, m, d.  0, or -1 when it is not such a date. */
static int usps_date(const char *s, int *y, int *m, int *d)
{
    char word[16];
    size_t n = 0;
    while (isalpha((unsigned char)*s) && n < sizeof(word) - 1)
        word[n++] = (char)tolower((unsigned char)*s++);
    word[n] = '\0';
    if (*s == '.')
        s++;
    *m = 0;
    for (int i = 0; i < 12 && n >= 3; i++) {
        if (strcmp(word, months[i]) == 0 || (n == 3 && strncmp(word, months[i], 3) == 0))
            *m = i + 1;
    }
    if (*m == 0 || *s != ' ')
        return -1;
    while (*s == ' ')
        s++;
    if (read_int(&s, 2, d) != 0 || *s++ != ',')
        return -1;
    while (*s == ' ')
        s++;
    if (read_int(&s, 4, y) != 0 || *y < 1900 || *s != '\0')
        return -1;
    return *d >= 1 && *d <= days_in(*y, *m) ? 0 : -1;
}

/* "2:05 pm" / "10:45 PM" / "14:05" -> hour, minute.  0, or -1. */
static int usps_time(const char *s, int *h, int *mi)
{
    if (read_int(&s, 2, h) != 0 || *s++ != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]))
        return -1;
    *mi = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    while (*s == ' ')
        s++;
    if (*s == '\0')
        return *h <= 23 && *mi <= 59 ? 0 : -1;
    int pm;
    if (strcasecmp(s, "am") == 0 || strcasecmp(s, "a.m.") == 0)
        pm = 0;
    else if (strcasecmp(s, "pm") == 0 || strcasecmp(s, "p.m.") == 0)
        pm = 1;
    else
        return -1;
    if (*h < 1 || *h > 12 || *mi > 59)
        return -1;
    *h = (*h % 12) + (pm ? 12 : 0); /* 12:xx am is 00:xx, 12:xx pm stays 12:xx */
    return 0;
}

/* Local date (and time when given) as ISO-8601 WITHOUT an offset: USPS sends no zone. */
static int usps_timestamp(const char *date, const char *time, char *out, size_t outlen)
{
    int y, m, d, h, mi;
    if (usps_date(date, &y, &m, &d) != 0)
        return -1;
    if (time[0] == '\0') {
        snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
        return 0;
    }
    if (usps_time(time, &h, &mi) != 0)
        return -1;
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:00", y, m, d, h, mi);
    return 0;
}

/* EventCountry is empty for US scans and a country NAME abroad: map the usual ones. */
static const struct {
    const char *name;
    const char *iso;
} countries[] = {
    {"UNITED STATES", "US"}, {"CANADA", "CA"}, {"MEXICO", "MX"}, {"UNITED KINGDOM", "GB"},
    {"GREAT BRITAIN", "GB"}, {"GERMANY", "DE"}, {"FRANCE", "FR"}, {"ITALY", "IT"},
    {"SPAIN", "ES"}, {"NETHERLANDS", "NL"}, {"BELGIUM", "BE"}, {"SWITZERLAND", "CH"},
    {"IRELAND", "IE"}, {"JAPAN", "JP"}, {"CHINA", "CN"}, {"HONG KONG", "HK"},
    {"KOREA, REPUBLIC OF (SOUTH KOREA)", "KR"}, {"SOUTH KOREA", "KR"}, {"TAIWAN", "TW"},
    {"SINGAPORE", "SG"}, {"INDIA", "IN"}, {"AUSTRALIA", "AU"}, {"NEW ZEALAND", "NZ"},
    {"BRAZIL", "BR"}, {"ISRAEL", "IL"}, {"PUERTO RICO", "PR"},
};

static void country_code(const char *name, char out[3])
{
    out[0] = '\0';
    if (name[0] == '\0') {
        memcpy(out, "US", 3);
        return;
    }
    if (strlen(name) == 2 && isalpha((unsigned char)name[0]) && isalpha((unsigned char)name[1])) {
        out[0] = (char)toupper((unsigned char)name[0]);
        out[1] = (char)toupper((unsigned char)name[1]);
        out[2] = '\0';
        return;
    }
    for (size_t i = 0; i < sizeof(countries) / sizeof(countries[0]); i++) {
        if (strcasecmp(countries[i].name, name) == 0) {
            memcpy(out, countries[i].iso, 3);
            return;
        }
    }
    /* Unknown name: leave the country empty rather than guess. */
}

/* One TrackSummary / TrackDetail into a new event.  OH_OK, or OH_FAIL with err set. */
static int add_event(const usps *u, oh_track_shipment *s, const xmlNode *node, oh_error *err)
{
    char date[64], time[32], country[64], name[128];
    oh_track_event *ev = u->host->track_add_event(s);
    if (ev == NULL)
        return oh_error_set(err, OH_FAIL, "TrackInfo %s: too many events", s->number);
    child_text(node, "EventCode", ev->raw_code, sizeof(ev->raw_code));
    child_text(node, "Event", ev->raw_text, sizeof(ev->raw_text));
    child_text(node, "EventDate", date, sizeof(date));
    child_text(node, "EventTime", time, sizeof(time));
    if (date[0] != '\0' && usps_timestamp(date, time, ev->timestamp, sizeof(ev->timestamp)))
        return oh_error_set(err, OH_FAIL, "TrackInfo %s: unreadable EventDate/EventTime "
                            "'%.40s' '%.20s'", s->number, date, time);
    child_text(node, "EventCity", ev->location.city, sizeof(ev->location.city));
    child_text(node, "EventState", ev->location.region, sizeof(ev->location.region));
    child_text(node, "EventZIPCode", ev->location.postal_code,
               sizeof(ev->location.postal_code));
    child_text(node, "EventCountry", country, sizeof(country));
    country_code(country, ev->location.country);
    ev->status = map_code(ev->raw_code);
    /* Name is who signed / collected: proof only on a delivery. */
    child_text(node, "Name", name, sizeof(name));
    if (ev->status == OH_TRACK_DELIVERED && name[0] != '\0')
        OH_STRLCPY(ev->proof.signed_by, name);
    return OH_OK;
}

/* Case-insensitive substring test (strcasestr is a GNU extension). */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    }
    return 0;
}

/* USPS error numbers meaning "nothing scanned under this number (yet)". */
static int not_found_number(const char *n)
{
    return strcmp(n, "-2147219283") == 0 || strcmp(n, "-2147219284") == 0 ||
           strcmp(n, "-2147219302") == 0;
}

static void set_error(oh_track_shipment *s, const xmlNode *error)
{
    char number[32], desc[512];
    child_text(error, "Number", number, sizeof(number));
    child_text(error, "Description", desc, sizeof(desc));
    strip_tags(desc);
    OH_STRLCPY(s->error, desc[0] ? desc : "USPS reported an error without a description");
    if (!OH_TRACK_SHIPMENT_HAS_ERROR_KIND(s))
        return;
    OH_STRLCPY(s->error_code, number);
    if (not_found_number(number) || contains_ci(desc, "could not locate") ||
        contains_ci(desc, "not yet available"))
        s->error_kind = OH_TRACK_ERROR_NOT_FOUND;
    else if (strcasecmp(number, "80040B1A") == 0)
        s->error_kind = OH_TRACK_ERROR_AUTH;
    else if (contains_ci(desc, "valid tracking number") ||
             contains_ci(desc, "invalid"))
        s->error_kind = OH_TRACK_ERROR_INVALID_NUMBER;
    else
        s->error_kind = OH_TRACK_ERROR_CARRIER;
}

/* "March 9, 2026" -> "2026-03-09" into s->eta; left empty when unreadable (it is a hint). */
static void set_eta(oh_track_shipment *s, const xmlNode *info)
{
    char text[64];
    int y, m, d;
    child_text(info, "ExpectedDeliveryDate", text, sizeof(text));
    if (text[0] == '\0')
        child_text(info, "PredictedDeliveryDate", text, sizeof(text));
    if (text[0] != '\0' && usps_date(text, &y, &m, &d) == 0)
        snprintf(s->eta, sizeof(s->eta), "%04d-%02d-%02d", y, m, d);
}

static int parse_track_info(const usps *u, const xmlNode *info, oh_track_result *out,
                            oh_error *err)
{
    xmlChar *id = xmlGetProp(info, (const xmlChar *)"ID");
    if (id == NULL || id[0] == '\0' || strlen((const char *)id) > USPS_NUMBER_MAX) {
        xmlFree(id);
        return oh_error_set(err, OH_FAIL, "a TrackInfo has no usable ID attribute");
    }
    oh_track_shipment *s = u->host->track_add_shipment(out, (const char *)id);
    xmlFree(id);
    if (s == NULL)
        return oh_error_set(err, OH_FAIL, "too many TrackInfo elements");
    const xmlNode *error = child(info, "Error");
    if (error != NULL) {
        set_error(s, error);
        return OH_OK;
    }
    set_eta(s, info);
    /* TrackSummary is the newest event, the TrackDetails follow newest first. */
    const xmlNode *summary = child(info, "TrackSummary");
    if (summary != NULL && add_event(u, s, summary, err) != OH_OK)
        return OH_FAIL;
    for (const xmlNode *n = info->children; n != NULL; n = n->next) {
        if (is_element(n, "TrackDetail") && add_event(u, s, n, err) != OH_OK)
            return OH_FAIL;
    }
    return OH_OK;
}

/* A whole-document <Error>: credentials or request refused.  Always OH_FAIL. */
static int request_error(const xmlNode *error, oh_error *err)
{
    char number[32], desc[256];
    child_text(error, "Number", number, sizeof(number));
    child_text(error, "Description", desc, sizeof(desc));
    strip_tags(desc);
    return oh_error_set(err, OH_FAIL, "USPS refused the request (error %s): %s",
                        number[0] ? number : "without number",
                        desc[0] ? desc : "no description");
}

static int track_parse(void *state, const char *const *numbers, size_t count,
                       const oh_response *resp, oh_track_result *out, oh_error *err)
{
    usps *u = state;
    (void)numbers;
    (void)count;
    if (resp->status == 429 || resp->status >= 500)
        return oh_error_set(err, OH_RETRY, "USPS answered HTTP %d (transient)", resp->status);
    if (resp->status != 200)
        return oh_error_set(err, OH_FAIL, "USPS answered HTTP %d", resp->status);
    xmlDoc *doc = u->host->xml_parse(resp->body, resp->body_len, err);
    if (doc == NULL)
        return OH_FAIL;
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc = OH_OK;
    if (root != NULL && is_element(root, "Error")) {
        rc = request_error(root, err);
    } else if (root == NULL || !is_element(root, "TrackResponse")) {
        rc = oh_error_set(err, OH_FAIL, "answer is not a TrackResponse (root <%.40s>)",
                          root ? (const char *)root->name : "none");
    } else if (child(root, "Error") != NULL) {
        rc = request_error(child(root, "Error"), err);
    } else {
        int any = 0;
        for (const xmlNode *n = root->children; n != NULL && rc == OH_OK; n = n->next) {
            if (is_element(n, "TrackInfo")) {
                any = 1;
                rc = parse_track_info(u, n, out, err);
            }
        }
        if (rc == OH_OK && !any)
            rc = oh_error_set(err, OH_FAIL, "TrackResponse holds no TrackInfo");
    }
    xmlFreeDoc(doc);
    return rc;
}

static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops, .max_batch = USPS_MAX_BATCH,
    .track_build = track_build, .track_parse = track_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_usps", .version = "0.1.0", .kind = OH_KIND_CARRIER,
    .description = "USPS Web Tools tracking (TrackV2 Fields, Revision 1)",
    .settings = settings, .init = carrier_init, .destroy = carrier_destroy,
    .carrier = &ops);

OH_PLUGIN_DEFINE(plugin)
