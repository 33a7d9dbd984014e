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

int host_label_document(oh_label *label, oh_document_kind kind, const char *mime,
                        const void *data, size_t len)
{
    /* oh_label is the first member of host_label: the host always hands out the latter. */
    host_label *hl = (host_label *)label;
    if (label == NULL || mime == NULL || data == NULL || len == 0 ||
        len > HOST_PARSE_MAX_BYTES || (kind != OH_DOCUMENT_LABEL && kind != OH_DOCUMENT_CUSTOMS))
        return -1;
    host_document *doc = &hl->documents[kind == OH_DOCUMENT_LABEL ? 0 : 1];
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

void host_label_clear(host_label *l)
{
    for (size_t i = 0; i < 2; i++) {
        free(l->documents[i].mime_type);
        free(l->documents[i].data);
    }
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
