#include "config.h"

#include "sandbox_remote.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (64 * 1024)
#define MAX_KEYS 4096
#define MAX_LABELS 4096
#define MAX_PARCELS 20 /* per label request */

typedef struct booked {
    char *key;
    int status;
    char *body;
    char *order_id;    /* from the first request's body */
    char *transaction_id; /* the one the first request acted on ("" for an authorize) */
    char operation[16];
    int64_t amount;    /* the first request's, for an approved one; 0 when declined */
    int requests;      /* every request with this key, the first one and each replay */
} booked;

typedef struct label {
    char number[32];
    char shipment_id[32]; /* shared by the parcels of one label request */
    int64_t created_ms;
    int journey; /* index in journeys[] */
    int64_t voided_ms; /* 0: live */
    char from_name[64], to_name[64]; /* the addresses' names, for sr_label_route */
} label;

struct sandbox_remote {
    struct MHD_Daemon *daemon;
    uint16_t port;
    int64_t step_ms;
    int64_t payment_delay_ms; /* env ORDERHUB_SANDBOX_PAYMENT_DELAY_MS: answer late */
    pthread_mutex_t lock;
    booked keys[MAX_KEYS];
    int nkeys;
    label labels[MAX_LABELS];
    int nlabels;
    int requests;
    int next_id;
};

typedef struct body_buf {
    char *data;
    size_t len;
    int too_big;
} body_buf;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

/* A payment call: the plugin's "simulate" directive decides, the key makes it idempotent. */
static enum MHD_Result payment(sandbox_remote *s, struct MHD_Connection *c, const char *op,
                               const body_buf *b)
{
    json_t *in = json_loadb(b->data ? b->data : "", b->len, 0, NULL);
    const char *sim = json_string_value(json_object_get(in, "simulate"));
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (in == NULL || sim == NULL) {
        json_decref(in);
        return reply(c, 400, "{\"status\":\"error\",\"message\":\"malformed request\"}");
    }
    if (strncmp(sim, "slow:", 5) == 0)
        usleep((useconds_t)atoi(sim + 5) * 1000);
    if (strncmp(sim, "error:", 6) == 0) {
        json_decref(in);
        return reply(c, atoi(sim + 6), "{\"status\":\"error\",\"message\":\"sandbox failure\"}");
    }
    pthread_mutex_lock(&s->lock);
    for (int i = 0; key != NULL && i < s->nkeys; i++) {
        if (strcmp(s->keys[i].key, key) == 0) {
            s->keys[i].requests++;
            int status = s->keys[i].status;
            char *body = strdup(s->keys[i].body);
            pthread_mutex_unlock(&s->lock);
            json_decref(in);
            enum MHD_Result rc = reply(c, status, body ? body : "{}");
            free(body);
            return rc;
        }
    }
    int status = 200;
    json_t *out;
    if (strncmp(sim, "decline:", 8) == 0) {
        status = 402;
        out = json_pack("{s:s, s:s, s:s, s:s}", "status", "declined", "code", "card_declined",
                        "decline_code", sim + 8, "message", "Your card was declined.");
    } else {
        char id[40];
        const char *tx = json_string_value(json_object_get(in, "transaction_id"));
        snprintf(id, sizeof(id), "sbx_%s_%d", op, ++s->next_id);
        out = json_pack("{s:s, s:s, s:I, s:s?}", "status", "approved", "id",
                        strcmp(op, "authorize") == 0 || tx == NULL ? id : tx, "amount",
                        json_integer_value(json_object_get(in, "amount")), "currency",
                        json_string_value(json_object_get(in, "currency")));
    }
    char *text = json_dumps(out, JSON_COMPACT);
    if (key != NULL && s->nkeys < MAX_KEYS && text != NULL) {
        const char *order_id = json_string_value(json_object_get(in, "order_id"));
        const char *tx = json_string_value(json_object_get(in, "transaction_id"));
        booked *k = &s->keys[s->nkeys++];
        *k = (booked){strdup(key), status, strdup(text), strdup(order_id ? order_id : ""),
                      strdup(tx ? tx : ""), "", 0, 1};
        snprintf(k->operation, sizeof(k->operation), "%s", op);
        k->amount = status == 200 ? (int64_t)json_integer_value(json_object_get(in, "amount"))
                                  : 0;
    }
    pthread_mutex_unlock(&s->lock);
    /* Booked, answer still on its way: a caller that dies now must replay the key. */
    if (s->payment_delay_ms > 0)
        usleep((useconds_t)s->payment_delay_ms * 1000);
    enum MHD_Result rc = reply(c, status, text ? text : "{}");
    free(text);
    json_decref(out);
    json_decref(in);
    return rc;
}

