/*
 * list - listing orders (keyset pages) and counts for metrics.
 */
#ifndef OH_STORE_SQLITE_LIST_H
#define OH_STORE_SQLITE_LIST_H

#include "sqlite_types.h"

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_orders_list(store_impl *s, const st_order_filter *f, const char *cursor,
                             size_t limit, st_order_row **out, size_t *count, char *next_cursor,
                             size_t next_len, char *err, size_t errlen);
int sqlite_store_counts(store_impl *s, st_counts *out, char *err, size_t errlen);

#endif
