#include "config.h"

#include "submit.h"

#include "conn.h"
#include "reads.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Queuing jobs for the writer thread (writer.c), which takes them off s->head in batches.
 * A job is only data (sti_job): the writer runs each kind, so this file knows nothing of
 * how any job is applied.
 */

static int enqueue(store_impl *s, sti_job *j)
{
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return -1;
    }
    j->next = NULL;
    if (s->tail != NULL)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

int sti_enqueue_wait(store_impl *s, sti_job *j, char *err, size_t errlen)
{
    if (pthread_equal(pthread_self(), s->writer)) {
        sti_err(err, errlen, "called from a done callback (the writer thread): would deadlock");
        return -1;
    }
    int rc = pthread_cond_init(&j->cv, NULL);
    if (rc != 0) {
        sti_err(err, errlen, "cannot wait for the writer: %s", strerror(rc));
        return -1;
    }
    j->waiter = 1;
    if (enqueue(s, j) != 0) {
        pthread_cond_destroy(&j->cv);
        sti_err(err, errlen, "the store is closing");
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    while (!j->finished)
        pthread_cond_wait(&j->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    pthread_cond_destroy(&j->cv);
    return 0;
}

int sti_run_job(store_impl *s, sti_job *j, char *err, size_t errlen)
{
    if (sti_enqueue_wait(s, j, err, errlen) != 0)
        return -1;
    if (j->rc != 0) {
        sti_err(err, errlen, "%s", j->err);
        return -1;
    }
    return 0;
}

int sqlite_store_submit(store_impl *s, st_unit *u)
{
    if (s == NULL || u == NULL)
        return -1;
    sti_job *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return -1;
    j->kind = JOB_UNIT;
    j->unit = u;
    j->old_version = u->order != NULL ? u->order->version : 0;
    if (enqueue(s, j) != 0) {
        free(j);
        return -1;
    }
    return 0;
}

int sqlite_store_commit(store_impl *s, st_unit *u, char *err, size_t errlen)
{
    if (s == NULL || u == NULL) {
        sti_err(err, errlen, "store_commit: no store or no unit");
        return -1;
    }
    sti_job j;
    memset(&j, 0, sizeof(j));
    j.kind = JOB_UNIT;
    j.unit = u;
    j.old_version = u->order != NULL ? u->order->version : 0;
    if (sti_enqueue_wait(s, &j, err, errlen) != 0)
        return -1;
    if (j.rc != 0)
        sti_err(err, errlen, "%s", j.err);
    return j.rc;
}

int sqlite_store_actions_claim_for(store_impl *s, int64_t now_ms, const char *owner,
                                   int64_t lease_ms,
                            const char *instance, size_t max, st_action **out, size_t *count,
                            char *err, size_t errlen)
{
    if (out != NULL)
        *out = NULL;
    if (count != NULL)
        *count = 0;
    if (s == NULL || out == NULL || count == NULL || owner == NULL || *owner == '\0' ||
        strlen(owner) >= ST_ID_MAX || lease_ms < 0) {
        sti_err(err, errlen, "store_actions_claim: bad arguments (owner must be 1..%d bytes, "
                "lease_ms >= 0)", ST_ID_MAX - 1);
        return -1;
    }
    if (max == 0)
        return 0;
    sti_job j;
    memset(&j, 0, sizeof(j));
    j.kind = JOB_CLAIM;
    j.now_ms = now_ms;
    j.owner = owner;
    j.instance = instance;
    j.lease_ms = lease_ms;
    j.max = max;
    if (sti_run_job(s, &j, err, errlen) != 0)
        return -1;
    *out = j.claimed;
    *count = j.claimed_count;
    return 0;
}

int sqlite_store_timers_claim(store_impl *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                       size_t max, st_timer **out, size_t *count, char *err, size_t errlen)
{
    if (out != NULL)
        *out = NULL;
    if (count != NULL)
        *count = 0;
    if (s == NULL || out == NULL || count == NULL || owner == NULL || *owner == '\0' ||
        strlen(owner) >= ST_ID_MAX || lease_ms < 0) {
        sti_err(err, errlen, "store_timers_claim: bad arguments (owner must be 1..%d bytes, "
                "lease_ms >= 0)", ST_ID_MAX - 1);
        return -1;
    }
    int any = max > 0 ? sti_timers_claimable(s, now_ms, err, errlen) : 0;
    if (any <= 0)
        return any; /* nothing due: no write transaction (the claim re-checks in its own) */
    sti_job j;
    memset(&j, 0, sizeof(j));
    j.kind = JOB_TIMER_CLAIM;
    j.now_ms = now_ms;
    j.owner = owner;
    j.lease_ms = lease_ms;
    j.max = max;
    if (sti_run_job(s, &j, err, errlen) != 0)
        return -1;
    *out = j.timers;
    *count = j.timer_count;
    return 0;
}

static int lease_args_ok(const int64_t *ids, size_t n, const char *owner)
{
    return ids != NULL && n > 0 && owner != NULL && *owner != '\0' &&
           strlen(owner) < ST_ID_MAX;
}

int sqlite_store_actions_sending(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                          int64_t until_ms, st_lease_fn done, void *arg)
{
    if (s == NULL || !lease_args_ok(ids, n, owner) || n > SIZE_MAX / sizeof(*ids))
        return -1;
    /* One block: the job, its copy of the owner, its copy of the ids (freed together). */
    size_t olen = strlen(owner) + 1;
    sti_job *j = calloc(1, sizeof(*j) + n * sizeof(*ids) + olen);
    if (j == NULL)
        return -1;
    int64_t *copy = (int64_t *)(void *)(j + 1);
    memcpy(copy, ids, n * sizeof(*ids));
    char *owner_copy = (char *)(copy + n);
    memcpy(owner_copy, owner, olen);
    j->kind = JOB_LEASE;
    j->ids = copy;
    j->id_count = n;
    j->owner = owner_copy;
    j->until_ms = until_ms;
    j->mark_sent = 1;
    j->lease_done = done;
    j->lease_arg = arg;
    if (enqueue(s, j) != 0) {
        free(j);
        return -1;
    }
    return 0;
}

int sqlite_store_actions_renew(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                        int64_t until_ms, size_t *renewed, char *err, size_t errlen)
{
    if (renewed != NULL)
        *renewed = 0;
    if (s == NULL || !lease_args_ok(ids, n, owner)) {
        sti_err(err, errlen, "store_actions_renew: bad arguments");
        return -1;
    }
    sti_job j;
    memset(&j, 0, sizeof(j));
    j.kind = JOB_LEASE;
    j.ids = ids;
    j.id_count = n;
    j.owner = owner;
    j.until_ms = until_ms;
    if (sti_run_job(s, &j, err, errlen) != 0)
        return -1;
    if (renewed != NULL)
        *renewed = j.renewed;
    return 0;
}

int sqlite_store_action_replay(store_impl *s, int64_t id, int64_t now_ms, char *err, size_t errlen)
{
    if (s == NULL) {
        sti_err(err, errlen, "store_action_replay: no store");
        return -1;
    }
    sti_job j;
    memset(&j, 0, sizeof(j));
    j.kind = JOB_REPLAY;
    j.action_id = id;
    j.now_ms = now_ms;
    if (sti_run_job(s, &j, err, errlen) != 0)
        return -1;
    return j.replayed ? 0 : 1;
}