/* ---- the carrier ------------------------------------------------------------------------ */

/* One scan of a scripted journey: it shows `at` steps (step_ms each) after the label. */
typedef struct scan {
    int at;
    const char *code, *text, *city;
    int signed_for; /* a delivery scan with signed_by "J. DOE" */
} scan;

/* The default: what the demo, tests/api.sh and the engine tests wait for. */
static const scan normal_scans[] = {
    {0, "IR", "Shipping information received", "Columbus", 0},
    {1, "PU", "Picked up", "Columbus", 0},
    {2, "IT", "In transit to destination facility", "Chicago", 0},
    {3, "OD", "Out for delivery", "Springfield", 0},
    {4, "DL", "Delivered, front door", "Springfield", 1},
};
/* Steps 3 to 5 are a stall with no scan at all, then a delay scan, then delivery. */
static const scan delayed_scans[] = {
    {0, "IR", "Shipping information received", "Columbus", 0},
    {1, "PU", "Picked up", "Columbus", 0},
    {2, "IT", "In transit to destination facility", "Chicago", 0},
    {6, "DY", "Delayed: severe weather at the Chicago hub", "Chicago", 0},
    {8, "IT", "In transit, delay cleared", "Indianapolis", 0},
    {9, "OD", "Out for delivery", "Springfield", 0},
    {10, "DL", "Delivered, front door", "Springfield", 1},
};
/* Ends in an exception and stays there. */
static const scan exception_scans[] = {
    {0, "IR", "Shipping information received", "Columbus", 0},
    {1, "PU", "Picked up", "Columbus", 0},
    {2, "IT", "In transit to destination facility", "Chicago", 0},
    {3, "OD", "Out for delivery", "Springfield", 0},
    {4, "AX", "Address problem: no such street number, held at the Springfield depot",
     "Springfield", 0},
};
/* Tracking goes quiet after the parcel left the origin: the daemon's expiry must notice. */
static const scan lost_scans[] = {
    {0, "IR", "Shipping information received", "Columbus", 0},
    {1, "PU", "Picked up", "Columbus", 0},
    {2, "IT", "In transit to destination facility", "Chicago", 0},
};
/* Two failed attempts, then back to the shipper. */
static const scan returned_scans[] = {
    {0, "IR", "Shipping information received", "Columbus", 0},
    {1, "PU", "Picked up", "Columbus", 0},
    {2, "IT", "In transit to destination facility", "Chicago", 0},
    {3, "OD", "Out for delivery", "Springfield", 0},
    {4, "AF", "Delivery attempted: recipient not available, notice left", "Springfield", 0},
    {5, "OD", "Out for delivery", "Springfield", 0},
    {6, "AF", "Delivery attempted: recipient not available", "Springfield", 0},
    {7, "RT", "Return to sender: delivery attempts exhausted", "Springfield", 0},
    {9, "RS", "Returned to sender", "Columbus", 0},
};

