/*
 * ledger - each seller's append-only ledger: the entry of a money move and a unit's admin
 * adjustments on the writer connection, and the ledger reads on pooled reader connections.
 */
#ifndef OH_STORE_SQLITE_LEDGER_H
#define OH_STORE_SQLITE_LEDGER_H

#include "sqlite_types.h"

/* The kind's name in the table ("sale", ...); NULL when out of range. */
const char *sti_ledger_kind_name(st_ledger_kind kind);
/* Append one entry (seller_id "" = the order's) at at_ms: 0, or -1 with err set. */
int sti_ledger_append(sti_conn *c, const st_ledger_entry *e, int64_t at_ms, char *err,
                      size_t errlen);
/* Refuse a unit's malformed adjustments before any SQL: 0, or -1 with err set. */
int sti_ledger_check(const st_unit *u, char *err, size_t errlen);
/* Append a checked unit's adjustments (ids and at_ms filled): 0, or -1 with err set. */
int sti_ledger_apply(sti_conn *c, st_unit *u, int64_t at_ms, char *err, size_t errlen);

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_ledger_list(store_impl *s, const char *seller_id, const char *currency,
                             int64_t from_ms, int64_t to_ms, int64_t after_id, size_t limit,
                             st_ledger_entry **out, size_t *count, char *err, size_t errlen);
int sqlite_store_ledger_balance(store_impl *s, const char *seller_id, st_ledger_balance *out,
                                size_t *count, char *err, size_t errlen);

#endif
