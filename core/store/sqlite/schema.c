#include "config.h"

#include "schema.h"

#include "conn.h"

#include <stdio.h>

/*
 * The schema, as an ordered list of migration steps: steps[i] takes a database from
 * user_version i to i + 1.  Append new steps at the end; never edit a released one.
 *
 * Ids assigned by the store use AUTOINCREMENT so that an id is never reused: a stale
 * timer id (fired after the timer was replaced) must not delete its replacement.
 * Events, actions and timers belong to an order (foreign keys, enforced per connection).
 */
static const char *const steps[] = {
    /* 1: the initial schema */
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
    "  PRIMARY KEY (instance, key)) WITHOUT ROWID;",

    /* 2: who created an order; indexes for listing orders and for counts.  Every listing
     * is a range of one index in (updated_ms DESC, id DESC) order (store_orders_list);
     * counting orders by state scans orders_state_updated, no table row (store_counts).
     * orders_seller_state is dropped: orders_seller_updated serves seller_id lookups, and
     * every state change paid for one more index.  ADD COLUMN with a constant default
     * does not rewrite the table. */
    "ALTER TABLE orders ADD COLUMN created_by TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX orders_updated ON orders(updated_ms, id);"
    "CREATE INDEX orders_seller_updated ON orders(seller_id, updated_ms, id);"
    "CREATE INDEX orders_state_updated ON orders(state, updated_ms, id);"
    "CREATE INDEX orders_created_by_updated ON orders(created_by, updated_ms, id);"
    "DROP INDEX orders_seller_state;",

    /* 3: carrier webhooks find orders by tracking number; labels and customs forms are
     * kept for download.  Documents live in a rowid table: a BLOB of tens of kilobytes
     * would bloat a WITHOUT ROWID b-tree. */
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
    "  UNIQUE (order_id, name));",

    /* 4: actions claimed per plugin instance, so one instance's backlog (100,000 due
     * tracking polls) is claimed only as fast as its queue drains and never hides the
     * others' actions behind it. */
    "CREATE INDEX actions_instance_due ON actions(status, instance, next_at_ms);",

    /* 5: whether a request of the current lease may have left for the remote, recorded
     * durably before the transfer starts.  Only then does a lease that runs out count as
     * an attempt: an action that merely waited in a dead process's queue did nothing. */
    "ALTER TABLE actions ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;",

    /* 6: timers are claimed with a lease, like actions, so that two processes on one
     * store never fire the same timer and one that died leaves its claims to expire
     * (store_timers_claim).  Older rows are unleased (''/0).  timers_lease serves
     * store_next_due: the earliest unleased due time and the earliest lease end are one
     * seek each, so a claimed timer no longer looks due while its unit is on its way. */
    "ALTER TABLE timers ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE timers ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX timers_lease ON timers(lease_until_ms, due_ms);",

    /* 7: inventory (store_stock_get): what each seller holds of each SKU.  The store keeps
     * 0 <= reserved <= on_hand with conditional updates (stock.c); the CHECKs are a second
     * line, so that no code path can ever write a promise the shelf cannot keep. */
    "CREATE TABLE stock ("
    "  seller_id TEXT NOT NULL,"
    "  sku TEXT NOT NULL,"
    "  on_hand INTEGER NOT NULL CHECK (on_hand >= 0),"
    "  reserved INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),"
    "  low_threshold INTEGER NOT NULL DEFAULT -1,"
    "  version INTEGER NOT NULL CHECK (version >= 1),"
    "  updated_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (seller_id, sku)) WITHOUT ROWID;",

    /* 8: the money of each order (store_payment_get), in minor units.  Refunds are
     * reserved with a conditional update (money.c); the CHECK is the second line that no
     * code path can ever give back more than was captured (or authorized, before). */
    "CREATE TABLE payments ("
    "  order_id TEXT PRIMARY KEY,"
    "  currency TEXT NOT NULL,"
    "  authorized INTEGER NOT NULL CHECK (authorized >= 0),"
    "  captured INTEGER NOT NULL CHECK (captured >= 0),"
    "  refunded INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= "
    "    CASE WHEN captured > 0 THEN captured ELSE authorized END),"
    "  updated_ms INTEGER NOT NULL) WITHOUT ROWID;",

    /* 9: the ship-by deadline of an order, for late listings and their order by deadline
     * (store_orders_list), and the SLA events counted for metrics (store_counts).  Both
     * indexes are partial: only orders whose deadline still counts and only sla.* events
     * are in them, so the rest of the traffic pays nothing.  ADD COLUMN with a constant
     * default does not rewrite the table; building events_sla scans the journal once. */
    "ALTER TABLE orders ADD COLUMN ship_by_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX orders_ship_by ON orders(ship_by_ms, id) WHERE ship_by_ms > 0;"
    "CREATE INDEX events_sla ON events(name) WHERE name GLOB 'sla.*';",

    /* 10: each seller's append-only ledger (store_ledger_list, store_ledger_balance), in
     * signed minor units.  Written only in the unit of the money move it mirrors (money.c,
     * ledger.c), so it cannot disagree with payments; no statement updates or deletes it,
     * and the triggers refuse whoever tries (a tool on the file, a later bug).  No foreign
     * key to orders: an admin adjustment need not name an order. */
    "CREATE TABLE ledger ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  seller_id TEXT NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  order_id TEXT NOT NULL,"
    "  event TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund', 'reclaim', 'dispute_loss', "
    "    'adjustment')),"
    "  cause TEXT NOT NULL,"
    "  amount INTEGER NOT NULL,"
    "  at_ms INTEGER NOT NULL);"
    "CREATE INDEX ledger_seller ON ledger(seller_id, at_ms, id);"
    "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger "
    "  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;"
    "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger "
    "  BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;",
};

