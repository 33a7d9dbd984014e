/*
 * records - freeing the records the store hands out (store.h); the same for every backend,
 * since the records are the interface's.  Apart from store.h so that a backend can free
 * what it built without seeing the front's functions.
 */
#ifndef OH_STORE_RECORDS_H
#define OH_STORE_RECORDS_H

#include "store/store_types.h"

void st_order_clear(st_order *o);
void st_events_free(st_event *e, size_t count);
void st_actions_free(st_action *a, size_t count);
void st_timers_free(st_timer *t, size_t count);
void st_idem_clear(st_idem *i);
void st_document_clear(st_document *d);
void st_strings_free(char **v, size_t count);

#endif
