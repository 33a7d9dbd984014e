/*
 * kv - plugin instances' key-value state: the operations, and the writer job of a write.
 */
#ifndef OH_STORE_SQLITE_KV_H
#define OH_STORE_SQLITE_KV_H

#include "sqlite_types.h"

/* Set or delete a plugin instance's value for a kv job (sets j->kv_full). */
int sti_apply_kv(sti_conn *c, sti_job *j, char *err, size_t errlen);

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_kv_set(store_impl *s, const char *instance, const char *key, const char *value,
                        size_t max_keys, char *err, size_t errlen);
int sqlite_store_kv_get(store_impl *s, const char *instance, const char *key, char **value,
                        char *err, size_t errlen);

#endif
