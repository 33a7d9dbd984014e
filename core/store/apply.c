#include "config.h"

#include "store_int.h"

#include <stdlib.h>
#include <string.h>

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

static int bind_text(sqlite3_stmt *st, int i, const char *text)
{
    return text != NULL ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC)
                        : sqlite3_bind_null(st, i);
}

/* Step a statement that returns no rows; 0 or -1 with "what: errmsg". Ends the statement. */
static int run(sti_conn *c, sqlite3_stmt *st, int bound, const char *what, char *err,
               size_t errlen)
{
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, what);
    sti_end(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* A one-integer lookup: 0 and *out, 1 when there is no row, -1 on error. */
static int lookup(sti_conn *c, sqlite3_stmt *st, int bound, int64_t *out, const char *what,
                  char *err, size_t errlen)
{
    int rc = bound == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        sti_sqlerr(err, errlen, c->db, what);
    sti_end(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

#define STMT(id)                                 \
    sqlite3_stmt *st = sti_stmt(c, (id), err, errlen); \
    if (st == NULL)                              \
        return -1

/* ---- the parts of a unit --------------------------------------------------------------- */

static int order_conflict(sti_conn *c, const st_unit *u, char *err, size_t errlen)
{
    STMT(SQL_ORDER_VERSION);
    int64_t v = 0;
    int rc = lookup(c, st, sqlite3_bind_text(st, 1, u->order->id, -1, SQLITE_STATIC), &v,
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
    STMT(insert ? SQL_ORDER_INSERT : SQL_ORDER_UPDATE);
    int b = bind_text(st, 1, o->id) | bind_text(st, 2, o->state) |
            bind_text(st, 3, o->seller_id) | bind_text(st, 4, o->snapshot) |
            sqlite3_bind_int64(st, 6, o->updated_ms);
    b |= insert ? sqlite3_bind_int64(st, 5, o->created_ms) | bind_text(st, 8, o->created_by)
                : sqlite3_bind_int64(st, 7, u->expect_version);
    if (run(c, st, b, insert ? "inserting the order" : "updating the order", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0)
        return order_conflict(c, u, err, errlen);
    o->version = u->expect_version + 1;
    return 0;
}

static int apply_idem(sti_conn *c, const st_idem *i, char *err, size_t errlen)
{
    STMT(SQL_IDEM_INSERT);
    int b = bind_text(st, 1, i->key) | bind_text(st, 2, i->request_hash) |
            sqlite3_bind_int(st, 3, i->status) | bind_text(st, 4, i->response) |
            sqlite3_bind_int64(st, 5, i->created_ms);
    if (run(c, st, b, "recording the idempotency key", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 0) {
        sti_err(err, errlen, "idempotency key '%s' is already recorded", i->key);
        return ST_EEXIST;
    }
    return 0;
}

static int apply_event(sti_conn *c, st_event *e, char *err, size_t errlen)
{
    STMT(SQL_EVENT_INSERT);
    int b = bind_text(st, 1, e->order_id) | bind_text(st, 2, e->name) |
            bind_text(st, 3, e->data) | sqlite3_bind_int64(st, 4, e->at_ms);
    if (run(c, st, b, "appending an event", err, errlen) != 0)
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
    int b = bind_text(st, 1, a->order_id) | bind_text(st, 2, a->instance) |
            bind_text(st, 3, a->operation) | bind_text(st, 4, a->idem_key) |
            bind_text(st, 5, a->payload) | sqlite3_bind_int(st, 6, a->attempts) |
            sqlite3_bind_int64(st, 7, a->next_at_ms) | bind_text(st, 8, a->last_error) |
            sqlite3_bind_int64(st, 9, a->created_ms);
    if (run(c, st, b, "enqueueing an action", err, errlen) != 0)
        return -1;
    if (sqlite3_changes(c->db) == 1) {
        a->id = sqlite3_last_insert_rowid(c->db);
        return 0;
    }
    if ((st = sti_stmt(c, SQL_ACTION_ID_BY_KEY, err, errlen)) == NULL)
        return -1;
    int rc = lookup(c, st, bind_text(st, 1, a->idem_key), &a->id, "finding an action by key",
                    err, errlen);
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
    STMT(SQL_ACTION_UPDATE);
    int b = sqlite3_bind_int64(st, 1, up->id) | sqlite3_bind_int(st, 2, (int)up->status) |
            sqlite3_bind_int(st, 3, up->attempts) | sqlite3_bind_int64(st, 4, up->next_at_ms);
    b |= up->error != NULL
             ? sqlite3_bind_text(st, 5, up->error, error_len(up->error), SQLITE_STATIC)
             : sqlite3_bind_null(st, 5);
    if (run(c, st, b, "updating an action", err, errlen) != 0)
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
    STMT(SQL_TIMER_DELETE_NAME);
    int b = bind_text(st, 1, order_id) | bind_text(st, 2, name);
    return run(c, st, b, "deleting a timer", err, errlen);
}

static int apply_fired_timer(sti_conn *c, int64_t id, char *err, size_t errlen)
{
    STMT(SQL_TIMER_DELETE_ID);
    return run(c, st, sqlite3_bind_int64(st, 1, id), "deleting a fired timer", err, errlen);
}

/* Replacing deletes and inserts, so the replacement gets a new id (see schema.c). */
static int apply_new_timer(sti_conn *c, st_timer *t, char *err, size_t errlen)
{
    if (delete_timer_named(c, t->order_id, t->name, err, errlen) != 0)
        return -1;
    STMT(SQL_TIMER_INSERT);
    int b = bind_text(st, 1, t->order_id) | bind_text(st, 2, t->name) |
            sqlite3_bind_int64(st, 3, t->due_ms) | bind_text(st, 4, t->data);
    if (run(c, st, b, "setting a timer", err, errlen) != 0)
        return -1;
    t->id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

static int apply_tracking(sti_conn *c, const st_tracking *t, char *err, size_t errlen)
{
    STMT(SQL_TRACKING_UPSERT);
    int b = bind_text(st, 1, t->carrier) | bind_text(st, 2, t->number) |
            bind_text(st, 3, t->order_id);
    return run(c, st, b, "recording a tracking number", err, errlen);
}

static int apply_document(sti_conn *c, const st_document *d, char *err, size_t errlen)
{
    STMT(SQL_DOCUMENT_UPSERT);
    int b = bind_text(st, 1, d->order_id) | bind_text(st, 2, d->name) |
            bind_text(st, 3, d->mime_type) |
            sqlite3_bind_blob64(st, 4, d->data, d->len, SQLITE_STATIC) |
            sqlite3_bind_int64(st, 5, d->created_ms);
    return run(c, st, b, "storing a document", err, errlen);
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
    if (check_unit(u, err, errlen) != 0)
        return -1;
    int rc;
    if (u->order != NULL && (rc = apply_order(c, u, err, errlen)) != 0)
        return rc;
    if (u->idem != NULL && (rc = apply_idem(c, u->idem, err, errlen)) != 0)
        return rc;
    return apply_lists(c, u, err, errlen);
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

/* ---- claims ---------------------------------------------------------------------------- */

/* The due actions `sql` selects, at most max: *out (st_actions_free) and *n. */
static int claim_select(sti_conn *c, sti_job *j, sti_sql sql, size_t max, st_action **out,
                        size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (max == 0)
        return 0;
    STMT(sql);
    int64_t limit = max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
    int b = sqlite3_bind_int64(st, 1, j->now_ms) | sqlite3_bind_int64(st, 2, limit);
    if (j->instance != NULL)
        b |= bind_text(st, 3, j->instance);
    if (b != SQLITE_OK) {
        sti_end(st);
        return sti_sqlerr(err, errlen, c->db, "claiming actions");
    }
    void *rows = NULL;
    if (sti_rows(c, st, REC_ACTION, &rows, n, err, errlen) != 0)
        return -1;
    *out = rows;
    return 0;
}

/* An instance's expired leases, then its pending due actions: j->max in all. */
static int claim_instance(sti_conn *c, sti_job *j, st_action **out, size_t *n, char *err,
                          size_t errlen)
{
    st_action *expired = NULL, *due = NULL;
    size_t ne = 0, nd = 0;
    if (claim_select(c, j, SQL_CLAIM_EXPIRED_INSTANCE, j->max, &expired, &ne, err, errlen) != 0)
        return -1;
    if (claim_select(c, j, SQL_CLAIM_SELECT_INSTANCE, j->max - ne, &due, &nd, err, errlen) != 0) {
        st_actions_free(expired, ne);
        return -1;
    }
    if (nd == 0 || ne == 0) {
        *out = ne ? expired : due;
        *n = ne + nd;
        free(ne ? due : expired);
        return 0;
    }
    st_action *all = realloc(expired, (ne + nd) * sizeof(*all));
    if (all == NULL) {
        st_actions_free(expired, ne);
        st_actions_free(due, nd);
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    memcpy(all + ne, due, nd * sizeof(*all)); /* the payloads move with the records */
    free(due);
    *out = all;
    *n = ne + nd;
    return 0;
}

int sti_apply_claim(sti_conn *c, sti_job *j, char *err, size_t errlen)
{
    int64_t until = j->lease_ms > INT64_MAX - j->now_ms ? INT64_MAX : j->now_ms + j->lease_ms;
    st_action *a = NULL;
    size_t n = 0;
    int rc = j->instance != NULL ? claim_instance(c, j, &a, &n, err, errlen)
                                 : claim_select(c, j, SQL_CLAIM_SELECT, j->max, &a, &n, err, errlen);
    if (rc != 0)
        return -1;
    sqlite3_stmt *st;
    int b;
    for (size_t i = 0; i < n; i++) {
        if ((st = sti_stmt(c, SQL_CLAIM_UPDATE, err, errlen)) == NULL) {
            st_actions_free(a, n);
            return -1;
        }
        b = sqlite3_bind_int64(st, 1, a[i].id) | bind_text(st, 2, j->owner) |
            sqlite3_bind_int64(st, 3, until);
        if (run(c, st, b, "leasing an action", err, errlen) != 0) {
            st_actions_free(a, n);
            return -1;
        }
        int other = a[i].status == ST_ACTION_CLAIMED && strcmp(a[i].lease_owner, j->owner) != 0;
        if (other && a[i].sent)
            a[i].attempts++;
        a[i].sent = a[i].sent && a[i].status == ST_ACTION_CLAIMED && !other;
        a[i].status = ST_ACTION_CLAIMED;
        strcpy(a[i].lease_owner, j->owner); /* length checked by store_actions_claim */
        a[i].lease_until_ms = until;
    }
    j->claimed = a;
    j->claimed_count = n;
    return 0;
}

/* ---- leases ---------------------------------------------------------------------------- */

int sti_apply_lease(sti_conn *c, sti_job *j, char *err, size_t errlen)
{
    j->renewed = 0;
    for (size_t i = 0; i < j->id_count; i++) {
        STMT(j->mark_sent ? SQL_ACTION_SENDING : SQL_ACTION_RENEW);
        int b = sqlite3_bind_int64(st, 1, j->ids[i]) | bind_text(st, 2, j->owner) |
                sqlite3_bind_int64(st, 3, j->until_ms);
        if (run(c, st, b, j->mark_sent ? "marking an action sent" : "renewing a lease", err,
                errlen) != 0)
            return -1;
        int changed = sqlite3_changes(c->db) == 1;
        if (j->mark_sent && !changed) {
            /* The savepoint is rolled back: no action of the request is marked. */
            sti_err(err, errlen, "action %lld is no longer leased to %s",
                    (long long)j->ids[i], j->owner);
            return 1;
        }
        j->renewed += (size_t)changed;
    }
    return 0;
}

/* ---- replays --------------------------------------------------------------------------- */

int sti_apply_replay(sti_conn *c, sti_job *j, char *err, size_t errlen)
{
    STMT(SQL_ACTION_REPLAY);
    int b = sqlite3_bind_int64(st, 1, j->action_id) | sqlite3_bind_int64(st, 2, j->now_ms);
    if (run(c, st, b, "replaying an action", err, errlen) != 0)
        return -1;
    j->replayed = sqlite3_changes(c->db) == 1;
    return 0;
}