#define SCANS(a) a, sizeof(a) / sizeof(a[0])
static const struct journey {
    const char *name;   /* as the label request's "journey" names it */
    const char *marker; /* in an order id or a ship-to name, compared case-insensitively */
    const scan *scans;
    size_t count;
} journeys[] = {
    {"normal", "journey-normal", SCANS(normal_scans)},
    {"delayed", "journey-delayed", SCANS(delayed_scans)},
    {"exception", "journey-exception", SCANS(exception_scans)},
    {"lost", "journey-lost", SCANS(lost_scans)},
    {"returned_to_sender", "journey-returned-to-sender", SCANS(returned_scans)},
};
#define NJOURNEYS (int)(sizeof(journeys) / sizeof(journeys[0]))

static int journey_named(const char *name)
{
    for (int i = 0; name != NULL && i < NJOURNEYS; i++) {
        if (strcmp(journeys[i].name, name) == 0)
            return i;
    }
    return -1;
}

/* The journey a text asks for with a marker ("journey-delayed"; '_' counts as '-'). */
static int journey_marked(const char *text)
{
    char low[256];
    size_t n = 0;
    for (; text != NULL && text[n] != '\0' && n + 1 < sizeof(low); n++)
        low[n] = text[n] == '_' ? '-' : (char)tolower((unsigned char)text[n]);
    low[n] = '\0';
    for (int i = 0; i < NJOURNEYS; i++) {
        if (strstr(low, journeys[i].marker) != NULL)
            return i;
    }
    return -1;
}

/* The tariff: base + per started kilogram, by zone (0 domestic, 1 North America, 2 world). */
static const struct tariff {
    const char *service;
    int64_t base[3], per_kg[3];
    int days[3];
} tariffs[] = {
    {"economy", {450, 1200, 1800}, {150, 400, 700}, {6, 10, 15}},
    {"ground", {699, 1500, 2400}, {200, 500, 900}, {4, 7, 10}},
    {"express", {1499, 2900, 4500}, {400, 900, 1500}, {2, 3, 4}},
};
#define NTARIFFS (int)(sizeof(tariffs) / sizeof(tariffs[0]))
static const char *const zone_names[] = {"domestic", "north_america", "world"};

/* What a label or a rate request says about the parcel's route and weight. */
typedef struct route {
    char from[3], to[3];
    int zone;
    int64_t kg; /* started kilograms, at least 1 */
} route;

static const char *member(const json_t *o, const char *a, const char *b)
{
    const json_t *j = json_object_get(o, a);
    return json_string_value(b ? json_object_get(j, b) : j);
}

static int north_american(const char *cc)
{
    return strcmp(cc, "US") == 0 || strcmp(cc, "CA") == 0 || strcmp(cc, "MX") == 0;
}

/* Read the route; NULL when fine, else the reason for a 400. */
static const char *read_route(const json_t *in, route *r)
{
    const char *from = member(in, "ship_from", "country");
    const char *to = member(in, "ship_to", "country");
    /* No origin: the sandbox ships from the US.  No destination: a domestic parcel. */
    from = from && from[0] ? from : "US";
    to = to && to[0] ? to : from;
    if (strlen(from) != 2 || strlen(to) != 2)
        return "countries must be ISO 3166-1 alpha-2 codes";
    snprintf(r->from, sizeof(r->from), "%s", from);
    snprintf(r->to, sizeof(r->to), "%s", to);
    r->zone = strcasecmp(from, to) == 0 ? 0 : north_american(from) && north_american(to) ? 1 : 2;
    const json_t *parcels = json_object_get(in, "parcels"), *p;
    if (parcels != NULL && !json_is_array(parcels))
        return "parcels must be an array";
    int64_t grams = 0;
    size_t i;
    json_array_foreach(parcels, i, p) {
        const json_t *w = json_object_get(p, "weight_g");
        if (!json_is_integer(w) || json_integer_value(w) < 0 ||
            json_integer_value(w) > 1000 * 1000)
            return "each parcel needs an integer weight_g from 0 to 1000000";
        grams += json_integer_value(w);
    }
    r->kg = grams <= 1000 ? 1 : (grams + 999) / 1000;
    return NULL;
}

