#include "config.h"

#include "results.h"

#include <stdlib.h>
#include <string.h>

oh_track_shipment *host_track_add_shipment(oh_track_result *r, const char *number)
{
    if (r == NULL || number == NULL || r->count >= HOST_MAX_SHIPMENTS)
        return NULL;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        oh_track_shipment *s = realloc(r->shipments, cap * sizeof(*s));
        if (s == NULL)
            return NULL;
        r->shipments = s;
        r->cap = cap;
    }
    oh_track_shipment *s = &r->shipments[r->count++];
    memset(s, 0, sizeof(*s));
    s->struct_size = (uint32_t)sizeof(*s);
    OH_STRLCPY(s->number, number);
    return s;
}

oh_track_event *host_track_add_event(oh_track_shipment *s)
{
    if (s == NULL || s->event_count >= HOST_MAX_EVENTS)
        return NULL;
    oh_track_event *e = realloc(s->events, (s->event_count + 1) * sizeof(*e));
    if (e == NULL)
        return NULL;
    s->events = e;
    e = &s->events[s->event_count++];
    memset(e, 0, sizeof(*e));
    e->struct_size = (uint32_t)sizeof(*e);
    return e;
}

void host_track_result_clear(oh_track_result *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->shipments[i].events);
    free(r->shipments);
    memset(r, 0, sizeof(*r));
}

/* Replace `doc` with a copy of `len` bytes of `data`; 0 / -1. */
static int document_set(host_document *doc, const char *mime, const void *data, size_t len)
{
    if (mime == NULL || data == NULL || len == 0 || len > HOST_PARSE_MAX_BYTES)
        return -1;
    char *m = strdup(mime);
    unsigned char *copy = malloc(len);
    if (m == NULL || copy == NULL) {
        free(m);
        free(copy);
        return -1;
    }
    memcpy(copy, data, len);
    free(doc->mime_type);
    free(doc->data);
    doc->mime_type = m;
    doc->data = copy;
    doc->len = len;
    return 0;
}

int host_label_document(oh_label *label, oh_document_kind kind, const char *mime,
                        const void *data, size_t len)
{
    /* oh_label is the first member of host_label: the host always hands out the latter. */
    host_label *hl = (host_label *)label;
    if (label == NULL || (kind != OH_DOCUMENT_LABEL && kind != OH_DOCUMENT_CUSTOMS))
        return -1;
    return document_set(&hl->documents[kind == OH_DOCUMENT_LABEL ? 0 : 1], mime, data, len);
}

int host_label_parcel(oh_label *label, const char *tracking_number)
{
    host_label *hl = (host_label *)label;
    size_t len = tracking_number ? strlen(tracking_number) : 0;
    if (label == NULL || len == 0 || len >= sizeof(hl->parcels[0]) ||
        hl->parcel_count >= OH_LABEL_PARCELS_MAX)
        return -1;
    char(*p)[64] = realloc(hl->parcels, (hl->parcel_count + 1) * sizeof(*p));
    if (p == NULL)
        return -1;
    hl->parcels = p;
    host_document *d = realloc(hl->parcel_docs, (hl->parcel_count + 1) * sizeof(*d));
    if (d == NULL)
        return -1;
    hl->parcel_docs = d;
    memset(&d[hl->parcel_count], 0, sizeof(*d));
    memcpy(p[hl->parcel_count++], tracking_number, len + 1);
    return 0;
}

int host_label_parcel_document(oh_label *label, size_t parcel, const char *mime,
                               const void *data, size_t len)
{
    host_label *hl = (host_label *)label;
    if (label == NULL || parcel >= hl->parcel_count)
        return -1;
    return document_set(&hl->parcel_docs[parcel], mime, data, len);
}

int host_label_check(const oh_shipment *ship, host_label *l, oh_error *err)
{
    /* The plugin wrote into fixed arrays: never trust it to have left their NUL. */
    oh_label *b = &l->label;
    b->tracking_number[sizeof(b->tracking_number) - 1] = '\0';
    b->service[sizeof(b->service) - 1] = '\0';
    b->currency[sizeof(b->currency) - 1] = '\0';
    b->carrier_ref[sizeof(b->carrier_ref) - 1] = '\0';
    if (b->tracking_number[0] == '\0')
        return oh_error_set(err, OH_FAIL, "label answer carries no tracking number");
    /* Two parcels under one number could not be tracked apart. */
    if (ship->parcel_count > 1 && l->parcel_count != ship->parcel_count)
        return oh_error_set(err, OH_FAIL, "label for %zu parcels names %zu parcel tracking "
                            "numbers (a carrier plugin must give each parcel its own)",
                            ship->parcel_count, l->parcel_count);
    if (ship->parcel_count <= 1 && l->parcel_count > 1)
        return oh_error_set(err, OH_FAIL, "label for one parcel names %zu parcel tracking "
                            "numbers", l->parcel_count);
    return OH_OK;
}

void host_label_clear(host_label *l)
{
    for (size_t i = 0; i < 2; i++) {
        free(l->documents[i].mime_type);
        free(l->documents[i].data);
    }
    for (size_t i = 0; i < l->parcel_count; i++) {
        free(l->parcel_docs[i].mime_type);
        free(l->parcel_docs[i].data);
    }
    free(l->parcel_docs);
    free(l->parcels);
    memset(l, 0, sizeof(*l));
    l->label.struct_size = (uint32_t)sizeof(l->label);
}

int host_rate_add(oh_rate_list *l, const oh_rate *rate)
{
    /* A plugin that did not set struct_size would get a silently empty quote: refuse. */
    size_t v1_0 = offsetof(oh_rate, transit_days) + sizeof(rate->transit_days);
    if (l == NULL || rate == NULL || l->count >= HOST_MAX_RATES || rate->struct_size < v1_0)
        return -1;
    oh_rate *r = realloc(l->rates, (l->count + 1) * sizeof(*r));
    if (r == NULL)
        return -1;
    l->rates = r;
    /* Copy only what the plugin's oh_rate holds; a smaller (older) struct is zero-extended. */
    size_t n = rate->struct_size < sizeof(*rate) ? rate->struct_size : sizeof(*rate);
    memset(&r[l->count], 0, sizeof(*r));
    memcpy(&r[l->count], rate, n);
    r[l->count].struct_size = (uint32_t)sizeof(*r);
    l->count++;
    return 0;
}

void host_rate_list_clear(oh_rate_list *l)
{
    free(l->rates);
    memset(l, 0, sizeof(*l));
}
