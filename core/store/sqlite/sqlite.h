/*
 * sqlite - open, close, schema version and stats of the backend's handle (struct store_impl).
 */
#ifndef OH_STORE_SQLITE_SQLITE_H
#define OH_STORE_SQLITE_SQLITE_H

#include "sqlite_types.h"

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_open(const store_options *opts, store_impl **out, char *err, size_t errlen);
void sqlite_store_close(store_impl *s);
int sqlite_store_schema_version(store_impl *s);
void sqlite_store_stats(store_impl *s, uint64_t *units, uint64_t *batches);

#endif
