/*
 * tk_shipment - an oh_shipment read from a JSON file, for the test kit's label and rate
 * verbs.  The file holds exactly the SDK structure's fields (orderhub-plugin(1)):
 *
 *   {"order_id", "service_level", "service", "idempotency_key", "currency", "is_return",
 *    "ship_from": {ADDRESS}, "ship_to": {ADDRESS},
 *    "parcels": [{"weight_g", "length_mm", "width_mm", "height_mm"}],
 *    "customs": [{"description", "hs_code", "origin_country", "quantity", "value",
 *                 "weight_g"}]}
 *
 * ADDRESS members: name, company, street1, street2, city, region, postal_code, country,
 * phone, email.  Strings are strings, numbers integers; an unknown member is an error (a
 * typo would otherwise be silently absent from the request).
 */
#ifndef TK_SHIPMENT_H
#define TK_SHIPMENT_H

#include <jansson.h>
#include <orderhub/orderhub.h>

typedef struct tk_shipment {
    oh_shipment s;            /* strings borrowed from `root` */
    json_t *root;
    oh_parcel *parcels;
    oh_customs_item *customs;
} tk_shipment;

/* tk_shipment_load - read `path`; 0, or -1 with the reason printed on stderr. */
int tk_shipment_load(const char *path, tk_shipment *out);
void tk_shipment_free(tk_shipment *sh);

#endif
