#include "config.h"

#include "writer.h"

#include "apply.h"
#include "check.h"
#include "claim.h"
#include "conn.h"
#include "health.h"
#include "kv.h"
#include "store/records.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The writer thread owns the write connection.  It takes up to max_batch jobs off the
 * queue, runs them in ONE transaction (BEGIN IMMEDIATE ... COMMIT, one fsync), each inside
 * its own savepoint so a failing job is rolled back alone, then reports every job in queue
 * order.  While it commits, new jobs pile up: the next batch takes them all, so the batch
 * size follows the load without any timer.
 */

/* ---- one job --------------------------------------------------------------------------- */

/* Undo what a job wrote into caller memory: it did not commit. */
static void unwind(sti_job *j)
{
    switch (j->kind) {
    case JOB_UNIT:
        sti_unit_unwind(j->unit, j->old_version);
        break;
    case JOB_CLAIM:
        st_actions_free(j->claimed, j->claimed_count);
        j->claimed = NULL;
        j->claimed_count = 0;
        break;
    case JOB_TIMER_CLAIM:
        st_timers_free(j->timers, j->timer_count);
        j->timers = NULL;
        j->timer_count = 0;
        break;
    case JOB_REPLAY:
        j->replayed = 0;
        break;
    case JOB_KV:
        j->kv_full = 0;
        break;
    case JOB_LEASE:
        j->renewed = 0;
        break;
    }
}

/* Fail a job that had succeeded (or not run) because its transaction did not commit. */
static void fail_job(sti_job *j, const char *why)
{
    if (j->rc != 0)
        return; /* keeps its own error */
    j->rc = -1;
    sti_err(j->err, sizeof(j->err), "%s", why);
    unwind(j);
}

/* Run one job in its savepoint; *fault = 1 when it failed because of the file or the
 * disk (sti_is_fault), not because of the unit itself. */
static void run_job(sti_conn *c, sti_job *j, int *fault)
{
    *fault = 0;
    char scratch[ST_ERROR_MAX];
    j->rc = 0;
    j->err[0] = '\0';
    if (sti_exec(c, SQL_SAVEPOINT, j->err, sizeof(j->err)) != 0) {
        j->rc = -1;
        return;
    }
    int rc = j->kind == JOB_UNIT    ? sti_apply_unit(c, j->unit, j->err, sizeof(j->err))
             : j->kind == JOB_CLAIM ? sti_apply_claim(c, j, j->err, sizeof(j->err))
             : j->kind == JOB_LEASE ? sti_apply_lease(c, j, j->err, sizeof(j->err))
             : j->kind == JOB_TIMER_CLAIM ? sti_apply_timer_claim(c, j, j->err, sizeof(j->err))
             : j->kind == JOB_KV    ? sti_apply_kv(c, j, j->err, sizeof(j->err))
                                    : sti_apply_replay(c, j, j->err, sizeof(j->err));
    if (rc == 0 && sti_exec(c, SQL_RELEASE, j->err, sizeof(j->err)) == 0)
        return;
    /* Read before the rollback below replaces the connection's last error. */
    *fault = sti_is_fault(sqlite3_extended_errcode(c->db));
    j->rc = rc != 0 ? rc : -1;
    unwind(j);
    /* An I/O or memory error may already have rolled the whole transaction back. */
    if (!sqlite3_get_autocommit(c->db) &&
        (sti_exec(c, SQL_ROLLBACK_TO, scratch, sizeof(scratch)) != 0 ||
         sti_exec(c, SQL_RELEASE, scratch, sizeof(scratch)) != 0))
        sti_exec(c, SQL_ROLLBACK, scratch, sizeof(scratch));
}

/* ---- one batch ------------------------------------------------------------------------- */

static void fail_all(sti_job *first, const char *why)
{
    for (sti_job *j = first; j != NULL; j = j->next)
        fail_job(j, why);
}

/* A batch that failed because of the file or the disk: /healthz says so until one
 * commits again. */
static void note_fault(store_impl *s, const char *what, const char *why)
{
    char text[ST_ERROR_MAX];
    snprintf(text, sizeof(text), "%s: %s", what, why);
    sti_health_write(s, text);
}