static int64_t price(const struct tariff *t, const route *r)
{
    return t->base[r->zone] + t->per_kg[r->zone] * r->kg;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, int status, json_t *out)
{
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
    enum MHD_Result rc = text ? reply(c, status, text)
                              : reply(c, 500, "{\"error\":\"out of memory\",\"code\":\"INTERNAL\"}");
    free(text);
    json_decref(out);
    return rc;
}

static enum MHD_Result refuse(struct MHD_Connection *c, int status, const char *code,
                              const char *message)
{
    return reply_json(c, status, json_pack("{s:s, s:s}", "error", message, "code", code));
}

static json_t *request_json(const body_buf *b)
{
    json_t *in = b->data ? json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (in != NULL && !json_is_object(in)) {
        json_decref(in);
        in = NULL;
    }
    return in;
}

/*
 * POST /sandbox/carrier/rates - the three services priced for the route and weight:
 * {"currency":"USD","zone":"domestic","rates":[{"service","amount","transit_days"}]}.
 */
static enum MHD_Result rates(struct MHD_Connection *c, const body_buf *b)
{
    json_t *in = request_json(b);
    route r;
    const char *why = in ? read_route(in, &r) : "malformed request";
    if (why != NULL) {
        json_decref(in);
        return refuse(c, 400, "BAD_REQUEST", why);
    }
    json_decref(in);
    json_t *list = json_array();
    for (int i = 0; list != NULL && i < NTARIFFS; i++)
        json_array_append_new(list, json_pack("{s:s, s:I, s:i}", "service", tariffs[i].service,
                                              "amount", (json_int_t)price(&tariffs[i], &r),
                                              "transit_days", tariffs[i].days[r.zone]));
    return reply_json(c, 200, json_pack("{s:s, s:s, s:o?}", "currency", "USD", "zone",
                                        zone_names[r.zone], "rates", list));
}

/* An international label needs its customs lines; NULL when they are usable. */
static const char *check_customs(const json_t *customs)
{
    if (!json_is_array(customs) || json_array_size(customs) == 0)
        return "customs declaration required for an international shipment";
    size_t i;
    const json_t *line;
    json_array_foreach(customs, i, line) {
        const char *d = member(line, "description", NULL);
        const json_t *q = json_object_get(line, "quantity"), *v = json_object_get(line, "value");
        if (d == NULL || d[0] == '\0' || !json_is_integer(q) || json_integer_value(q) < 1 ||
            !json_is_integer(v) || json_integer_value(v) < 0)
            return "each customs line needs a description, a quantity >= 1 and a value >= 0";
    }
    return NULL;
}

/* The CN23 the sandbox hands back: a PDF in name only (readable text, for tests). */
static char *cn23(const char *number, const route *r, const json_t *customs, const char *cur)
{
    size_t cap = 4096, used = 0;
    char *doc = malloc(cap);
    if (doc == NULL)
        return NULL;
    used += (size_t)snprintf(doc, cap,
                             "%%PDF-1.4\n%% orderhub sandbox carrier: not a real PDF\n"
                             "CN23 CUSTOMS DECLARATION\nItem: %s\nFrom: %s  To: %s\n",
                             number, r->from, r->to);
    json_int_t total = 0;
    size_t i;
    const json_t *line;
    json_array_foreach(customs, i, line) {
        const char *hs = member(line, "hs_code", NULL), *origin = member(line, "origin_country", NULL);
        json_int_t value = json_integer_value(json_object_get(line, "value"));
        total += value;
        int n = snprintf(doc + used, cap - used, "%zu. %.60s x%lld, value %lld %s, %lld g, HS %s, "
                         "origin %s\n", i + 1, member(line, "description", NULL),
                         (long long)json_integer_value(json_object_get(line, "quantity")),
                         (long long)value, cur,
                         (long long)json_integer_value(json_object_get(line, "weight_g")),
                         hs && hs[0] ? hs : "-", origin && origin[0] ? origin : "-");
        if (n < 0 || (size_t)n >= cap - used - 64)
            break; /* a long declaration is cut: the sandbox's form has one page */
        used += (size_t)n;
    }
    snprintf(doc + used, cap - used, "Total value: %lld %s\n%%%%EOF\n", (long long)total, cur);
    return doc;
}

