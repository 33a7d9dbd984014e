/*
 * money - each order's money (payments table): a unit's money moves on the writer
 * connection, and store_payment_get on a pooled reader connection.
 */
#ifndef OH_STORE_SQLITE_MONEY_H
#define OH_STORE_SQLITE_MONEY_H

#include "sqlite_types.h"

/* Refuse a unit's malformed money moves and ledger adjustments before any SQL: 0, or -1 with err set.  Clears
 * their out fields. */
int sti_money_check(st_unit *u, char *err, size_t errlen);
/* Apply a checked unit's money moves in order, each with its ledger entry, then its
 * ledger adjustments: 0, ST_EOVERREFUND or -1, err set on failure, out fields filled
 * (store_types.h). */
int sti_money_apply(sti_conn *c, st_unit *u, char *err, size_t errlen);

/* The operation of store_backend.h (store.h has its contract). */
int sqlite_store_payment_get(store_impl *s, const char *order_id, st_payment *out, char *err,
                             size_t errlen);

#endif
