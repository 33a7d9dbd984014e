/*
 * check_store_sqlite - what is the SQLite backend's own: the file (created with its
 * directories, WAL, one process at a time, a newer or foreign file refused), the schema and
 * its migrations from the files of earlier releases (version 1, version 5 before timers
 * were leased), the query plans of listings, counts and stock, and the stock table's
 * CHECKs.  The behaviour every backend shares is in check_store.c.
 */
#include "config.h"

/* Before store_suite.h: its globals (err) would shadow the inline helpers' names. */
#include "store/sqlite/conn.h" /* the SQL text, to check query plans */

#include "store_suite.h"
#include "testutil.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The schema of version 1 exactly as that release wrote it (schema.c step 1, frozen). */
static const char v1_schema[] =
    "CREATE TABLE orders ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  state TEXT NOT NULL,"
    "  seller_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  snapshot TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL);"
    "CREATE INDEX orders_seller_state ON orders(seller_id, state);"
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  order_id TEXT NOT NULL REFERENCES orders(id),"
    "  name TEXT NOT NULL,"
    "  data TEXT,"
    "  at_ms INTEGER NOT NULL);"
    "CREATE INDEX events_order_seq ON events(order_id, seq);"
    "CREATE TABLE actions ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  order_id TEXT NOT NULL REFERENCES orders(id),"
    "  instance TEXT NOT NULL,"
    "  operation TEXT NOT NULL,"
    "  idem_key TEXT NOT NULL UNIQUE,"
    "  payload TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_at_ms INTEGER NOT NULL,"
    "  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),"
    "  lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_until_ms INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  created_ms INTEGER NOT NULL);"
    "CREATE INDEX actions_status_next ON actions(status, next_at_ms);"
    "CREATE TABLE timers ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  order_id TEXT NOT NULL REFERENCES orders(id),"
    "  name TEXT NOT NULL,"
    "  due_ms INTEGER NOT NULL,"
    "  data TEXT,"
    "  UNIQUE (order_id, name));"
    "CREATE INDEX timers_due ON timers(due_ms);"
    "CREATE TABLE idempotency ("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  request_hash TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  response TEXT,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE kv ("
    "  instance TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value TEXT,"
    "  PRIMARY KEY (instance, key)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

/* A version-1 file at `path` with two orders, an event and a dead action; `extra` SQL after. */
static void write_v1_file(const char *extra)
{
    char *parent = NULL;
    ck_assert_int_ge(asprintf(&parent, "%s/var", dir), 0);
    mkdir(parent, 0700);
    free(parent);
    ck_assert_int_ge(asprintf(&parent, "%s/var/lib", dir), 0);
    mkdir(parent, 0700);
    free(parent);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *e = NULL;
    int rc = sqlite3_exec(db, v1_schema, NULL, NULL, &e);
    ck_assert_msg(rc == SQLITE_OK, "%s", e ? e : "?");
    static const char rows[] =
        "PRAGMA journal_mode = WAL;"
        "INSERT INTO orders VALUES ('old-1', 'delivered', 's1', 4, '{}', 10, 500);"
        "INSERT INTO orders VALUES ('old-2', 'placed', 's2', 1, '{}', 20, 600);"
        "INSERT INTO events (order_id, name, at_ms) VALUES ('old-1', 'order.placed', 10);"
        "INSERT INTO actions (order_id, instance, operation, idem_key, next_at_ms, status, "
        "attempts, last_error, created_ms) "
        "VALUES ('old-1', 'pay', 'capture', 'old-1:capture', 0, 3, 9, 'gone', 10);";
    rc = sqlite3_exec(db, rows, NULL, NULL, &e);
    ck_assert_msg(rc == SQLITE_OK, "%s", e ? e : "?");
    if (extra != NULL) {
        rc = sqlite3_exec(db, extra, NULL, NULL, &e);
        ck_assert_msg(rc == SQLITE_OK, "%s", e ? e : "?");
    }
    sqlite3_close(db);
}

/* Steps 2 to 5 exactly as those releases wrote them (schema.c, frozen): with the version-1
 * schema above, the file of version 5, the one before timers were leased. */
static const char v2_to_v5[] =
    "ALTER TABLE orders ADD COLUMN created_by TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX orders_updated ON orders(updated_ms, id);"
    "CREATE INDEX orders_seller_updated ON orders(seller_id, updated_ms, id);"
    "CREATE INDEX orders_state_updated ON orders(state, updated_ms, id);"
    "CREATE INDEX orders_created_by_updated ON orders(created_by, updated_ms, id);"
    "DROP INDEX orders_seller_state;"
    "CREATE TABLE tracking ("
    "  carrier TEXT NOT NULL,"
    "  number TEXT NOT NULL,"
    "  order_id TEXT NOT NULL,"
    "  PRIMARY KEY (carrier, number)) WITHOUT ROWID;"
    "CREATE TABLE documents ("
    "  id INTEGER PRIMARY KEY,"
    "  order_id TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  mime_type TEXT NOT NULL,"
    "  data BLOB NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  UNIQUE (order_id, name));"
    "CREATE INDEX actions_instance_due ON actions(status, instance, next_at_ms);"
    "ALTER TABLE actions ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;"
    "PRAGMA application_id = 1330135601;" /* ST_APPLICATION_ID */
    "PRAGMA user_version = 5;"
    "INSERT INTO timers (order_id, name, due_ms, data) VALUES ('old-2', 'payment_timeout', "
    "400, '{\"n\":1}');";

/* EXPLAIN QUERY PLAN of `sql` as one string ("detail | detail | ..."). */
static void query_plan(const char *sql, char *plan, size_t len)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *q = NULL;
    ck_assert_int_ge(asprintf(&q, "EXPLAIN QUERY PLAN %s", sql), 0);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    plan[0] = '\0';
    size_t used = 0;
    while (sqlite3_step(st) == SQLITE_ROW && used < len) {
        int w = snprintf(plan + used, len - used, "%s | ", sqlite3_column_text(st, 3));
        used += w > 0 ? (size_t)w : 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(q);
}

START_TEST(open_creates_file_and_schema)
{
    ck_assert_int_ne(access(path, F_OK), 0);
    store *s = open_store(1, 0);
    ck_assert_int_eq(access(path, F_OK), 0); /* directories created too */
    ck_assert_int_eq(store_schema_version(s), 10);
    store_close(s);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 10);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                             "name IN ('orders','events','actions','timers','idempotency',"
                             "'kv','tracking','documents')"),
                     8);
    /* WAL is a property of the file. */
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

