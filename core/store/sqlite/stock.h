/*
 * stock - inventory: a unit's stock writes and moves on the writer connection, and the
 * stock reads on pooled reader connections.
 */
#ifndef OH_STORE_SQLITE_STOCK_H
#define OH_STORE_SQLITE_STOCK_H

#include "sqlite_types.h"

/* Refuse a unit's malformed stock sets and moves before any SQL: 0, or -1 with err set.
 * Clears their out fields. */
int sti_stock_check(st_unit *u, char *err, size_t errlen);
/* Apply a checked unit's stock sets, then its moves: 0, ST_ECONFLICT, ST_ERANGE,
 * ST_ESHORT or -1, err set on failure, out fields filled (store_types.h). */
int sti_stock_apply(sti_conn *c, st_unit *u, char *err, size_t errlen);

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_stock_get(store_impl *s, const char *seller_id, const char *sku,
                           st_stock *out, char *err, size_t errlen);
int sqlite_store_stock_list(store_impl *s, const char *seller_id, const char *after_sku,
                            int low_only, size_t limit, st_stock **out, size_t *count,
                            char *err, size_t errlen);

#endif