/*
 * POST /sandbox/carrier/labels - a new tracking number SBX1000NN on the journey the request
 * chooses (see sandbox_remote.h); 400 for a malformed request, an unknown journey or
 * service, or an international shipment without customs lines.
 */
static enum MHD_Result create_label(sandbox_remote *s, struct MHD_Connection *c,
                                    const body_buf *b)
{
    json_t *in = request_json(b);
    route r;
    const char *why = in ? read_route(in, &r) : "malformed request";
    if (why != NULL) {
        json_decref(in);
        return refuse(c, 400, "BAD_REQUEST", why);
    }
    const char *asked = member(in, "journey", NULL), *service = member(in, "service", NULL);
    int j = asked ? journey_named(asked) : journey_marked(member(in, "order_id", NULL));
    if (j < 0 && asked == NULL)
        j = journey_marked(member(in, "ship_to", "name"));
    if (j < 0 && asked == NULL)
        j = 0;
    int t = 0;
    while (service != NULL && t < NTARIFFS && strcmp(tariffs[t].service, service) != 0)
        t++;
    if (service == NULL)
        t = 1; /* ground */
    why = j < 0 ? "unknown journey" : t == NTARIFFS ? "unknown service" : NULL;
    const json_t *customs = json_object_get(in, "customs");
    const char *code = "BAD_REQUEST";
    if (why == NULL && r.zone != 0 && (why = check_customs(customs)) != NULL)
        code = "CUSTOMS_REQUIRED";
    if (why != NULL) {
        json_decref(in);
        return refuse(c, 400, code, why);
    }
    const char *cur = member(in, "currency", NULL);
    cur = cur && strlen(cur) == 3 ? cur : "USD";
    size_t nparcels = json_array_size(json_object_get(in, "parcels"));
    if (nparcels > MAX_PARCELS) {
        json_decref(in);
        return refuse(c, 400, "TOO_MANY_PARCELS", "at most 20 parcels per label request");
    }
    nparcels = nparcels ? nparcels : 1;
    const char *from_name = member(in, "ship_from", "name");
    const char *to_name = member(in, "ship_to", "name");
    char number[32], shipment_id[32], zpl[96];
    json_t *numbers = json_array();
    pthread_mutex_lock(&s->lock);
    if (s->nlabels + (int)nparcels > MAX_LABELS) {
        pthread_mutex_unlock(&s->lock);
        json_decref(in);
        json_decref(numbers);
        return refuse(c, 503, "CAPACITY", "label capacity");
    }
    /* Every parcel is its own label with its own number, on the same journey. */
    snprintf(shipment_id, sizeof(shipment_id), "SHP%06d", 100001 + s->nlabels);
    for (size_t p = 0; p < nparcels; p++) {
        label *l = &s->labels[s->nlabels++];
        snprintf(l->number, sizeof(l->number), "SBX%06d", 100000 + s->nlabels);
        snprintf(l->shipment_id, sizeof(l->shipment_id), "%s", shipment_id);
        l->created_ms = now_ms();
        l->journey = j;
        l->voided_ms = 0;
        snprintf(l->from_name, sizeof(l->from_name), "%s", from_name ? from_name : "");
        snprintf(l->to_name, sizeof(l->to_name), "%s", to_name ? to_name : "");
        char parcel_zpl[96];
        snprintf(parcel_zpl, sizeof(parcel_zpl), "^XA^FO50,50^FD%s^FS^XZ", l->number);
        json_array_append_new(numbers, json_pack("{s:s, s:{s:s, s:s}}", "tracking_number",
                                                 l->number, "label", "mime", "application/zpl",
                                                 "content", parcel_zpl));
    }
    snprintf(number, sizeof(number), "%s", s->labels[s->nlabels - (int)nparcels].number);
    pthread_mutex_unlock(&s->lock);
    snprintf(zpl, sizeof(zpl), "^XA^FO50,50^FD%s^FS^XZ", number);
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:{s:s, s:s}}", "tracking_number",
                            number, "shipment_id", shipment_id, "service", tariffs[t].service,
                            "cost", (json_int_t)price(&tariffs[t], &r), "currency", "USD",
                            "journey", journeys[j].name, "label", "mime", "application/zpl",
                            "content", zpl);
    if (out != NULL && nparcels > 1)
        json_object_set_new(out, "parcels", numbers);
    else
        json_decref(numbers);
    if (out != NULL && r.zone != 0) {
        char *doc = cn23(number, &r, customs, cur);
        json_object_set_new(out, "customs", doc ? json_pack("{s:s, s:s}", "mime",
                                                            "application/pdf", "content", doc)
                                                : NULL);
        free(doc);
    }
    json_decref(in);
    return reply_json(c, 201, out);
}

