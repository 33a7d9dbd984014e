#include "config.h"

#include "conn.h"

#include "health.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sql_text[SQL_COUNT] = {
    [SQL_BEGIN] = "BEGIN IMMEDIATE",
    [SQL_COMMIT] = "COMMIT",
    [SQL_ROLLBACK] = "ROLLBACK",
    [SQL_SAVEPOINT] = "SAVEPOINT unit",
    [SQL_RELEASE] = "RELEASE unit",
    [SQL_ROLLBACK_TO] = "ROLLBACK TO unit",

    [SQL_ORDER_INSERT] = "INSERT INTO orders (" STI_ORDER_COLS ") "
                         "VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?8, ?9) ON CONFLICT (id) DO NOTHING",
    [SQL_ORDER_UPDATE] = "UPDATE orders SET state = ?2, seller_id = ?3, version = version + 1, "
                         "snapshot = ?4, updated_ms = ?6, ship_by_ms = ?9 "
                         "WHERE id = ?1 AND version = ?7",
    [SQL_ORDER_VERSION] = "SELECT version FROM orders WHERE id = ?1",
    [SQL_EVENT_INSERT] = "INSERT INTO events (order_id, name, data, at_ms) "
                         "VALUES (?1, ?2, ?3, ?4)",
    [SQL_ACTION_INSERT] = "INSERT INTO actions (order_id, instance, operation, idem_key, "
                          "payload, attempts, next_at_ms, status, lease_owner, "
                          "lease_until_ms, last_error, created_ms) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, '', 0, ?8, ?9) "
                          "ON CONFLICT (idem_key) DO NOTHING",
    [SQL_ACTION_ID_BY_KEY] = "SELECT id FROM actions WHERE idem_key = ?1",
    [SQL_ACTION_UPDATE] = "UPDATE actions SET status = ?2, attempts = ?3, next_at_ms = ?4, "
                          "last_error = coalesce(?5, last_error), lease_owner = '', "
                          "lease_until_ms = 0, sent = 0 WHERE id = ?1",
    [SQL_TIMER_DELETE_NAME] = "DELETE FROM timers WHERE order_id = ?1 AND name = ?2",
    [SQL_TIMER_INSERT] = "INSERT INTO timers (order_id, name, due_ms, data) "
                         "VALUES (?1, ?2, ?3, ?4)",
    [SQL_TIMER_DELETE_ID] = "DELETE FROM timers WHERE id = ?1",
    [SQL_IDEM_INSERT] = "INSERT INTO idempotency (" STI_IDEM_COLS ") "
                        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key) DO NOTHING",

    [SQL_TRACKING_UPSERT] = "INSERT INTO tracking (carrier, number, order_id) VALUES (?1, ?2, ?3) "
                            "ON CONFLICT (carrier, number) DO UPDATE SET order_id = ?3",
    [SQL_DOCUMENT_UPSERT] = "INSERT INTO documents (order_id, name, mime_type, data, created_ms) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (order_id, name) DO "
                            "UPDATE SET mime_type = ?3, data = ?4, created_ms = ?5",
    /*
     * Stock: every guard of 0 <= reserved <= on_hand <= ST_STOCK_QTY_MAX is a WHERE, so a
     * move or write that would break it changes no row (and stock.c reads the record to
     * say why); the table's CHECKs are only a second line.  ?3 of a write: 1 set, 2 adjust.
     */
    [SQL_STOCK_UPDATE] = "UPDATE stock SET on_hand = CASE ?3 WHEN 1 THEN ?4 ELSE on_hand + ?4 END, "
                         "low_threshold = CASE ?5 WHEN -2 THEN low_threshold ELSE ?5 END, "
                         "version = version + 1, updated_ms = ?7 "
                         "WHERE seller_id = ?1 AND sku = ?2 AND (?6 = 0 OR version = ?6) "
                         "AND CASE ?3 WHEN 1 THEN ?4 ELSE on_hand + ?4 END BETWEEN reserved AND ?8",
    [SQL_STOCK_INSERT] = "INSERT INTO stock (" STI_STOCK_COLS ") "
                         "SELECT ?1, ?2, ?3, 0, CASE ?4 WHEN -2 THEN -1 ELSE ?4 END, 1, ?5 "
                         "WHERE ?3 BETWEEN 0 AND ?6",
    [SQL_STOCK_RESERVE] = "UPDATE stock SET reserved = reserved + ?3, version = version + 1, "
                          "updated_ms = ?4 WHERE seller_id = ?1 AND sku = ?2 "
                          "AND on_hand - reserved >= ?3",
    [SQL_STOCK_RELEASE] = "UPDATE stock SET reserved = reserved - ?3, version = version + 1, "
                          "updated_ms = ?4 WHERE seller_id = ?1 AND sku = ?2 AND reserved >= ?3",
    [SQL_STOCK_SELL] = "UPDATE stock SET on_hand = on_hand - ?3, reserved = reserved - ?3, "
                       "version = version + 1, updated_ms = ?4 "
                       "WHERE seller_id = ?1 AND sku = ?2 AND reserved >= ?3",
    [SQL_STOCK_RESTOCK] = "UPDATE stock SET on_hand = on_hand + ?3, version = version + 1, "
                          "updated_ms = ?4 WHERE seller_id = ?1 AND sku = ?2 "
                          "AND on_hand + ?3 <= ?5",
    [SQL_STOCK_GET] = "SELECT " STI_STOCK_COLS " FROM stock WHERE seller_id = ?1 AND sku = ?2",
    /*
     * Money: the refund's guard is its WHERE (refunded + amount within the base: captured,
     * or authorized before capture), so of racing refunds only those that fit change a row.
     */
    [SQL_MONEY_AUTHORIZE] = "INSERT INTO payments (" STI_MONEY_COLS ") "
                            "VALUES (?1, ?2, ?3, 0, 0, ?4) ON CONFLICT (order_id) DO UPDATE "
                            "SET authorized = ?3, updated_ms = ?4 "
                            "WHERE currency = ?2 AND refunded <= ?3",
    [SQL_MONEY_CAPTURE] = "UPDATE payments SET captured = ?3, updated_ms = ?4 "
                          "WHERE order_id = ?1 AND currency = ?2 AND refunded <= ?3",
    [SQL_MONEY_REFUND] = "UPDATE payments SET refunded = refunded + ?3, updated_ms = ?4 "
                         "WHERE order_id = ?1 AND currency = ?2 AND refunded + ?3 <= "
                         "CASE WHEN captured > 0 THEN captured ELSE authorized END",
    [SQL_MONEY_GET] = "SELECT " STI_MONEY_COLS " FROM payments WHERE order_id = ?1",
    /* The order's seller unless the move names one: the entry is written in the unit that
     * wrote the order, so the row is there. */
    [SQL_LEDGER_INSERT] = "INSERT INTO ledger (seller_id, currency, order_id, event, kind, "
                          "cause, amount, at_ms) VALUES (CASE WHEN ?1 <> '' THEN ?1 ELSE "
                          "coalesce((SELECT seller_id FROM orders WHERE id = ?3), '') END, "
                          "?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [SQL_LEDGER_LIST] = "SELECT " STI_LEDGER_COLS " FROM ledger WHERE seller_id = ?1 "
                        "AND (?2 = '' OR currency = ?2) AND at_ms >= ?3 AND at_ms < ?4 "
                        "AND id > ?5 ORDER BY id LIMIT ?6",
    [SQL_LEDGER_BALANCE] = "SELECT currency, sum(amount), count(*) FROM ledger "
                           "WHERE seller_id = ?1 GROUP BY currency ORDER BY currency LIMIT ?2",
    [SQL_CLAIM_SELECT] = "SELECT " STI_ACTION_COLS " FROM actions "
                         "WHERE (status = 0 AND next_at_ms <= ?1) "
                         "OR (status = 1 AND lease_until_ms <= ?1) "
                         "ORDER BY next_at_ms, id LIMIT ?2",
    [SQL_CLAIM_SELECT_INSTANCE] = "SELECT " STI_ACTION_COLS " FROM actions "
                                  "INDEXED BY actions_instance_due "
                                  "WHERE status = 0 AND instance = ?3 AND next_at_ms <= ?1 "
                                  "ORDER BY next_at_ms LIMIT ?2",
    /* A separate statement, not an OR in the one above: each walks its own index range in
     * order and stops at the limit (an OR would sort every due action first). */
    [SQL_CLAIM_EXPIRED_INSTANCE] = "SELECT " STI_ACTION_COLS " FROM actions "
                                   "INDEXED BY actions_instance_due "
                                   "WHERE status = 1 AND instance = ?3 AND lease_until_ms <= ?1 "
                                   "ORDER BY next_at_ms LIMIT ?2",
    /* Re-claiming another owner's expired lease counts the attempt its holder never
     * reported - if its request may have left (sent): an action that kills the process
     * each time still reaches the dead-letter list, one that only waited in a dead
     * process's queue loses nothing.  An owner re-claiming its own keeps the mark: that
     * attempt is still running here and is counted when it settles. */
    [SQL_CLAIM_UPDATE] = "UPDATE actions SET attempts = attempts + (status = 1 AND sent = 1 "
                         "AND lease_owner <> ?2), sent = (sent AND status = 1 AND "
                         "lease_owner = ?2), status = 1, lease_owner = ?2, "
                         "lease_until_ms = ?3 WHERE id = ?1",
    [SQL_ACTION_REPLAY] = "UPDATE actions SET status = 0, attempts = 0, next_at_ms = ?2, "
                          "lease_owner = '', lease_until_ms = 0, sent = 0 "
                          "WHERE id = ?1 AND status = 3",
    [SQL_ACTION_SENDING] = "UPDATE actions SET sent = 1, lease_until_ms = max(lease_until_ms, ?3) "
                           "WHERE id = ?1 AND status = 1 AND lease_owner = ?2",
    [SQL_ACTION_RENEW] = "UPDATE actions SET lease_until_ms = ?3 "
                         "WHERE id = ?1 AND status = 1 AND lease_owner = ?2 AND lease_until_ms < ?3",

    /* Due timers walked in due order on timers_due; the leased ones among them (in
     * flight: a handful) are skipped row by row.  An expired lease is claimable again. */
    [SQL_TIMER_CLAIM_SELECT] = "SELECT " STI_TIMER_COLS " FROM timers INDEXED BY timers_due "
                               "WHERE due_ms <= ?1 AND lease_until_ms <= ?1 "
                               "ORDER BY due_ms, id LIMIT ?2",
    [SQL_TIMER_CLAIM_UPDATE] = "UPDATE timers SET lease_owner = ?2, lease_until_ms = ?3 "
                               "WHERE id = ?1",

    /* A new key only while the instance has fewer than ?4 (a range count on the primary
     * key); an existing key is always replaced.  No row inserted: the limit was hit. */
    [SQL_KV_UPSERT] = "INSERT INTO kv (instance, key, value) SELECT ?1, ?2, ?3 "
                      "WHERE (SELECT count(*) FROM kv WHERE instance = ?1) < ?4 "
                      "OR EXISTS (SELECT 1 FROM kv WHERE instance = ?1 AND key = ?2) "
                      "ON CONFLICT (instance, key) DO UPDATE SET value = excluded.value",
    [SQL_KV_DELETE] = "DELETE FROM kv WHERE instance = ?1 AND key = ?2",

    [SQL_ORDER_GET] = "SELECT " STI_ORDER_COLS " FROM orders WHERE id = ?1",
    [SQL_EVENTS_OF] = "SELECT " STI_EVENT_COLS " FROM events WHERE order_id = ?1 ORDER BY seq",
    [SQL_ACTIONS_DEAD] = "SELECT " STI_ACTION_COLS " FROM actions WHERE status = 3 "
                         "ORDER BY id",
    /* A claimed timer is due again when its lease ends (its holder died, or its unit
     * failed): the earliest unleased due time, or the earliest lease end. */
    [SQL_NEXT_DUE] = "SELECT min(m) FROM ("
                     "SELECT min(next_at_ms) AS m FROM actions WHERE status = 0 "
                     "UNION ALL SELECT min(lease_until_ms) FROM actions WHERE status = 1 "
                     "UNION ALL SELECT min(due_ms) FROM timers WHERE lease_until_ms = 0 "
                     "UNION ALL SELECT min(lease_until_ms) FROM timers "
                     "WHERE lease_until_ms > 0)",
    [SQL_IDEM_GET] = "SELECT " STI_IDEM_COLS " FROM idempotency WHERE key = ?1",
    [SQL_TRACKING_GET] = "SELECT order_id FROM tracking WHERE carrier = ?1 AND number = ?2",
    [SQL_DOCUMENT_GET] = "SELECT mime_type, data, created_ms FROM documents "
                         "WHERE order_id = ?1 AND name = ?2",
    [SQL_KV_GET] = "SELECT value FROM kv WHERE instance = ?1 AND key = ?2",
    [SQL_READ_BEGIN] = "BEGIN DEFERRED",
    /* A covering scan of the state index (no table row is read); see store_counts. */
    [SQL_COUNT_STATES] = "SELECT state, count(*) FROM orders INDEXED BY orders_state_updated "
                         "GROUP BY state ORDER BY state",
    /* max(seq) is one b-tree descent; count(*) of a whole table counts the cells of the
     * smallest index page by page; the status ranges are short (DONE is not walked). */
    [SQL_COUNT_OTHERS] = "SELECT (SELECT max(seq) FROM events), "
                         "(SELECT count(*) FROM actions), "
                         "(SELECT count(*) FROM actions WHERE status = 0), "
                         "(SELECT count(*) FROM actions WHERE status = 1), "
                         "(SELECT count(*) FROM actions WHERE status = 3), "
                         "(SELECT count(*) FROM timers), "
                         /* The GLOB term names the partial index events_sla. */
                         "(SELECT count(*) FROM events WHERE name GLOB 'sla.*' "
                         "AND name = 'sla.ship_by_warning'), "
                         "(SELECT count(*) FROM events WHERE name GLOB 'sla.*' "
                         "AND name = 'sla.ship_by_breached')",
    /* The instances with pending or claimed actions: one index seek per instance (a
     * recursive skip over actions_instance_due), not a walk of a large backlog. */
    [SQL_ACTION_INSTANCES] = "WITH RECURSIVE p(s, i) AS ("
                             "SELECT 0, (SELECT min(instance) FROM actions WHERE status = 0) "
                             "UNION ALL "
                             "SELECT 1, (SELECT min(instance) FROM actions WHERE status = 1) "
                             "UNION ALL "
                             "SELECT p.s, (SELECT min(instance) FROM actions "
                             "WHERE status = p.s AND instance > p.i) FROM p WHERE p.i IS NOT NULL) "
                             "SELECT DISTINCT i FROM p WHERE i IS NOT NULL ORDER BY i",
    /* A range of the primary key, in its order: no sort.  available < low_threshold is
     * never true of a record without one (-1). */
    [SQL_STOCK_LIST] = "SELECT " STI_STOCK_COLS " FROM stock WHERE seller_id = ?1 AND sku > ?2 "
                       "AND (?3 = 0 OR on_hand - reserved < low_threshold) ORDER BY sku LIMIT ?4",
};

