/*
 * store_suite - what the store suites share: a fresh store location per test, the
 * driver under test, record initialisers and small unit helpers, and the driver's probe.
 */
#include "config.h"

#include "store_suite.h"
#include "testutil.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *dir;
char *path;
char err[ST_ERROR_MAX];
const char *store_driver = "sqlite";

void store_setup(void)
{
    dir = tu_tmpdir();
    ck_assert_int_ge(asprintf(&path, "%s/var/lib/orderhub.db", dir), 0);
    err[0] = '\0';
}

void store_teardown(void)
{
    free(path);
    tu_rmdir(dir);
}

store *open_store(int sync_full, int max_batch)
{
    store_options o = {.driver = store_driver, .path = path, .sync_full = sync_full,
                       .max_batch = max_batch};
    store *s = NULL;
    ck_assert_msg(store_open(&o, &s, err, sizeof(err)) == 0, "store_open: %s", err);
    return s;
}

/*
 * One integer from the store's tables, by a query in standard SQL on a connection of the
 * test's own (the driver's probe): how the suite looks at what a write left behind.  A
 * backend for which no such query exists gives its own probe here.
 */
int64_t store_peek(const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* ---- building units -------------------------------------------------------------------- */

void order_init(st_order *o, const char *id, const char *state)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->id, sizeof(o->id), "%s", id);
    snprintf(o->state, sizeof(o->state), "%s", state);
    snprintf(o->seller_id, sizeof(o->seller_id), "seller-1");
    snprintf(o->created_by, sizeof(o->created_by), "shop-1");
    o->snapshot = "{\"id\":\"x\"}";
    o->created_ms = 1000;
    o->updated_ms = 1000;
}

void event_init(st_event *e, const char *order_id, const char *name, char *data)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->order_id, sizeof(e->order_id), "%s", order_id);
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->data = data;
    e->at_ms = 1000;
}

void action_init(st_action *a, const char *order_id, const char *op, const char *key,
                        int64_t next_at)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->order_id, sizeof(a->order_id), "%s", order_id);
    snprintf(a->instance, sizeof(a->instance), "pay");
    snprintf(a->operation, sizeof(a->operation), "%s", op);
    snprintf(a->idem_key, sizeof(a->idem_key), "%s", key);
    a->payload = "{\"amount\":100}";
    a->next_at_ms = next_at;
    a->created_ms = 1000;
}

void timer_init(st_timer *t, const char *order_id, const char *name, int64_t due)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->order_id, sizeof(t->order_id), "%s", order_id);
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->due_ms = due;
}

/* Create order `id` (version 1) with one event. */
void create_order(store *s, const char *id)
{
    st_order o;
    st_event e;
    order_init(&o, id, "placed");
    event_init(&e, id, "order.placed", NULL);
    st_unit u = {.order = &o, .events = &e, .event_count = 1};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
}

/* Enqueue one action for an existing order; its id. */
int64_t add_action(store *s, const char *order_id, const char *key, int64_t next_at)
{
    st_action a;
    action_init(&a, order_id, "capture", key, next_at);
    st_unit u = {.new_actions = &a, .new_action_count = 1};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_gt(a.id, 0);
    return a.id;
}

int update_action(store *s, int64_t id, st_action_status status, int attempts,
                         int64_t next_at, const char *error)
{
    st_action_update up = {.id = id, .status = status, .attempts = attempts,
                           .next_at_ms = next_at, .error = error};
    st_unit u = {.action_updates = &up, .action_update_count = 1};
    return store_commit(s, &u, err, sizeof(err));
}

int store_suites_run(Suite *(*make)(const char *driver))
{
    static const char *const drivers[] = STORE_DRIVERS;
    int failed = 0;
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        store_driver = drivers[i];
        failed |= tu_run(make(drivers[i]));
    }
    return failed;
}
