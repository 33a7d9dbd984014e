/*
 * health - what /healthz reports: the outcome of the last check and of the last write.
 */
#ifndef OH_STORE_SQLITE_HEALTH_H
#define OH_STORE_SQLITE_HEALTH_H

#include "sqlite_types.h"

int sti_health_locks(store_impl *s);
/* Initial state: the check at open passed (1) or was skipped (0). */
void sti_health_init(store_impl *s, int checked, int64_t took_ms);
/* The writer's outcome of one write transaction (writer thread only): why = NULL clears
 * write_error. */
void sti_health_write(store_impl *s, const char *why);
/* A read found a damaged page: recorded as a failed check. */
void sti_health_read_fault(store_impl *s, const char *why);
/* Wait for a running check to end and refuse new ones (store_close). */
void sti_health_close(store_impl *s);

/* Operations of store_backend.h (store.h has their contracts). */
void sqlite_store_health(store_impl *s, st_health *out);

#endif
