/* es_settle - an action's answer (see es_unit.h for the es_ layer). */
#ifndef OH_ES_SETTLE_H
#define OH_ES_SETTLE_H

#include "es_unit.h"

/* es_action_done - settle the attempt m reports (MSG_ACTION) and apply its result; may
 * take m's documents. */
void es_action_done(es_unit *c, eng_msg *m);

#endif
