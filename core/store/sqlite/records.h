/*
 * records - decoding rows into the store's records (store_types.h).
 */
#ifndef OH_STORE_SQLITE_RECORDS_H
#define OH_STORE_SQLITE_RECORDS_H

#include "sqlite_types.h"

int sti_row_order(sqlite3_stmt *st, st_order *o, char *err, size_t errlen);
int sti_row_event(sqlite3_stmt *st, st_event *e, char *err, size_t errlen);
int sti_row_action(sqlite3_stmt *st, st_action *a, char *err, size_t errlen);
int sti_row_timer(sqlite3_stmt *st, st_timer *t, char *err, size_t errlen);
int sti_row_idem(sqlite3_stmt *st, st_idem *i, char *err, size_t errlen);
int sti_row_order_row(sqlite3_stmt *st, st_order_row *r, char *err, size_t errlen);
/* Step `st` to the end, decoding each row as a record of `kind` into a new array
 * (*out, *count; NULL and 0 when empty); resets st.  0, or -1 with err set and nothing
 * allocated. */
typedef enum sti_rec { REC_EVENT, REC_ACTION, REC_TIMER, REC_ORDER_ROW } sti_rec;
int sti_rows(sti_conn *c, sqlite3_stmt *st, sti_rec kind, void **out, size_t *count, char *err,
             size_t errlen);

#endif
