/*
 * check - integrity: PRAGMA quick_check at open and on demand (store_check).
 */
#ifndef OH_STORE_SQLITE_CHECK_H
#define OH_STORE_SQLITE_CHECK_H

#include "sqlite_types.h"

/* PRAGMA quick_check on db: 0 ok, 1 problems (into problems), -1 could not run (err). */
int sti_quick_check(sqlite3 *db, char *problems, size_t plen, char *err, size_t errlen);
/* A primary result code that means the file or the disk is failing (I/O, full, read-only,
 * corrupt, not a database), not the unit: 1, else 0. */
int sti_is_fault(int rc);

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_check(store_impl *s, char *problems, size_t plen, int64_t *took_ms, char *err,
                       size_t errlen);
void sqlite_store_check_cancel(store_impl *s);

#endif
