/* cache - each worker's orders in memory (cache.c).  Worker thread only. */
#ifndef OH_CACHE_H
#define OH_CACHE_H

#include "engine_int.h"

cache_entry *cache_get(worker *w, const char *id, char *err, size_t errlen, int *absent);
cache_entry *cache_add(worker *w, const char *id, json_t *snapshot);
/* cache_peek - the entry for id if cached (stale or not), without touching the store. */
cache_entry *cache_peek(worker *w, const char *id);
void cache_drop(worker *w, cache_entry *ce);
void cache_free_all(worker *w);
/* cache_trim - over the engine's cache_orders, forget half, those with nothing in flight
 * (the store has them). */
void cache_trim(worker *w);

#endif