/* How many steps of its journey a label has shown by now. */
static int64_t steps_shown(const sandbox_remote *s, const label *l)
{
    int64_t step = s->step_ms > 0 ? s->step_ms : 1;
    return (now_ms() - l->created_ms) / step;
}

/*
 * POST /sandbox/carrier/shipments/{id}/void - void every parcel of a label request while
 * the carrier has not picked any of them up (a journey past its first scan): 200
 * {"shipment_id","voided":true}; 409 VOID_TOO_LATE after the pickup; 404 NOT_FOUND.  A
 * voided label then tracks as one "CA" scan.  Voiding twice answers 200 again.
 */
static enum MHD_Result void_shipment(sandbox_remote *s, struct MHD_Connection *c,
                                     const char *id)
{
    int found = 0, picked_up = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nlabels; i++) {
        label *l = &s->labels[i];
        if (strcmp(l->shipment_id, id) != 0 && strcmp(l->number, id) != 0)
            continue;
        found = 1;
        if (l->voided_ms == 0 && steps_shown(s, l) >= journeys[l->journey].scans[1].at)
            picked_up = 1;
    }
    for (int i = 0; found && !picked_up && i < s->nlabels; i++) {
        label *l = &s->labels[i];
        if ((strcmp(l->shipment_id, id) == 0 || strcmp(l->number, id) == 0) && l->voided_ms == 0)
            l->voided_ms = now_ms();
    }
    pthread_mutex_unlock(&s->lock);
    if (!found)
        return refuse(c, 404, "NOT_FOUND", "no such shipment");
    if (picked_up)
        return refuse(c, 409, "VOID_TOO_LATE", "the carrier has picked the parcel up");
    return reply_json(c, 200, json_pack("{s:s, s:b}", "shipment_id", id, "voided", 1));
}

/* Tracking numbers the sandbox could have issued: SBX and 6 to 9 digits. */
static int well_formed(const char *number)
{
    size_t n = strlen(number);
    if (n < 9 || n > 12 || strncmp(number, "SBX", 3) != 0)
        return 0;
    for (size_t i = 3; i < n; i++) {
        if (number[i] < '0' || number[i] > '9')
            return 0;
    }
    return 1;
}

