/* es_msg - the step layer's entry (see es_unit.h for the es_ layer). */
#ifndef OH_ES_MSG_H
#define OH_ES_MSG_H

#include "engine_int.h"

/* es_apply_msg - apply m to its order and write the result as one unit; runs on the
 * worker that owns m->order_id.  Takes m. */
void es_apply_msg(worker *w, eng_msg *m);

#endif