/* Run the jobs first..NULL in one transaction; 1 when it committed. */
static int run_batch(store_impl *s, sti_job *first)
{
    sti_conn *c = s->wconn;
    char why[ST_ERROR_MAX];
    int fault = 0;
    for (sti_job *j = first; j != NULL; j = j->next)
        j->rc = 0;
    if (sti_exec(c, SQL_BEGIN, why, sizeof(why)) != 0) {
        if (sti_is_fault(sqlite3_extended_errcode(c->db)))
            note_fault(s, "starting a write transaction", why);
        fail_all(first, why);
        return 0;
    }
    for (sti_job *j = first; j != NULL; j = j->next) {
        int job_fault;
        run_job(c, j, &job_fault);
        if (job_fault && !fault) {
            fault = 1;
            note_fault(s, "writing", j->err);
        }
        if (sqlite3_get_autocommit(c->db)) {
            sti_err(why, sizeof(why), "the batch was rolled back by another unit's error: %s",
                    j->err);
            fail_all(first, why);
            return 0;
        }
    }
    if (sti_exec(c, SQL_COMMIT, why, sizeof(why)) != 0) {
        char scratch[ST_ERROR_MAX];
        if (sti_is_fault(sqlite3_extended_errcode(c->db)))
            note_fault(s, "committing", why);
        if (!sqlite3_get_autocommit(c->db))
            sti_exec(c, SQL_ROLLBACK, scratch, sizeof(scratch));
        fail_all(first, why);
        return 0;
    }
    if (!fault)
        sti_health_write(s, NULL);
    return 1;
}

/* Report every job of the batch in queue order; frees store_submit's jobs. */
static void finish_batch(store_impl *s, sti_job *first, int committed)
{
    uint64_t ok = 0;
    for (sti_job *j = first; j != NULL; j = j->next)
        ok += j->kind == JOB_UNIT && j->rc == 0;
    pthread_mutex_lock(&s->mu);
    s->units_ok += ok;
    s->batches += (uint64_t)committed;
    pthread_mutex_unlock(&s->mu);

    sti_job *next;
    for (sti_job *j = first; j != NULL; j = next) {
        next = j->next; /* j is gone once reported */
        if (j->kind == JOB_UNIT && j->unit->done != NULL)
            j->unit->done(j->unit->arg, j->rc, j->rc != 0 ? j->err : NULL);
        if (j->kind == JOB_LEASE && j->lease_done != NULL)
            j->lease_done(j->lease_arg, j->rc, j->rc != 0 ? j->err : NULL);
        if (j->waiter) {
            pthread_mutex_lock(&s->mu);
            j->finished = 1;
            pthread_cond_signal(&j->cv);
            pthread_mutex_unlock(&s->mu);
        } else {
            free(j);
        }
    }
}

/* Detach up to max_batch jobs from the queue; NULL when closing with nothing left. */
#define GATHER_US 300     /* longest wait for more units when few are queued */
#define GATHER_ENOUGH 32  /* this many queued units are worth a commit at once */

static size_t queued(const store_impl *s)
{
    size_t n = 0;
    for (const sti_job *j = s->head; j != NULL && n < GATHER_ENOUGH; j = j->next)
        n++;
    return n;
}

static sti_job *take_batch(store_impl *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->head == NULL && !s->closing)
        pthread_cond_wait(&s->wake, &s->mu);
    /*
     * Group commit's other half: when only a few units wait, give the next ones a moment
     * to arrive (at most GATHER_US) so one fsync serves more of them.  Under a trickle the
     * cost is that moment of latency; under load the batch fills and nobody waits.
     */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += GATHER_US * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (!s->closing && queued(s) < GATHER_ENOUGH &&
           pthread_cond_timedwait(&s->wake, &s->mu, &until) == 0)
        ;
    sti_job *first = s->head, *last = first;
    for (size_t n = 1; last != NULL && n < s->max_batch && last->next != NULL; n++)
        last = last->next;
    if (last != NULL) {
        s->head = last->next;
        if (s->head == NULL)
            s->tail = NULL;
        last->next = NULL;
    }
    pthread_mutex_unlock(&s->mu);
    return first;
}

static void *writer_main(void *arg)
{
    store_impl *s = arg;
    sti_job *batch;
    while ((batch = take_batch(s)) != NULL)
        finish_batch(s, batch, run_batch(s, batch));
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------- */

int sti_writer_start(store_impl *s, char *err, size_t errlen)
{
    /* The writer never handles signals: they go to the daemon's own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->writer, NULL, writer_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        sti_err(err, errlen, "cannot start the writer thread: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void sti_writer_stop(store_impl *s)
{
    pthread_mutex_lock(&s->mu);
    s->closing = 1;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->writer, NULL);
}
