/*
 * schema - migrations (PRAGMA user_version and ordered SQL steps).
 */
#ifndef OH_STORE_SQLITE_SCHEMA_H
#define OH_STORE_SQLITE_SCHEMA_H

#include "sqlite_types.h"

/* Refuse a file that is not an orderhub store (see store.h): 0, or -1 with err set.
 * may_init: an empty file may become a store (it did not exist, or init_empty). */
int sti_schema_identify(sqlite3 *db, int may_init, char *err, size_t errlen);
/* The version this code creates; migrate `db` up to it, refusing a newer file; stamps
 * ST_APPLICATION_ID. */
int sti_schema_latest(void);
int sti_schema_migrate(sqlite3 *db, int *version, char *err, size_t errlen);

#endif