/* One shipment as the track answer (and a pushed webhook) shows it.  Lock held. */
static json_t *shipment_json(const sandbox_remote *s, const char *number)
{
    for (int i = 0; i < s->nlabels; i++) {
        if (strcmp(s->labels[i].number, number) != 0)
            continue;
        const struct journey *jr = &journeys[s->labels[i].journey];
        int64_t step = s->step_ms > 0 ? s->step_ms : 1;
        int64_t steps = steps_shown(s, &s->labels[i]);
        json_t *events = json_array();
        if (s->labels[i].voided_ms != 0) {
            time_t t = (time_t)(s->labels[i].voided_ms / 1000);
            struct tm tm;
            char when[48];
            gmtime_r(&t, &tm);
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
            json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", "CA",
                                                    "text", "Label voided by the shipper",
                                                    "time", when, "city", "Columbus",
                                                    "country", "US"));
            return json_pack("{s:s, s:o}", "number", number, "events", events);
        }
        for (size_t k = 0; k < jr->count && jr->scans[k].at <= steps; k++) {
            const scan *sc = &jr->scans[k];
            /* Milliseconds: a fast test journey still has one instant per scan. */
            int64_t at = s->labels[i].created_ms + sc->at * step;
            time_t t = (time_t)(at / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            char when[48], second[32];
            strftime(second, sizeof(second), "%Y-%m-%dT%H:%M:%S", &tm);
            snprintf(when, sizeof(when), "%s.%03d+00:00", second, (int)(at % 1000));
            json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", sc->code, "text",
                                   sc->text, "time", when, "city", sc->city, "country", "US");
            if (sc->signed_for)
                json_object_set_new(ev, "signed_by", json_string("J. DOE"));
            json_array_append_new(events, ev);
        }
        return json_pack("{s:s, s:o}", "number", number, "events", events);
    }
    if (!well_formed(number))
        return json_pack("{s:s, s:s, s:s, s:[]}", "number", number, "error",
                         "invalid tracking number", "error_code", "TRK400", "events");
    return json_pack("{s:s, s:s, s:s, s:[]}", "number", number, "error", "not found",
                     "error_code", "TRK404", "events");
}

static enum MHD_Result track(sandbox_remote *s, struct MHD_Connection *c)
{
    const char *numbers = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "numbers");
    if (numbers == NULL)
        return refuse(c, 400, "BAD_REQUEST", "numbers missing");
    char *copy = strdup(numbers), *save = NULL;
    json_t *list = json_array();
    pthread_mutex_lock(&s->lock);
    for (char *n = strtok_r(copy, ",", &save); n != NULL; n = strtok_r(NULL, ",", &save))
        json_array_append_new(list, shipment_json(s, n));
    pthread_mutex_unlock(&s->lock);
    free(copy);
    return reply_json(c, 200, json_pack("{s:o}", "shipments", list));
}

/*
 * GET /sandbox/ledger - read-only, for tests auditing what was charged: every booked key as
 * {"entries":[{"key","operation","order_id","transaction_id","status","amount","requests"}]},
 * where
 * requests counts the first request with the key and every replay of it.
 */
