/*
 * intake_address - the rules of an address and its parts (e-mail, phone, postal code and
 * region by country), for intake.c.
 */
#ifndef OH_INTAKE_ADDRESS_H
#define OH_INTAKE_ADDRESS_H

#include "api/intake_context.h"

#include <jansson.h>

/* The address rules (intake_address.c); each 0, or INTAKE_MALFORMED. */
int iv_check_email(vctx *c, const json_t *obj, const char *prefix);
int iv_check_phone(vctx *c, const json_t *obj, const char *prefix);
int iv_check_address(vctx *c, const json_t *addr, const char *prefix);

#endif
