/* es_step - one order input (see es_unit.h for the es_ layer). */
#ifndef OH_ES_STEP_H
#define OH_ES_STEP_H

#include "es_unit.h"

/*
 * es_step - apply the input called `input` ("pack", "return.approve") with its data (may
 * be NULL).  0 applied; -1 refused or failed (c->error says why; the unit may still carry
 * earlier steps).
 */
int es_step(es_unit *c, const char *input, const json_t *data);

#endif