#define STEP_COUNT ((int)(sizeof(steps) / sizeof(steps[0])))

int sti_schema_latest(void)
{
    return STEP_COUNT;
}

static int user_version(sqlite3 *db, int *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return sti_sqlerr(err, errlen, db, "reading the schema version");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return sti_sqlerr(err, errlen, db, "reading the schema version");
    return 0;
}

/* One integer from a statement without parameters; 0, or -1 with err set. */
static int read_int(sqlite3 *db, const char *sql, int *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return sti_sqlerr(err, errlen, db, "reading the file's header");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return sti_sqlerr(err, errlen, db, "reading the file's header");
    return 0;
}

int sti_schema_identify(sqlite3 *db, int may_init, char *err, size_t errlen)
{
    int app = 0, version = 0, objects = 0, orders = 0;
    /* The first read of the file: a file that is not SQLite fails here (SQLITE_NOTADB). */
    if (read_int(db, "SELECT count(*) FROM sqlite_master", &objects, err, errlen) != 0) {
        if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB)
            sti_err(err, errlen, "not an orderhub database: not an SQLite file (%s)",
                    sqlite3_errmsg(db));
        return -1;
    }
    if (read_int(db, "PRAGMA application_id", &app, err, errlen) != 0 ||
        user_version(db, &version, err, errlen) != 0 ||
        read_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                 "name = 'orders'", &orders, err, errlen) != 0)
        return -1;
    if ((unsigned)app == ST_APPLICATION_ID)
        return 0;
    if (app != 0) {
        sti_err(err, errlen, "not an orderhub database: the SQLite file of another "
                "application (application_id 0x%08x)", (unsigned)app);
        return -1;
    }
    /* Before the marker existed, orderhub files had only their schema version. */
    if (version >= 1 && orders == 1)
        return 0;
    if (objects == 0 && version == 0) {
        if (may_init)
            return 0;
        sti_err(err, errlen, "the file exists but is empty (a truncated or misplaced "
                "database?): refusing to start on it; to initialise it as a new store, "
                "start once with --create-store (or store.init_empty = true)");
        return -1;
    }
    sti_err(err, errlen, "not an orderhub database: an SQLite file with %d schema objects "
            "and no orderhub marker (application_id 0, user_version %d)", objects, version);
    return -1;
}

static int exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sti_sqlerr(err, errlen, db, what);
    return 0;
}

/* Inside the migration transaction: refuse a newer file, apply the missing steps. */
static int migrate_locked(sqlite3 *db, int *version, char *err, size_t errlen)
{
    int v = 0;
    if (user_version(db, &v, err, errlen) != 0)
        return -1;
    if (v > STEP_COUNT) {
        sti_err(err, errlen,
                "schema version %d is newer than this orderhubd supports (%d): refusing to "
                "open it (run a newer orderhubd; a database is never downgraded)",
                v, STEP_COUNT);
        return -1;
    }
    if (v < 0) {
        sti_err(err, errlen, "invalid schema version %d", v);
        return -1;
    }
    for (int i = v; i < STEP_COUNT; i++) {
        char what[64];
        snprintf(what, sizeof(what), "schema migration to version %d", i + 1);
        if (exec(db, steps[i], what, err, errlen) != 0)
            return -1;
    }
    if (v < STEP_COUNT) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STEP_COUNT);
        if (exec(db, sql, "setting the schema version", err, errlen) != 0)
            return -1;
    }
    /* The marker that says "orderhub" (sti_schema_identify); stamped on files written
     * before it existed too.  In the header, so inside this transaction. */
    int app = 0;
    if (read_int(db, "PRAGMA application_id", &app, err, errlen) != 0)
        return -1;
    if ((unsigned)app != ST_APPLICATION_ID) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", (int)ST_APPLICATION_ID);
        if (exec(db, sql, "setting the application id", err, errlen) != 0)
            return -1;
    }
    *version = STEP_COUNT;
    return 0;
}

int sti_schema_migrate(sqlite3 *db, int *version, char *err, size_t errlen)
{
    /* IMMEDIATE: two processes opening a fresh file do not both migrate it. */
    if (exec(db, "BEGIN IMMEDIATE", "starting the schema migration", err, errlen) != 0)
        return -1;
    if (migrate_locked(db, version, err, errlen) != 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (exec(db, "COMMIT", "committing the schema migration", err, errlen) != 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
