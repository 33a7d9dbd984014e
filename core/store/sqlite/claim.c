#include "config.h"

#include "claim.h"

#include "conn.h"
#include "records.h"
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

/*
 * claim - the writer-side jobs that are not units: claiming due actions and timers with a
 * lease, marking actions sent and renewing their leases, replaying dead actions.  Each runs
 * in its own savepoint of the writer's BEGIN IMMEDIATE transaction (writer.c), which is
 * what makes a claim atomic between threads and between processes.
 */

/* ---- claims ---------------------------------------------------------------------------- */

/* The due actions `sql` selects, at most max: *out (st_actions_free) and *n. */
static int claim_select(sti_conn *c, sti_job *j, sti_sql sql, size_t max, st_action **out,
                        size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    if (max == 0)
        return 0;
    STI_STMT(sql);
    int64_t limit = max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
    int b = sqlite3_bind_int64(st, 1, j->now_ms) | sqlite3_bind_int64(st, 2, limit);
    if (j->instance != NULL)
        b |= sti_bind_text(st, 3, j->instance);
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
                                 : claim_select(c, j, SQL_CLAIM_SELECT, j->max, &a, &n, err,
                                                errlen);
    if (rc != 0)
        return -1;
    sqlite3_stmt *st;
    int b;
    for (size_t i = 0; i < n; i++) {
        if ((st = sti_stmt(c, SQL_CLAIM_UPDATE, err, errlen)) == NULL) {
            st_actions_free(a, n);
            return -1;
        }
        b = sqlite3_bind_int64(st, 1, a[i].id) | sti_bind_text(st, 2, j->owner) |
            sqlite3_bind_int64(st, 3, until);
        if (sti_run(c, st, b, "leasing an action", err, errlen) != 0) {
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

/* ---- timers --------------------------------------------------------------------------- */

/*
 * Due timers not leased (or whose lease ran out) are leased to j->owner until now +
 * lease_ms.  The unit that fires one deletes it by id; a timer replaced meanwhile is a new
 * row with a new id and no lease, so the old claim can neither fire nor delete it.
 */
int sti_apply_timer_claim(sti_conn *c, sti_job *j, char *err, size_t errlen)
{
    int64_t until = j->lease_ms > INT64_MAX - j->now_ms ? INT64_MAX : j->now_ms + j->lease_ms;
    int64_t limit = j->max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)j->max;
    sqlite3_stmt *st = sti_stmt(c, SQL_TIMER_CLAIM_SELECT, err, errlen);
    if (st == NULL)
        return -1;
    if ((sqlite3_bind_int64(st, 1, j->now_ms) | sqlite3_bind_int64(st, 2, limit)) != SQLITE_OK) {
        sti_end(st);
        return sti_sqlerr(err, errlen, c->db, "claiming timers");
    }
    void *rows = NULL;
    size_t n = 0;
    if (sti_rows(c, st, REC_TIMER, &rows, &n, err, errlen) != 0)
        return -1;
    st_timer *t = rows;
    for (size_t i = 0; i < n; i++) {
        if ((st = sti_stmt(c, SQL_TIMER_CLAIM_UPDATE, err, errlen)) == NULL) {
            st_timers_free(t, n);
            return -1;
        }
        int b = sqlite3_bind_int64(st, 1, t[i].id) | sti_bind_text(st, 2, j->owner) |
                sqlite3_bind_int64(st, 3, until);
        if (sti_run(c, st, b, "leasing a timer", err, errlen) != 0) {
            st_timers_free(t, n);
            return -1;
        }
        strcpy(t[i].lease_owner, j->owner); /* length checked by store_timers_claim */
        t[i].lease_until_ms = until;
    }
    j->timers = t;
    j->timer_count = n;
    return 0;
}

/* ---- leases ---------------------------------------------------------------------------- */

int sti_apply_lease(sti_conn *c, sti_job *j, char *err, size_t errlen)
{
    j->renewed = 0;
    for (size_t i = 0; i < j->id_count; i++) {
        STI_STMT(j->mark_sent ? SQL_ACTION_SENDING : SQL_ACTION_RENEW);
        int b = sqlite3_bind_int64(st, 1, j->ids[i]) | sti_bind_text(st, 2, j->owner) |
                sqlite3_bind_int64(st, 3, j->until_ms);
        if (sti_run(c, st, b, j->mark_sent ? "marking an action sent" : "renewing a lease", err,
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
    STI_STMT(SQL_ACTION_REPLAY);
    int b = sqlite3_bind_int64(st, 1, j->action_id) | sqlite3_bind_int64(st, 2, j->now_ms);
    if (sti_run(c, st, b, "replaying an action", err, errlen) != 0)
        return -1;
    j->replayed = sqlite3_changes(c->db) == 1;
    return 0;
}
