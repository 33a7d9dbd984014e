/* es_route - events journaled and routed (see es_unit.h for the es_ layer). */
#ifndef OH_ES_ROUTE_H
#define OH_ES_ROUTE_H

#include "es_unit.h"

/* es_emit - journal event `name` (its payload: `data` plus the order's state and the
 * input that caused it) and route it.  0, or -1 with c->error set. */
int es_emit(es_unit *c, const char *name, const char *input, const json_t *data);

/* es_route_event - run `event`'s chains for this `occurrence`: local filters now (a
 * placement filter's verdict lands in c->rejected / c->retry_placement), other steps as
 * actions.  0, or -1 with c->error set. */
int es_route_event(es_unit *c, const char *event, int64_t occurrence, const json_t *data);

#endif
