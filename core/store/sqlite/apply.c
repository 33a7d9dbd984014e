#include "config.h"

#include "apply.h"

#include "conn.h"
#include "money.h"
#include "stock.h"

#include <stdlib.h>
#include <string.h>

/*
 * apply - one unit (st_unit) on the writer connection, inside the savepoint writer.c opened
 * for it: checked first without touching the database, then the order (version check),
 * the idempotency record and the lists, in store.h's order.
 */

/* ---- validation: everything that can be refused without touching the database ---------- */

/* A fixed array must hold its NUL; `required` ones must not be empty. */
static int check_fixed(const char *what, const char *field, size_t size, int required,
                       char *err, size_t errlen)
{
    if (memchr(field, '\0', size) == NULL) {
        sti_err(err, errlen, "%s '%.*s...' does not fit in %zu bytes", what, 32, field,
                size - 1);
        return -1;
    }
    if (required && field[0] == '\0') {
        sti_err(err, errlen, "%s is empty", what);
        return -1;
    }
    return 0;
}

/* A borrowed string: present, not empty, shorter than `size`. */
static int check_text(const char *what, const char *text, size_t size, char *err,
                      size_t errlen)
{
    if (text == NULL || text[0] == '\0' || strnlen(text, size) == size) {
        sti_err(err, errlen, "%s is missing, empty or longer than %zu bytes", what, size - 1);
        return -1;
    }
    return 0;
}

#define CHECK(what, field, required) \
    check_fixed((what), (field), sizeof(field), (required), err, errlen)

static int check_order(const st_unit *u, char *err, size_t errlen)
{
    const st_order *o = u->order;
    if (CHECK("order id", o->id, 1) || CHECK("order state", o->state, 1) ||
        CHECK("order seller_id", o->seller_id, 0))
        return -1;
    /* created_by is written on insert only: an update's is not looked at. */
    if (u->expect_version == 0 && CHECK("order created_by", o->created_by, 0))
        return -1;
    if (o->snapshot == NULL) {
        sti_err(err, errlen, "order %s: snapshot is NULL", o->id);
        return -1;
    }
    if (u->expect_version < 0) {
        sti_err(err, errlen, "order %s: expect_version %lld is negative", o->id,
                (long long)u->expect_version);
        return -1;
    }
    return 0;
}

static int check_lists(const st_unit *u, char *err, size_t errlen)
{
    for (size_t i = 0; i < u->event_count; i++) {
        if (CHECK("event order_id", u->events[i].order_id, 1) ||
            CHECK("event name", u->events[i].name, 1))
            return -1;
    }
    for (size_t i = 0; i < u->new_action_count; i++) {
        const st_action *a = &u->new_actions[i];
        if (CHECK("action order_id", a->order_id, 1) || CHECK("action instance", a->instance, 1) ||
            CHECK("action operation", a->operation, 1) ||
            CHECK("action idem_key", a->idem_key, 1) ||
            CHECK("action last_error", a->last_error, 0))
            return -1;
    }
    for (size_t i = 0; i < u->action_update_count; i++) {
        st_action_status s = u->action_updates[i].status;
        if (s != ST_ACTION_PENDING && s != ST_ACTION_DONE && s != ST_ACTION_DEAD) {
            sti_err(err, errlen, "action %lld: an update may set PENDING, DONE or DEAD, not %d",
                    (long long)u->action_updates[i].id, (int)s);
            return -1;
        }
    }
    for (size_t i = 0; i < u->new_timer_count; i++) {
        if (CHECK("timer order_id", u->new_timers[i].order_id, 1) ||
            CHECK("timer name", u->new_timers[i].name, 1))
            return -1;
    }
    for (size_t i = 0; i < u->tracking_count; i++) {
        const st_tracking *t = &u->tracking[i];
        if (check_text("tracking carrier", t->carrier, ST_ID_MAX, err, errlen) ||
            check_text("tracking number", t->number, ST_ID_MAX, err, errlen) ||
            check_text("tracking order_id", t->order_id, ST_ID_MAX, err, errlen))
            return -1;
    }
    for (size_t i = 0; i < u->document_count; i++) {
        const st_document *d = &u->documents[i];
        if (CHECK("document order_id", d->order_id, 1) || CHECK("document name", d->name, 1) ||
            CHECK("document mime_type", d->mime_type, 1))
            return -1;
        if (d->data == NULL || d->len == 0) {
            sti_err(err, errlen, "document '%s' has no data", d->name);
            return -1;
        }
    }
    for (size_t i = 0; i < u->cancel_timer_count; i++) {
        const char *name = u->cancel_timers[i];
        if (name == NULL || strlen(name) >= ST_NAME_MAX) {
            sti_err(err, errlen, "cancelled timer name is NULL or longer than %d bytes",
                    ST_NAME_MAX - 1);
            return -1;
        }
    }
    return 0;
}

