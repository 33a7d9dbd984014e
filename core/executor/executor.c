/*
 * executor - the public calls and the thread that runs the curl multi loop.
 */
#include "config.h"

#include "executor.h"

#include "clock.h"
#include "queue.h"
#include "reqlog.h"
#include "result.h"
#include "transfer.h"

#include "host/host.h"
#include "log/log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

/* Free a finished job's slot, report it, free it.  Executor thread, lock not held. */
static void job_finish(executor *ex, ex_job *job, ex_result *res)
{
    double now = ex_now_ms();
    res->sent = job->started_ms > 0.0;
    if (job->started_ms > 0.0) {
        res->queued_ms = job->started_ms - job->submitted_ms;
        res->elapsed_ms = now - job->started_ms;
    } else {
        res->queued_ms = now - job->submitted_ms;
    }
    if (job->counted) {
        pthread_mutex_lock(&ex->mu);
        job->queue->in_flight--;
        pthread_mutex_unlock(&ex->mu);
    }
    ex_log_request(job->queue->name, job->req, res);
    if (job->done != NULL)
        job->done(job->arg, job->req, res);
    ext_cleanup(ex, job);
    host_request_free(job->req);
    free(job);
}

static void active_add(executor *ex, ex_job *job)
{
    job->prev = NULL;
    job->next = ex->active;
    if (ex->active != NULL)
        ex->active->prev = job;
    ex->active = job;
}

static void active_remove(executor *ex, ex_job *job)
{
    if (job->prev != NULL)
        job->prev->next = job->next;
    else
        ex->active = job->next;
    if (job->next != NULL)
        job->next->prev = job->prev;
    job->next = job->prev = NULL;
}

/* Complete a job that never started: nothing left for the remote. */
static void finish_unsent(executor *ex, ex_job *job, const char *why)
{
    ex_result res;
    ex_result_init(&res);
    ex_result_set(&res, EX_CANCELLED, "%s", why);
    job_finish(ex, job, &res);
}

/*
 * Start the jobs of `list` (ready ones and answered gates); 1 when one of them already
 * finished (slots were freed).  A gated job is not started here the first time: its gate
 * is asked, and the job comes back through ex->opened with the answer.
 */
static int start_jobs(executor *ex, ex_job *list)
{
    int finished = 0;
    while (list != NULL) {
        ex_job *job = list;
        list = job->next;
        job->next = NULL;
        if (job->gate != NULL && !job->gate_asked) {
            job->gate_asked = 1;
            pthread_mutex_lock(&ex->mu);
            ex->gated++;
            pthread_mutex_unlock(&ex->mu);
            job->gate(job->arg, job);
            continue;
        }
        if (job->gate != NULL && !job->gate_go) {
            finish_unsent(ex, job, "not started: its submitter could not record the start");
            finished = 1;
            continue;
        }
        job->started_ms = ex_now_ms();
        ex_result res;
        if (ext_start(ex, job, &res) == 0) {
            active_add(ex, job);
        } else {
            job_finish(ex, job, &res);
            finished = 1;
        }
    }
    return finished;
}