START_TEST(newer_schema_refused)
{
    store_close(open_store(0, 0));
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    store_options o = {.path = path};
    store *s = (store *)1;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "schema version 99 is newer") != NULL &&
                      strstr(err, "orderhub.db") != NULL,
                  "%s", err);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 99); /* never downgraded */
}
END_TEST

START_TEST(not_a_database_refused)
{
    free(tu_write(dir, "junk.db", "this is not sqlite, not at all, no sir\n"));
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/junk.db", dir), 0);
    store_options o = {.path = path};
    store *s = NULL;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "not a database") != NULL, "%s", err);
}
END_TEST

START_TEST(second_process_refused)
{
    store *a = open_store(1, 0), *b = NULL;
    store_options o = {.path = path, .sync_full = 1};
    /* fcntl locks are per process: the refusal is checked from a child. */
    pid_t pid = fork();
    if (pid == 0) {
        int rc = store_open(&o, &b, err, sizeof(err));
        _exit(rc == -1 && strstr(err, "in use by another process") != NULL ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "second opener not refused");
    store_close(a);
    b = open_store(1, 0); /* released with the first */
    store_close(b);
}
END_TEST

START_TEST(version_1_file_migrated_to_latest)
{
    write_v1_file(NULL);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 1);
    store *s = open_store(0, 0);
    ck_assert_int_eq(store_schema_version(s), 10);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 10);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                             "name IN ('orders_updated', 'orders_seller_updated', "
                             "'orders_state_updated', 'orders_created_by_updated')"),
                     4);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM sqlite_master WHERE name = "
                             "'orders_seller_state'"),
                     0);
    /* Old rows are kept, with created_by ''. */
    ck_assert_int_eq(store_peek("SELECT count(*) FROM orders WHERE created_by = ''"), 2);
    st_order o;
    ck_assert_int_eq(store_order_get(s, "old-1", &o, err, sizeof(err)), 0);
    ck_assert_str_eq(o.created_by, "");
    ck_assert_str_eq(o.state, "delivered");
    ck_assert_int_eq(o.version, 4);
    st_order_clear(&o);
    /* They list, count and replay like new ones. */
    st_order_row *rows = NULL;
    size_t n = 0;
    char next[ST_CURSOR_MAX];
    st_order_filter f = {.created_by = ""};
    ck_assert_int_eq(store_orders_list(s, &f, NULL, 10, &rows, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(rows[0].id, "old-2");
    ck_assert_str_eq(rows[1].id, "old-1");
    ck_assert_int_eq(rows[1].created_ms, 10);
    free(rows);
    st_counts c;
    ck_assert_int_eq(store_counts(s, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(c.orders, 2);
    ck_assert_int_eq(c.events, 1);
    ck_assert_int_eq(c.actions_dead, 1);
    ck_assert_int_eq(store_action_replay(s, 1, 700, err, sizeof(err)), 0);
    /* New orders carry created_by. */
    st_order nw;
    order_init(&nw, "new-1", "placed");
    st_unit u = {.order = &nw};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM orders WHERE created_by = 'shop-1'"), 1);
    store_close(s);
    /* Opening again migrates nothing more. */
    s = open_store(0, 0);
    ck_assert_int_eq(store_schema_version(s), 10);
    store_close(s);
}
END_TEST

/* A version-5 file's timers become leased ones: kept, unclaimed, claimable once. */
START_TEST(version_5_file_timers_leased)
{
    write_v1_file(v2_to_v5);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 5);
    store *s = open_store(0, 0);
    ck_assert_int_eq(store_schema_version(s), 10);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 10);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM sqlite_master WHERE name = 'timers_lease'"),
                     1);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers WHERE lease_owner = '' AND "
                             "lease_until_ms = 0"), 1);
    ck_assert_int_eq(store_next_due_ms(s), 400);
    st_timer *t = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_timers_claim(s, "w1", 500, 100, 10, &t, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(t[0].order_id, "old-2");
    ck_assert_str_eq(t[0].name, "payment_timeout");
    ck_assert_str_eq(t[0].data, "{\"n\":1}");
    st_timers_free(t, n);
    ck_assert_int_eq(store_timers_claim(s, "w2", 599, 100, 10, &t, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 0);
    store_close(s);
    s = open_store(0, 0); /* nothing more to migrate; the lease was kept */
    ck_assert_int_eq(store_schema_version(s), 10);
    ck_assert_int_eq(store_next_due_ms(s), 600);
    store_close(s);
}
END_TEST

START_TEST(failed_migration_leaves_version_1)
{
    /* Step 2 cannot create its index: the whole migration is rolled back. */
    write_v1_file("CREATE INDEX orders_updated ON orders(id);");
    store_options o = {.path = path};
    store *s = NULL;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "schema migration to version 2") != NULL &&
                      strstr(err, "orders_updated") != NULL,
                  "%s", err);
    ck_assert_int_eq(store_peek("PRAGMA user_version"), 1);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM pragma_table_info('orders') WHERE name = "
                             "'created_by'"),
                     0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM sqlite_master WHERE name = "
                             "'orders_seller_state'"),
                     1);
}
END_TEST

