/*
 * eng_stats - counting into the engine's counters (eng_stats.c); eng_get_stats (engine.h)
 * reads them.
 */
#ifndef OH_ENG_STATS_H
#define OH_ENG_STATS_H

#include "engine_int.h"

/* Count one attempt's outcome (0 ok, 1 retry, 2 fail). */
void eng_stats_attempt(engine *e, const char *instance, int outcome);

#endif
