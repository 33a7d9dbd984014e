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
int host_label_parcel(oh_label *label, const char *tracking_number);
int host_label_parcel_document(oh_label *label, size_t parcel, const char *mime,
                               const void *data, size_t len);
int host_rate_add(oh_rate_list *l, const oh_rate *rate);

void host_track_result_clear(oh_track_result *r);
/*
 * host_label_check - after a label_parse that returned OH_OK: terminate the strings the
 * plugin wrote and check what every label must hold (a number; one per parcel when there
 * are several).  OH_OK, or OH_FAIL with err set.
 */
int host_label_check(const oh_shipment *ship, host_label *l, oh_error *err);
void host_label_clear(host_label *l);
void host_rate_list_clear(oh_rate_list *l);

#endif
