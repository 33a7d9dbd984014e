/* es_subflow - returns and disputes (see es_unit.h for the es_ layer). */
#ifndef OH_ES_SUBFLOW_H
#define OH_ES_SUBFLOW_H

#include "es_unit.h"

/* es_subflow_step - an input named "return.X" / "dispute.X"; 0, or -1 with c->error. */
int es_subflow_step(es_unit *c, const char *input, const json_t *data);

/* es_subflow_timer - a sub-flow's timer ("return_auto_approve:RID") is due: 1 handled
 * (c->error set if its input was refused), 0 not a sub-flow timer. */
int es_subflow_timer(es_unit *c, const char *timer_name);

#endif