static int check_unit(const st_unit *u, char *err, size_t errlen)
{
    if ((u->event_count && !u->events) || (u->new_action_count && !u->new_actions) ||
        (u->action_update_count && !u->action_updates) ||
        (u->new_timer_count && !u->new_timers) || (u->fired_timer_count && !u->fired_timers) ||
        (u->cancel_timer_count && !u->cancel_timers) || (u->tracking_count && !u->tracking) ||
        (u->document_count && !u->documents)) {
        sti_err(err, errlen, "a unit list has a count but no array");
        return -1;
    }
    if (u->cancel_timer_count > 0 && u->order == NULL) {
        sti_err(err, errlen, "cancel_timers needs the unit's order (timer names are per order)");
        return -1;
    }
    if (u->order != NULL && check_order(u, err, errlen) != 0)
        return -1;
    if (u->idem != NULL && (CHECK("idempotency key", u->idem->key, 1) ||
                            CHECK("idempotency request_hash", u->idem->request_hash, 0)))
        return -1;
    return check_lists(u, err, errlen);
}

/* ---- statements ------------------------------------------------------------------------ */

/* ---- the parts of a unit --------------------------------------------------------------- */

static int order_conflict(sti_conn *c, const st_unit *u, char *err, size_t errlen)
{
    STI_STMT(SQL_ORDER_VERSION);
    int64_t v = 0;
    int rc = sti_lookup(c, st, sqlite3_bind_text(st, 1, u->order->id, -1, SQLITE_STATIC), &v,
                    "reading an order version", err, errlen);
    if (rc < 0)
        return -1;
    if (rc == 1)
        sti_err(err, errlen, "order %s does not exist (expected version %lld)", u->order->id,
                (long long)u->expect_version);
    else if (u->expect_version == 0)
        sti_err(err, errlen, "order %s already exists (version %lld)", u->order->id,
                (long long)v);
    else
        sti_err(err, errlen, "order %s is at version %lld, not %lld", u->order->id,
                (long long)v, (long long)u->expect_version);
    return ST_ECONFLICT;
}