/*
 * Listing: one statement per variant (STI_LIST_* bits), all of the same shape.  The index
 * walked is the one of the most selective filter present, pinned with INDEXED BY so the
 * plan never depends on the planner's guesses: an equality on its first column, then a
 * range on (updated_ms, id) from since (?1) and the cursor (?2, ?3), read backwards for
 * ORDER BY updated_ms DESC, id DESC - no sort.  The other filters are checked per row.
 * Sorted by deadline, the walk is the partial index orders_ship_by forwards, bounded by
 * the late time (?8, INT64_MAX when not late) and the cursor; every filter is then per
 * row.  The late filter of a listing by update time is a per-row check too.
 */
static const char *list_index(unsigned variant)
{
    if (variant & STI_LIST_SHIP_BY)
        return "orders_ship_by";
    if (variant & STI_LIST_CREATED_BY)
        return "orders_created_by_updated";
    if (variant & STI_LIST_SELLER)
        return "orders_seller_updated";
    if (variant & STI_LIST_STATE)
        return "orders_state_updated";
    return "orders_updated";
}

int sti_list_sql(unsigned variant, char *buf, size_t len)
{
    if (variant >= STI_LIST_VARIANTS)
        return -1;
    int by_ship = (variant & STI_LIST_SHIP_BY) != 0;
    const char *after = !(variant & STI_LIST_CURSOR) ? ""
                        : by_ship ? " AND (ship_by_ms, id) > (?2, ?3)"
                                  : " AND (updated_ms, id) < (?2, ?3)";
    int n = snprintf(buf, len,
                     "SELECT " STI_ORDER_ROW_COLS " FROM orders INDEXED BY %s "
                     "WHERE updated_ms >= ?1%s%s%s%s%s %s LIMIT ?7",
                     list_index(variant), after,
                     variant & STI_LIST_CREATED_BY ? " AND created_by = ?4" : "",
                     variant & STI_LIST_SELLER ? " AND seller_id = ?5" : "",
                     variant & STI_LIST_STATE ? " AND state = ?6" : "",
                     by_ship || (variant & STI_LIST_LATE)
                         ? " AND ship_by_ms > 0 AND ship_by_ms <= ?8" : "",
                     by_ship ? "ORDER BY ship_by_ms, id" : "ORDER BY updated_ms DESC, id DESC");
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

const char *sti_sql_text(sti_sql id)
{
    return id < SQL_COUNT ? sql_text[id] : NULL;
}

void sti_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int sti_sqlerr(char *err, size_t errlen, sqlite3 *db, const char *what)
{
    sti_err(err, errlen, "%s: %s", what, db != NULL ? sqlite3_errmsg(db) : "out of memory");
    return -1;
}

static int pragma(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sti_sqlerr(err, errlen, db, sql);
    return 0;
}

int sti_conn_open(const char *path, int create, sti_conn **out, char *err, size_t errlen)
{
    *out = NULL;
    sti_conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    /* NOMUTEX: a connection is used by one thread at a time (the writer, or the thread
     * that took it from the pool). */
    const char *what = create ? "opening" : "opening a reader connection";
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(c->db, STI_BUSY_TIMEOUT_MS) != SQLITE_OK) {
        sti_sqlerr(err, errlen, c->db, what);
        sti_conn_close(c);
        return -1;
    }
    sqlite3_extended_result_codes(c->db, 1);
    if (pragma(c->db, "PRAGMA foreign_keys = ON", err, errlen) != 0 ||
        (!create && pragma(c->db, "PRAGMA query_only = ON", err, errlen) != 0)) {
        sti_conn_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

int sti_conn_wal(sti_conn *c, int sync_full, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
        return sti_sqlerr(err, errlen, c->db, "PRAGMA journal_mode = WAL");
    int rc = sqlite3_step(st);
    int wal = rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
              strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    if (rc != SQLITE_ROW) {
        sti_sqlerr(err, errlen, c->db, "PRAGMA journal_mode = WAL");
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    if (!wal) {
        sti_err(err, errlen, "the database cannot use WAL journaling (in-memory or VFS?)");
        return -1;
    }
    /* Every unit runs in a savepoint, whose undo records (the statement journal) SQLite
     * spills to a temporary file once they pass 64 KiB - and, once spilled, keeps writing
     * there with a system call per page for the rest of the transaction.  A unit touching
     * some 15 pages (an order with its indexes, events, actions) gets there, and the batch
     * then ran at half speed.  In memory the journal is dropped at each RELEASE: its size
     * is that of one unit's pages. */
    if (pragma(c->db, "PRAGMA temp_store = MEMORY", err, errlen) != 0)
        return -1;
    return pragma(c->db, sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                  err, errlen);
}

void sti_conn_close(sti_conn *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < SQL_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    for (unsigned i = 0; i < STI_LIST_VARIANTS; i++)
        sqlite3_finalize(c->list[i]);
    sqlite3_close(c->db);
    free(c);
}

sqlite3_stmt *sti_stmt(sti_conn *c, sti_sql id, char *err, size_t errlen)
{
    sqlite3_stmt *st = c->stmt[id];
    if (st == NULL) {
        if (sqlite3_prepare_v3(c->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            sti_sqlerr(err, errlen, c->db, "preparing a statement");
            return NULL;
        }
        c->stmt[id] = st;
        return st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

sqlite3_stmt *sti_list_stmt(sti_conn *c, unsigned variant, char *err, size_t errlen)
{
    if (variant >= STI_LIST_VARIANTS) {
        sti_err(err, errlen, "listing: no statement for variant %u", variant);
        return NULL;
    }
    sqlite3_stmt *st = c->list[variant];
    if (st == NULL) {
        char sql[768];
        if (sti_list_sql(variant, sql, sizeof(sql)) != 0) {
            sti_err(err, errlen, "listing: the statement of variant %u is too long", variant);
            return NULL;
        }
        if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            sti_sqlerr(err, errlen, c->db, "preparing the listing");
            return NULL;
        }
        c->list[variant] = st;
        return st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int sti_exec(sti_conn *c, sti_sql id, char *err, size_t errlen)
{
    sqlite3_stmt *st = sti_stmt(c, id, err, errlen);
    if (st == NULL)
        return -1;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, sql_text[id]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

sti_conn *sti_reader_get(store_impl *s, char *err, size_t errlen)
{
    pthread_mutex_lock(&s->pool_mu);
    sti_conn *c = s->idle;
    if (c != NULL) {
        s->idle = c->next;
        s->idle_count--;
        c->next = NULL;
    }
    pthread_mutex_unlock(&s->pool_mu);
    if (c == NULL && sti_conn_open(s->path, 0, &c, err, errlen) != 0)
        return NULL;
    return c;
}

void sti_reader_put(store_impl *s, sti_conn *c)
{
    if (c == NULL)
        return;
    /* Every read ends here, its statement reset: a read that failed left its error on the
     * connection.  A damaged page found by any read is a failed check for /healthz. */
    int code = sqlite3_extended_errcode(c->db) & 0xff;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        sti_health_read_fault(s, sqlite3_errmsg(c->db));
    pthread_mutex_lock(&s->pool_mu);
    int keep = s->idle_count < STI_POOL_IDLE_MAX;
    if (keep) {
        c->next = s->idle;
        s->idle = c;
        s->idle_count++;
    }
    pthread_mutex_unlock(&s->pool_mu);
    if (!keep)
        sti_conn_close(c);
}

void sti_pool_close(store_impl *s)
{
    pthread_mutex_lock(&s->pool_mu);
    sti_conn *c = s->idle;
    s->idle = NULL;
    s->idle_count = 0;
    pthread_mutex_unlock(&s->pool_mu);
    while (c != NULL) {
        sti_conn *next = c->next;
        sti_conn_close(c);
        c = next;
    }
}
