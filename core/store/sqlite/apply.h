/*
 * apply - one unit's writes, applied by the writer inside the unit's savepoint.
 */
#ifndef OH_STORE_SQLITE_APPLY_H
#define OH_STORE_SQLITE_APPLY_H

#include "sqlite_types.h"

/* Apply one unit's writes; 0, ST_ECONFLICT, ST_EEXIST, ST_ERANGE, ST_ESHORT or -1, err
 * set on failure. */
int sti_apply_unit(sti_conn *c, st_unit *u, char *err, size_t errlen);
/* Forget ids written back into u by a unit that did not commit. */
void sti_unit_unwind(st_unit *u, int64_t old_version);

#endif