START_TEST(list_and_counts_use_indexes)
{
    store_close(open_store(0, 0));
    char sql[768], plan[1024];
    for (unsigned v = 0; v < STI_LIST_VARIANTS; v++) {
        ck_assert_int_eq(sti_list_sql(v, sql, sizeof(sql)), 0);
        query_plan(sql, plan, sizeof(plan));
        int by_ship = (v & STI_LIST_SHIP_BY) != 0;
        const char *idx = by_ship                 ? "orders_ship_by"
                          : v & STI_LIST_CREATED_BY ? "orders_created_by_updated"
                          : v & STI_LIST_SELLER   ? "orders_seller_updated"
                          : v & STI_LIST_STATE    ? "orders_state_updated"
                                                  : "orders_updated";
        char want[128];
        snprintf(want, sizeof(want), "USING INDEX %s (", idx);
        /* A range of the index, read in order: never a scan of the table, never a sort.
         * (SQLite before 3.36 writes "SEARCH TABLE orders", later "SEARCH orders".) */
        ck_assert_msg(strncmp(plan, "SEARCH ", 7) == 0 && strstr(plan, want) != NULL &&
                          strstr(plan, "TEMP B-TREE") == NULL &&
                          strstr(plan, by_ship ? "ship_by_ms<?" : "updated_ms>?") != NULL,
                      "variant %u: %s\n  %s", v, sql, plan);
        if (v & STI_LIST_CURSOR)
            ck_assert_msg(strstr(plan, by_ship ? "(ship_by_ms,id)>(?,?)"
                                               : "(updated_ms,id)<(?,?)") != NULL,
                          "variant %u: %s", v, plan);
    }
    ck_assert_int_eq(sti_list_sql(STI_LIST_VARIANTS, sql, sizeof(sql)), -1);
    ck_assert_int_eq(sti_list_sql(0, sql, 10), -1);

    query_plan(sti_sql_text(SQL_COUNT_STATES), plan, sizeof(plan));
    ck_assert_msg(strstr(plan, "USING COVERING INDEX orders_state_updated") &&
                      !strstr(plan, "TEMP B-TREE"),
                  "%s", plan);
    query_plan(sti_sql_text(SQL_COUNT_OTHERS), plan, sizeof(plan));
    /* max(seq) is a search, never a scan; the whole-table count goes through an index. */
    ck_assert_msg(strstr(plan, "USING COVERING INDEX actions_status_next (status=?)") &&
                      !strstr(plan, "TEMP B-TREE") && !strstr(plan, "SCAN events") &&
                      !strstr(plan, "SCAN TABLE events") && !strstr(plan, "SCAN actions |") &&
                      !strstr(plan, "SCAN TABLE actions |") &&
                      strstr(plan, "USING COVERING INDEX events_sla (name=?)"),
                  "%s", plan);
    /* Claims and the instance list walk index ranges in order: no scan, no sort. */
    static const sti_sql seeks[] = {SQL_CLAIM_SELECT_INSTANCE, SQL_CLAIM_EXPIRED_INSTANCE,
                                    SQL_ACTION_INSTANCES};
    for (size_t i = 0; i < sizeof(seeks) / sizeof(seeks[0]); i++) {
        query_plan(sti_sql_text(seeks[i]), plan, sizeof(plan));
        ck_assert_msg(strstr(plan, "INDEX actions_instance_due (status=?") &&
                          !strstr(plan, "SCAN actions") && !strstr(plan, "SCAN TABLE actions") &&
                          (seeks[i] == SQL_ACTION_INSTANCES || !strstr(plan, "TEMP B-TREE")),
                      "%s", plan);
    }
}
END_TEST

