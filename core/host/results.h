/*
 * results - filling and freeing what a plugin hands back: track results, labels, rates.
 */
#ifndef OH_HOST_RESULTS_H
#define OH_HOST_RESULTS_H

#include "host/host_types.h"

/* The oh_host_api functions that fill them (orderhub/host.h has their contracts). */
oh_track_shipment *host_track_add_shipment(oh_track_result *r, const char *number);
oh_track_event *host_track_add_event(oh_track_shipment *s);
int host_label_document(oh_label *label, oh_document_kind kind, const char *mime,
                        const void *data, size_t len);
int host_rate_add(oh_rate_list *l, const oh_rate *rate);

void host_track_result_clear(oh_track_result *r);
void host_label_clear(host_label *l);
void host_rate_list_clear(oh_rate_list *l);

#endif