/* Report the transfers curl has finished; 1 when there was any. */
static int drain_messages(executor *ex)
{
    int any = 0, left;
    CURLMsg *msg;
    while ((msg = curl_multi_info_read(ex->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        CURLcode rc = msg->data.result; /* msg is invalid after remove_handle */
        if (priv == NULL)
            continue;
        ex_job *job = (ex_job *)(void *)priv;
        active_remove(ex, job);
        ex_result res;
        ext_result(job, rc, &res);
        job_finish(ex, job, &res);
        any = 1;
    }
    return any;
}

/* Shutdown: abort transfers in flight, then cancel everything still waiting. */
static void cancel_all(executor *ex)
{
    while (ex->active != NULL) {
        ex_job *job = ex->active;
        active_remove(ex, job);
        ext_cleanup(ex, job); /* removes the easy handle: the transfer is aborted */
        ex_result res;
        ex_result_init(&res);
        ex_result_set(&res, EX_CANCELLED, "executor stopped while the request was in flight");
        job_finish(ex, job, &res);
    }
    pthread_mutex_lock(&ex->mu);
    ex_job *list = exq_take_all(ex);
    pthread_mutex_unlock(&ex->mu);
    for (;;) {
        while (list != NULL) {
            ex_job *job = list;
            list = job->next;
            finish_unsent(ex, job, "executor stopped before the request started");
        }
        /* Gates still asked answer from other threads (the store's writer): wait for them,
         * ex_gate_open must not touch a freed executor. */
        pthread_mutex_lock(&ex->mu);
        while (ex->opened == NULL && ex->gated > 0)
            pthread_cond_wait(&ex->gate_cv, &ex->mu);
        list = ex->opened;
        ex->opened = NULL;
        pthread_mutex_unlock(&ex->mu);
        if (list == NULL)
            return;
    }
}

static void *ex_loop(void *arg)
{
    executor *ex = arg;
    for (;;) {
        double wait_ms = EX_IDLE_WAIT_MS;
        pthread_mutex_lock(&ex->mu);
        int stop = ex->stopping;
        ex_job *opened = stop ? NULL : ex->opened;
        if (!stop)
            ex->opened = NULL;
        ex_job *ready = stop ? NULL : exq_take_ready(ex, ex_now_ms(), &wait_ms);
        pthread_mutex_unlock(&ex->mu);
        if (stop)
            break;
        int progress = start_jobs(ex, opened);
        progress |= start_jobs(ex, ready);
        int running = 0;
        CURLMcode mc = curl_multi_perform(ex->multi, &running);
        progress |= drain_messages(ex);
        if (progress)
            continue; /* slots were freed: look at the queues again before sleeping */
        int timeout = wait_ms > 0 ? (int)wait_ms : 0;
        if (timeout < wait_ms)
            timeout++; /* round up: waking before the token is there would spin */
        if (mc == CURLM_OK)
            mc = curl_multi_poll(ex->multi, NULL, 0, timeout, NULL);
        if (mc != CURLM_OK) {
            log_error("executor: curl multi: %s", curl_multi_strerror(mc));
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    cancel_all(ex);
    return NULL;
}

int ex_create(executor **out, char *err, size_t errlen)
{
    *out = NULL;
    executor *ex = calloc(1, sizeof(*ex));
    if (ex == NULL) {
        set_err(err, errlen, "executor: out of memory");
        return -1;
    }
    if (pthread_mutex_init(&ex->mu, NULL) != 0) {
        set_err(err, errlen, "executor: cannot create a mutex");
        free(ex);
        return -1;
    }
    if (pthread_cond_init(&ex->gate_cv, NULL) != 0) {
        set_err(err, errlen, "executor: cannot create a condition variable");
        pthread_mutex_destroy(&ex->mu);
        free(ex);
        return -1;
    }
    ex->multi = curl_multi_init();
    ex->share = curl_share_init();
    if (ex->multi == NULL || ex->share == NULL ||
        curl_share_setopt(ex->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        set_err(err, errlen, "executor: cannot create the curl handles (curl_global_init?)");
        curl_share_cleanup(ex->share);
        curl_multi_cleanup(ex->multi);
        pthread_cond_destroy(&ex->gate_cv);
        pthread_mutex_destroy(&ex->mu);
        free(ex);
        return -1;
    }
    /* The thread blocks every signal: they are main's business. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&ex->thread, NULL, ex_loop, ex);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "executor: cannot start the thread: %s", strerror(rc));
        curl_share_cleanup(ex->share);
        curl_multi_cleanup(ex->multi);
        pthread_cond_destroy(&ex->gate_cv);
        pthread_mutex_destroy(&ex->mu);
        free(ex);
        return -1;
    }
    *out = ex;
    return 0;
}

void ex_destroy(executor *ex)
{
    if (ex == NULL)
        return;
    if (pthread_equal(pthread_self(), ex->thread)) {
        log_error("executor: ex_destroy called from a completion callback; ignored");
        return;
    }
    pthread_mutex_lock(&ex->mu);
    ex->stopping = 1;
    pthread_mutex_unlock(&ex->mu);
    curl_multi_wakeup(ex->multi);
    pthread_join(ex->thread, NULL);
    exq_free_all(ex);
    curl_multi_cleanup(ex->multi);
    curl_share_cleanup(ex->share); /* after every easy handle is gone */
    pthread_cond_destroy(&ex->gate_cv);
    pthread_mutex_destroy(&ex->mu);
    free(ex);
}

int ex_queue_set(executor *ex, const char *name, const ex_limits *limits)
{
    ex_limits lim;
    if (ex == NULL || name == NULL || *name == '\0' || exq_resolve_limits(limits, &lim) != 0)
        return -1;
    int warn = 0;
    pthread_mutex_lock(&ex->mu);
    int rc = ex->stopping ? -1 : exq_set(ex, name, &lim, &warn);
    pthread_mutex_unlock(&ex->mu);
    if (rc != 0)
        return -1;
    if (warn)
        log_warn("executor: queue '%s' has insecure_tls set: TLS certificates and host names "
                 "are NOT verified", name);
    curl_multi_wakeup(ex->multi); /* new limits may let waiting jobs start */
    return 0;
}

int ex_submit(executor *ex, const char *name, oh_request *req, ex_done_fn done, void *arg)
{
    return ex_submit_gated(ex, name, req, NULL, done, arg);
}

void ex_gate_open(executor *ex, ex_ticket *ticket, int go)
{
    pthread_mutex_lock(&ex->mu);
    ticket->gate_go = go != 0;
    ticket->next = ex->opened;
    ex->opened = ticket;
    ex->gated--;
    pthread_cond_signal(&ex->gate_cv);
    /* Under the lock: once it is released, ex_destroy may free the multi handle. */
    curl_multi_wakeup(ex->multi);
    pthread_mutex_unlock(&ex->mu);
}

int ex_submit_gated(executor *ex, const char *name, oh_request *req, ex_gate_fn gate,
                    ex_done_fn done, void *arg)
{
    if (req == NULL)
        return -1;
    ex_job *job = ex != NULL && name != NULL ? calloc(1, sizeof(*job)) : NULL;
    if (job == NULL) {
        host_request_free(req);
        return -1;
    }
    job->req = req;
    job->gate = gate;
    job->done = done;
    job->arg = arg;
    job->submitted_ms = ex_now_ms();
    pthread_mutex_lock(&ex->mu);
    int stopping = ex->stopping;
    ex_queue *q = stopping ? NULL : exq_find(ex, name);
    if (q != NULL)
        exq_push(q, job);
    pthread_mutex_unlock(&ex->mu);
    if (q == NULL) {
        log_warn("executor: request for queue '%s' refused: %s", name,
                 stopping ? "stopping" : "no such queue");
        host_request_free(req);
        free(job);
        return -1;
    }
    curl_multi_wakeup(ex->multi);
    return 0;
}

size_t ex_queue_room(executor *ex, const char *name)
{
    if (ex == NULL || name == NULL)
        return 0;
    size_t room = 0;
    pthread_mutex_lock(&ex->mu);
    ex_queue *q = exq_find(ex, name);
    if (q != NULL) {
        size_t cap = 2 * (size_t)q->lim.concurrency, used = q->waiting + q->in_flight;
        room = used < cap ? cap - used : 0;
    }
    pthread_mutex_unlock(&ex->mu);
    return room;
}

int ex_queue_stats(executor *ex, const char *name, size_t *waiting, size_t *in_flight)
{
    if (ex == NULL || name == NULL)
        return -1;
    pthread_mutex_lock(&ex->mu);
    ex_queue *q = exq_find(ex, name);
    if (q != NULL) {
        if (waiting != NULL)
            *waiting = q->waiting;
        if (in_flight != NULL)
            *in_flight = q->in_flight;
    }
    pthread_mutex_unlock(&ex->mu);
    return q != NULL ? 0 : -1;
}
