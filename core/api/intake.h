/*
 * intake - validation of an order submission (POST /v1/orders).  Strict: unknown types,
 * missing fields, non-integer amounts and totals that do not add up are refused with the
 * name of the offending field.
 */
#ifndef OH_INTAKE_H
#define OH_INTAKE_H

#include <jansson.h>
#include <stddef.h>

/*
 * intake_validate - check `order` (a parsed JSON object, modified in place: a missing "id"
 * is generated, a missing "total" computed).  0, or -1 with `field` (e.g.
 * "items[2].quantity") and `why` filled.
 */
int intake_validate(json_t *order, char *field, size_t fieldlen, char *why, size_t whylen);

/* intake_id_ok - an order id: 1 to 63 of [A-Za-z0-9_-]. */
int intake_id_ok(const char *id);

#endif