/* Every stock statement is one seek of the primary key (a listing walks it in order, no
 * sort); the table's CHECKs refuse what the statements' WHERE would never write. */
START_TEST(stock_uses_primary_key_and_checks)
{
    store_close(open_store(0, 0));
    char plan[1024];
    static const sti_sql stock[] = {SQL_STOCK_UPDATE, SQL_STOCK_RESERVE, SQL_STOCK_RELEASE,
                                    SQL_STOCK_SELL, SQL_STOCK_RESTOCK, SQL_STOCK_GET,
                                    SQL_STOCK_LIST};
    for (size_t i = 0; i < sizeof(stock) / sizeof(stock[0]); i++) {
        query_plan(sti_sql_text(stock[i]), plan, sizeof(plan));
        ck_assert_msg(strncmp(plan, "SEARCH ", 7) == 0 && strstr(plan, "PRIMARY KEY") &&
                          !strstr(plan, "TEMP B-TREE"),
                      "%s\n  %s", sti_sql_text(stock[i]), plan);
    }
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    static const char *const refused[] = {
        "INSERT INTO stock VALUES ('s', 'a', -1, 0, -1, 1, 0)",
        "INSERT INTO stock VALUES ('s', 'a', 1, 2, -1, 1, 0)",
        "INSERT INTO stock VALUES ('s', 'a', 1, -1, -1, 1, 0)",
        "INSERT INTO stock VALUES ('s', 'a', 1, 0, -1, 0, 0)",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        ck_assert_msg((sqlite3_exec(db, refused[i], NULL, NULL, NULL) & 0xff) ==
                          SQLITE_CONSTRAINT, "%s", refused[i]);
    ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO stock VALUES ('s', 'a', 1, 1, -1, 1, 0)",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}
END_TEST

/* The ledger's triggers: a row written stays as written, also against a tool opening the
 * file (the store itself has no path that updates or deletes one). */
START_TEST(ledger_rows_cannot_change)
{
    store_close(open_store(0, 0));
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO ledger (seller_id, currency, order_id, event, "
                                      "kind, cause, amount, at_ms) VALUES ('s', 'USD', 'o', "
                                      "'payment.captured', 'sale', '', 100, 1)",
                                  NULL, NULL, NULL), SQLITE_OK);
    static const char *const refused[] = {"UPDATE ledger SET amount = 0",
                                          "DELETE FROM ledger"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char *msg = NULL;
        ck_assert_int_ne(sqlite3_exec(db, refused[i], NULL, NULL, &msg), SQLITE_OK);
        ck_assert_msg(msg != NULL && strstr(msg, "append-only") != NULL, "%s: %s", refused[i],
                      msg ? msg : "");
        sqlite3_free(msg);
    }
    ck_assert_int_eq(store_peek("SELECT amount FROM ledger"), 100);
    sqlite3_close(db);
}
END_TEST

int main(void)
{
    store_driver = "sqlite";
    Suite *s = suite_create("store (sqlite files)");
    TCase *tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_add_test(tc, second_process_refused);
    tcase_add_test(tc, ledger_rows_cannot_change);
    tcase_add_test(tc, open_creates_file_and_schema);
    tcase_add_test(tc, newer_schema_refused);
    tcase_add_test(tc, not_a_database_refused);
    tcase_add_test(tc, version_1_file_migrated_to_latest);
    tcase_add_test(tc, version_5_file_timers_leased);
    tcase_add_test(tc, failed_migration_leaves_version_1);
    tcase_add_test(tc, list_and_counts_use_indexes);
    tcase_add_test(tc, stock_uses_primary_key_and_checks);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
