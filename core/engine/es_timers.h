/* es_timers - the timers of a transition (see es_unit.h for the es_ layer). */
#ifndef OH_ES_TIMERS_H
#define OH_ES_TIMERS_H

#include "es_unit.h"

/* es_apply_timers - set the timers transition t starts (due by the configuration in
 * force) and cancel those it stops; a sub-flow's carry `suffix` (its id) after their
 * name, other timers ignore it. */
void es_apply_timers(es_unit *c, const lc_transition *t, const char *suffix);

#endif
