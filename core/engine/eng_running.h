/*
 * eng_running - the set of actions this process runs (eng_running.c): claimed and not yet
 * settled durably.  A re-claim of one is skipped; lease.c renews their leases.
 */
#ifndef OH_ENG_RUNNING_H
#define OH_ENG_RUNNING_H

#include "engine_int.h"

/* eng_running_add returns 0 when the id was already there. */
int eng_running_add(engine *e, int64_t id);
void eng_running_remove(engine *e, int64_t id);

#endif
