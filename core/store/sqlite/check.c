#include "config.h"

#include "check.h"

#include "conn.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Integrity: PRAGMA quick_check at open (sqlite.c) and on demand (store_check), whose
 * outcome goes to the health that /healthz reports (health.c).
 */

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sti_is_fault(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
        return 1;
    default:
        return 0;
    }
}

/* Append `text` to buf (used bytes in *used), "; " between entries, newlines flattened:
 * the problems end up in one log line and one JSON string. */
static void append_problem(char *buf, size_t len, size_t *used, const char *text)
{
    if (*used >= len)
        return;
    int n = snprintf(buf + *used, len - *used, "%s%s", *used > 0 ? "; " : "", text);
    if (n < 0)
        return;
    size_t end = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
    for (size_t i = *used; i < end; i++) {
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    }
    *used = end;
}

int sti_quick_check(sqlite3 *db, char *problems, size_t plen, char *err, size_t errlen)
{
    size_t used = 0;
    problems[0] = '\0';
    char sql[48];
    snprintf(sql, sizeof(sql), "PRAGMA quick_check(%d)", ST_CHECK_PROBLEMS);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    int found = 0;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            break;
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line != NULL && strcmp(line, "ok") == 0)
            continue;
        found = 1;
        append_problem(problems, plen, &used, line != NULL ? line : "(unreadable)");
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        /* A damaged schema page fails the pragma itself: that is a finding too.  An
         * interrupt or lack of memory is not: the check did not run. */
        if (sti_is_fault(sqlite3_extended_errcode(db))) {
            found = 1;
            append_problem(problems, plen, &used, sqlite3_errmsg(db));
        } else {
            sti_sqlerr(err, errlen, db, "PRAGMA quick_check");
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    return found;
}

/* ---- on demand ------------------------------------------------------------------------ */

/* Claim the right to check: 0, ST_EBUSY, or -1 when the store is closing. */
static int check_begin(store_impl *s, char *err, size_t errlen)
{
    int rc = 0;
    pthread_mutex_lock(&s->health_mu);
    if (s->check_closed) {
        sti_err(err, errlen, "the store is closing");
        rc = -1;
    } else if (s->checking) {
        sti_err(err, errlen, "a store check is already running");
        rc = ST_EBUSY;
    } else {
        s->checking = 1;
    }
    pthread_mutex_unlock(&s->health_mu);
    return rc;
}

/* Record the outcome (rc 0 or 1; -1 leaves the last outcome) and let store_close go on. */
static void check_end(store_impl *s, int rc, const char *problems, int64_t took_ms)
{
    pthread_mutex_lock(&s->health_mu);
    s->check_conn = NULL;
    if (rc >= 0) {
        s->check_state = rc == 0 ? ST_CHECK_PASSED : ST_CHECK_FAILED;
        s->check_at_ms = clock_ms(CLOCK_REALTIME);
        s->check_took_ms = took_ms;
        snprintf(s->check_error, sizeof(s->check_error), "%s", rc == 0 ? "" : problems);
    }
    s->checking = 0;
    pthread_cond_broadcast(&s->check_over);
    pthread_mutex_unlock(&s->health_mu);
}

int sqlite_store_check(store_impl *s, char *problems, size_t plen, int64_t *took_ms, char *err,
                size_t errlen)
{
    if (took_ms != NULL)
        *took_ms = 0;
    if (s == NULL || problems == NULL || plen == 0) {
        sti_err(err, errlen, "store_check: no store or no problems buffer");
        return -1;
    }
    problems[0] = '\0';
    int rc = check_begin(s, err, errlen);
    if (rc != 0)
        return rc;
    /* A connection of its own, never pooled: store_check_cancel interrupts this one only. */
    sti_conn *c = NULL;
    int64_t took = 0;
    rc = sti_conn_open(s->path, 0, &c, err, errlen);
    if (rc == 0) {
        pthread_mutex_lock(&s->health_mu);
        s->check_conn = c;
        int closing = s->check_closed;
        pthread_mutex_unlock(&s->health_mu);
        if (closing) {
            sti_err(err, errlen, "the store is closing");
            rc = -1;
        } else {
            int64_t t0 = clock_ms(CLOCK_MONOTONIC);
            rc = sti_quick_check(c->db, problems, plen, err, errlen);
            took = clock_ms(CLOCK_MONOTONIC) - t0;
        }
    }
    check_end(s, rc, problems, took);
    sti_conn_close(c);
    if (took_ms != NULL)
        *took_ms = took;
    return rc;
}

void sqlite_store_check_cancel(store_impl *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->health_mu);
    if (s->check_conn != NULL)
        sqlite3_interrupt(s->check_conn->db);
    pthread_mutex_unlock(&s->health_mu);
}