static enum MHD_Result ledger(sandbox_remote *s, struct MHD_Connection *c)
{
    json_t *entries = json_array();
    pthread_mutex_lock(&s->lock);
    for (int i = 0; entries != NULL && i < s->nkeys; i++) {
        const booked *k = &s->keys[i];
        json_array_append_new(entries, json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:i}", "key",
                                                 k->key, "operation", k->operation, "order_id",
                                                 k->order_id ? k->order_id : "",
                                                 "transaction_id",
                                                 k->transaction_id ? k->transaction_id : "",
                                                 "status", k->status, "amount",
                                                 (json_int_t)k->amount, "requests",
                                                 k->requests));
    }
    pthread_mutex_unlock(&s->lock);
    json_t *out = entries ? json_pack("{s:o}", "entries", entries) : NULL;
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
    enum MHD_Result rc = reply(c, text ? 200 : 500,
                               text ? text : "{\"error\":\"out of memory\"}");
    free(text);
    json_decref(out);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    sandbox_remote *s = cls;
    body_buf *b = *con_cls;
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        *con_cls = b;
        return b ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        if (b->len + *upload_size > MAX_BODY) {
            b->too_big = 1;
        } else {
            char *d = realloc(b->data, b->len + *upload_size + 1);
            if (d == NULL)
                return MHD_NO;
            memcpy(d + b->len, upload, *upload_size);
            b->data = d;
            b->len += *upload_size;
            d[b->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
    if (b->too_big)
        return reply(c, 413, "{\"error\":\"body too large\"}");
    static const char pay[] = "/sandbox/payments/";
    if (strcmp(method, "POST") == 0 && strncmp(url, pay, sizeof(pay) - 1) == 0)
        return payment(s, c, url + sizeof(pay) - 1, b);
    if (strcmp(method, "POST") == 0 && strcmp(url, "/sandbox/carrier/labels") == 0)
        return create_label(s, c, b);
    static const char ship[] = "/sandbox/carrier/shipments/", tail[] = "/void";
    size_t ulen = strlen(url);
    if (strcmp(method, "POST") == 0 && strncmp(url, ship, sizeof(ship) - 1) == 0 &&
        ulen > sizeof(ship) - 1 + sizeof(tail) - 1 && ulen < sizeof(ship) + 64 &&
        strcmp(url + ulen - (sizeof(tail) - 1), tail) == 0) {
        char id[72];
        snprintf(id, sizeof(id), "%.*s", (int)(ulen - (sizeof(ship) - 1) - (sizeof(tail) - 1)),
                 url + sizeof(ship) - 1);
        return void_shipment(s, c, id);
    }
    if (strcmp(method, "POST") == 0 && strcmp(url, "/sandbox/carrier/rates") == 0)
        return rates(c, b);
    if (strcmp(method, "GET") == 0 && strcmp(url, "/sandbox/carrier/track") == 0)
        return track(s, c);
    if (strcmp(method, "GET") == 0 && strcmp(url, "/sandbox/ledger") == 0)
        return ledger(s, c);
    return reply(c, 404, "{\"error\":\"no such endpoint\"}");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    body_buf *b = *con_cls;
    if (b != NULL) {
        free(b->data);
        free(b);
        *con_cls = NULL;
    }
}

sandbox_remote *sr_start(uint16_t port, int64_t step_ms)
{
    sandbox_remote *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->step_ms = step_ms;
    const char *delay = getenv("ORDERHUB_SANDBOX_PAYMENT_DELAY_MS");
    s->payment_delay_ms = delay ? strtoll(delay, NULL, 10) : 0;
    if (s->payment_delay_ms < 0 || s->payment_delay_ms > 60000)
        s->payment_delay_ms = 0;
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

uint16_t sr_port(const sandbox_remote *s)
{
    return s->port;
}

void sr_counts(sandbox_remote *s, int *booked_keys, int *requests)
{
    pthread_mutex_lock(&s->lock);
    *booked_keys = s->nkeys;
    *requests = s->requests;
    pthread_mutex_unlock(&s->lock);
}

int64_t sr_booked_amount(sandbox_remote *s, const char *order_id, const char *operation)
{
    int64_t sum = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nkeys; i++) {
        const booked *k = &s->keys[i];
        if (strcmp(k->order_id, order_id) == 0 && strcmp(k->operation, operation) == 0)
            sum += k->amount;
    }
    pthread_mutex_unlock(&s->lock);
    return sum;
}

int sr_label_route(sandbox_remote *s, const char *number, char *from, size_t fromlen,
                   char *to, size_t tolen)
{
    int found = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; !found && i < s->nlabels; i++) {
        if (strcmp(s->labels[i].number, number) != 0)
            continue;
        snprintf(from, fromlen, "%s", s->labels[i].from_name);
        snprintf(to, tolen, "%s", s->labels[i].to_name);
        found = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void sr_stop(sandbox_remote *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->daemon);
    for (int i = 0; i < s->nkeys; i++) {
        free(s->keys[i].key);
        free(s->keys[i].body);
        free(s->keys[i].order_id);
        free(s->keys[i].transaction_id);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}