static int apply_order(sti_conn *c, st_unit *u, char *err, size_t errlen)
{
    st_order *o = u->order;
    int insert = u->expect_version == 0;
    STI_STMT(insert ? SQL_ORDER_INSERT : SQL_ORDER_UPDATE);
    int b = sti_bind_text(st, 1, o->id) | sti_bind_text(st, 2, o->state) |
            sti_bind_text(st, 3, o->seller_id) | sti_bind_text(st, 4, o->snapshot) |
            sqlite3_bind_int64(st, 6, o->updated_ms) | sqlite3_bind_int64(st, 9, o->ship_by_ms);
    b |= insert ? sqlite3_bind_int64(st, 5, o->created_ms) | sti_bind_text(st, 8, o->created_by)
                : sqlite3_bind_int64(st, 7, u->expect_version);
    if (sti_run(c, st, b, insert ? "inserting the order" : "updating the order", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0)
        return order_conflict(c, u, err, errlen);
    o->version = u->expect_version + 1;
    return 0;
}

static int apply_idem(sti_conn *c, const st_idem *i, char *err, size_t errlen)
{
    STI_STMT(SQL_IDEM_INSERT);
    int b = sti_bind_text(st, 1, i->key) | sti_bind_text(st, 2, i->request_hash) |
            sqlite3_bind_int(st, 3, i->status) | sti_bind_text(st, 4, i->response) |
            sqlite3_bind_int64(st, 5, i->created_ms);
    if (sti_run(c, st, b, "recording the idempotency key", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0) {
        sti_err(err, errlen, "idempotency key '%s' is already recorded", i->key);
        return ST_EEXIST;
    }
    return 0;
}

static int apply_event(sti_conn *c, st_event *e, char *err, size_t errlen)
{
    STI_STMT(SQL_EVENT_INSERT);
    int b = sti_bind_text(st, 1, e->order_id) | sti_bind_text(st, 2, e->name) |
            sti_bind_text(st, 3, e->data) | sqlite3_bind_int64(st, 4, e->at_ms);
    if (sti_run(c, st, b, "appending an event", err, errlen) != 0)
        return -1;
    e->seq = sqlite3_last_insert_rowid(c->db);
    return 0;
}

/* Insert PENDING, or find the action already recorded under the same idem_key. */
static int apply_new_action(sti_conn *c, st_action *a, char *err, size_t errlen)
{
    sqlite3_stmt *st = sti_stmt(c, SQL_ACTION_INSERT, err, errlen);
    if (st == NULL)
        return -1;
    int b = sti_bind_text(st, 1, a->order_id) | sti_bind_text(st, 2, a->instance) |
            sti_bind_text(st, 3, a->operation) | sti_bind_text(st, 4, a->idem_key) |
            sti_bind_text(st, 5, a->payload) | sqlite3_bind_int(st, 6, a->attempts) |
            sqlite3_bind_int64(st, 7, a->next_at_ms) | sti_bind_text(st, 8, a->last_error) |
            sqlite3_bind_int64(st, 9, a->created_ms);
    if (sti_run(c, st, b, "enqueueing an action", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 1) {
        a->id = sqlite3_last_insert_rowid(c->db);
        return 0;
    }
    if ((st = sti_stmt(c, SQL_ACTION_ID_BY_KEY, err, errlen)) == NULL)
        return -1;
    int rc = sti_lookup(c, st, sti_bind_text(st, 1, a->idem_key), &a->id,
                        "finding an action by key", err, errlen);
    if (rc == 1)
        sti_err(err, errlen, "action '%s' was neither inserted nor found", a->idem_key);
    return rc == 0 ? 0 : -1;
}

/* An error message is cut (at a UTF-8 character boundary) to fit st_action.last_error. */
static int error_len(const char *e)
{
    size_t n = strlen(e);
    if (n < ST_ERROR_MAX)
        return (int)n;
    n = ST_ERROR_MAX - 1;
    while (n > 0 && ((unsigned char)e[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

static int apply_action_update(sti_conn *c, const st_action_update *up, char *err,
                               size_t errlen)
{
    STI_STMT(SQL_ACTION_UPDATE);
    int b = sqlite3_bind_int64(st, 1, up->id) | sqlite3_bind_int(st, 2, (int)up->status) |
            sqlite3_bind_int(st, 3, up->attempts) | sqlite3_bind_int64(st, 4, up->next_at_ms);
    b |= up->error != NULL
             ? sqlite3_bind_text(st, 5, up->error, error_len(up->error), SQLITE_STATIC)
             : sqlite3_bind_null(st, 5);
    if (sti_run(c, st, b, "updating an action", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0) {
        sti_err(err, errlen, "action %lld does not exist", (long long)up->id);
        return -1;
    }
    return 0;
}

static int delete_timer_named(sti_conn *c, const char *order_id, const char *name, char *err,
                              size_t errlen)
{
    STI_STMT(SQL_TIMER_DELETE_NAME);
    int b = sti_bind_text(st, 1, order_id) | sti_bind_text(st, 2, name);
    return sti_run(c, st, b, "deleting a timer", err, errlen);
}

static int apply_fired_timer(sti_conn *c, int64_t id, char *err, size_t errlen)
{
    STI_STMT(SQL_TIMER_DELETE_ID);
    return sti_run(c, st, sqlite3_bind_int64(st, 1, id), "deleting a fired timer", err, errlen);
}

/* Replacing deletes and inserts, so the replacement gets a new id (see schema.c). */
static int apply_new_timer(sti_conn *c, st_timer *t, char *err, size_t errlen)
{
    if (delete_timer_named(c, t->order_id, t->name, err, errlen) != 0)
        return -1;
    STI_STMT(SQL_TIMER_INSERT);
    int b = sti_bind_text(st, 1, t->order_id) | sti_bind_text(st, 2, t->name) |
            sqlite3_bind_int64(st, 3, t->due_ms) | sti_bind_text(st, 4, t->data);
    if (sti_run(c, st, b, "setting a timer", err, errlen) != 0)
        return -1;
    t->id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

static int apply_tracking(sti_conn *c, const st_tracking *t, char *err, size_t errlen)
{
    STI_STMT(SQL_TRACKING_UPSERT);
    int b = sti_bind_text(st, 1, t->carrier) | sti_bind_text(st, 2, t->number) |
            sti_bind_text(st, 3, t->order_id);
    return sti_run(c, st, b, "recording a tracking number", err, errlen);
}

static int apply_document(sti_conn *c, const st_document *d, char *err, size_t errlen)
{
    STI_STMT(SQL_DOCUMENT_UPSERT);
    int b = sti_bind_text(st, 1, d->order_id) | sti_bind_text(st, 2, d->name) |
            sti_bind_text(st, 3, d->mime_type) |
            sqlite3_bind_blob64(st, 4, d->data, d->len, SQLITE_STATIC) |
            sqlite3_bind_int64(st, 5, d->created_ms);
    return sti_run(c, st, b, "storing a document", err, errlen);
}

/* ---- units ----------------------------------------------------------------------------- */

static int apply_lists(sti_conn *c, st_unit *u, char *err, size_t errlen)
{
    for (size_t i = 0; i < u->event_count; i++) {
        if (apply_event(c, &u->events[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->new_action_count; i++) {
        if (apply_new_action(c, &u->new_actions[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->action_update_count; i++) {
        if (apply_action_update(c, &u->action_updates[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->fired_timer_count; i++) {
        if (apply_fired_timer(c, u->fired_timers[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->cancel_timer_count; i++) {
        if (delete_timer_named(c, u->order->id, u->cancel_timers[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->new_timer_count; i++) {
        if (apply_new_timer(c, &u->new_timers[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->tracking_count; i++) {
        if (apply_tracking(c, &u->tracking[i], err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < u->document_count; i++) {
        if (apply_document(c, &u->documents[i], err, errlen) != 0)
            return -1;
    }
    return 0;
}

int sti_apply_unit(sti_conn *c, st_unit *u, char *err, size_t errlen)
{
    if (check_unit(u, err, errlen) != 0 || sti_stock_check(u, err, errlen) != 0 ||
        sti_money_check(u, err, errlen) != 0)
        return -1;
    int rc;
    if (u->order != NULL && (rc = apply_order(c, u, err, errlen)) != 0)
        return rc;
    if (u->idem != NULL && (rc = apply_idem(c, u->idem, err, errlen)) != 0)
        return rc;
    if (apply_lists(c, u, err, errlen) != 0)
        return -1;
    if ((rc = sti_stock_apply(c, u, err, errlen)) != 0)
        return rc;
    return sti_money_apply(c, u, err, errlen);
}

void sti_unit_unwind(st_unit *u, int64_t old_version)
{
    if (u->order != NULL)
        u->order->version = old_version;
    for (size_t i = 0; u->events != NULL && i < u->event_count; i++)
        u->events[i].seq = 0;
    for (size_t i = 0; u->new_actions != NULL && i < u->new_action_count; i++)
        u->new_actions[i].id = 0;
    for (size_t i = 0; u->new_timers != NULL && i < u->new_timer_count; i++)
        u->new_timers[i].id = 0;
}

