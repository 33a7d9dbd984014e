/*
 * store_suite - shared by the store suites (tests/check_store*.c).
 *
 * The generic suite (check_store.c) and the kv suite (check_store_kv.c) run once per driver
 * in STORE_DRIVERS, through store.h only: a new backend (PostgreSQL, issue 18) runs them by
 * adding its name here, and, if its tables cannot be read by the SQLite probe, a probe of
 * its own in store_peek.
 */
#ifndef OH_TESTS_STORE_SUITE_H
#define OH_TESTS_STORE_SUITE_H

#include "store/store.h"

#include <check.h>
#include <stdint.h>

#define STORE_DRIVERS {"sqlite"}

extern char *dir;                 /* a fresh directory per test (store_setup) */
extern char *path;                /* the store's location in it */
extern char err[ST_ERROR_MAX];
extern const char *store_driver;  /* the driver the running suite tests */

/* Checked fixture: a fresh directory and location; removed afterwards. */
void store_setup(void);
void store_teardown(void);
/* Open the store at `path` with the driver under test; fails the test on error. */
store *open_store(int sync_full, int max_batch);
/* One integer the query `sql` (standard SQL) reads from the store's tables. */
int64_t store_peek(const char *sql);

/* Records with fixed test values; strings are borrowed (data, snapshot, payload). */
void order_init(st_order *o, const char *id, const char *state);
void event_init(st_event *e, const char *order_id, const char *name, char *data);
void action_init(st_action *a, const char *order_id, const char *op, const char *key,
                 int64_t next_at);
void timer_init(st_timer *t, const char *order_id, const char *name, int64_t due);
/* Create order `id` (version 1) with one event. */
void create_order(store *s, const char *id);
/* Enqueue one action for an existing order; its id. */
int64_t add_action(store *s, const char *order_id, const char *key, int64_t next_at);
/* Commit one update of action `id`; store_commit's result. */
int update_action(store *s, int64_t id, st_action_status status, int attempts,
                  int64_t next_at, const char *error);

/* Run the suite `make` builds for each driver of STORE_DRIVERS; 0 when all passed. */
int store_suites_run(Suite *(*make)(const char *driver));

#endif
