/*
 * dispatch - the dispatcher thread: claims due outbox actions from the store (with a
 * lease), has each action's kind adapter (ka.h) fill its inputs and build the request,
 * hands it to the executor, and hands the answer on to the order's worker, where the
 * adapter parses it and the action is settled in the same unit as its consequences.  It
 * also turns due timers into messages and renews the leases it holds.  It knows no plugin
 * kind: every kind goes through its adapter.
 */
#include "config.h"

#include "action_run.h"
#include "auth_step.h"
#include "ka.h"
#include "lease.h"
#include "track_batch.h"

#include "host/host.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLAIM_BATCH 64
#define POSTED_TIMERS 1024

/* ---- an answer: screened here (executor thread), parsed on the order's worker -------- */

static void parse_on_worker(void *arg, const ex_result *res)
{
    action_run *r = arg;
    r->ka->parse(r, res);
}

static void on_response(void *arg, const oh_request *req, const ex_result *res)
{
    (void)req;
    action_run *r = arg;
    r->retry_after_ms = res->retry_after_ms;
    if (!res->sent) {
        run_unsent(r, r->gate.refused, res->error);
        return;
    }
    if (res->outcome != EX_RESPONSE) {
        run_finish(r, ex_classify(res) == EX_RETRY ? OH_RETRY : OH_FAIL, NULL, NULL, res->error,
                   res->retry_after_ms);
        return;
    }
    if (res->response.status == 401 && r->auth_token != NULL) {
        /* An expired or revoked token: the next attempt fetches a new one.  Credentials
         * the remote refuses fail in the auth step itself, permanently. */
        auth_token_drop(r->inst, r->auth_token);
        run_finish(r, OH_RETRY, NULL, NULL, "remote refused the auth token (HTTP 401)",
                   res->retry_after_ms);
        return;
    }
    /* Payment and carrier plugins parse an API's answer: a portal's page is no such thing
     * even when the request named no Accept type (notifiers' receivers may answer HTML). */
    if (!r->ka->accepts_html && ex_is_html_answer(&res->response)) {
        run_finish(r, OH_RETRY, NULL, NULL, EX_HTML_ANSWER_ERROR, res->retry_after_ms);
        return;
    }
    /* The completion stays short (executor.h): the plugin's parse runs on the worker. */
    if (run_post_answer(r->e, r->a.order_id, parse_on_worker, r, res) != 0)
        run_finish(r, OH_RETRY, NULL, NULL, "out of memory keeping the answer",
                   res->retry_after_ms);
}

/* ---- running one claimed action ------------------------------------------------------ */

/* The executor is about to send the run's request: record that first (lease.c). */
static void run_gate(void *arg, ex_ticket *ticket)
{
    action_run *r = arg;
    r->gate.e = r->e;
    r->gate.ids = &r->a.id;
    r->gate.n = 1;
    lease_gate_ask(&r->gate, ticket);
}

/* With the instance's auth token (if its plugin has an auth step): build, then send. */
static void build_and_submit(void *arg, const char *token, int rc, const char *why)
{
    action_run *r = arg;
    if (rc != OH_OK) {
        run_finish(r, rc, NULL, NULL, why ? why : "auth step failed", -1);
        return;
    }
    oh_request *req = host_request_new();
    oh_error perr = {{0}};
    if (req != NULL)
        req->auth_token = token;
    rc = req ? r->ka->build(r, req, &perr) : oh_error_set(&perr, OH_RETRY, "out of memory");
    if (req != NULL)
        req->auth_token = NULL; /* the token lives in the cache, not in the request */
    if (rc == OH_STOP && r->ka->settle_stop != NULL && r->ka->settle_stop(r, &perr)) {
        host_request_free(req);
        run_finish(r, OH_OK, NULL, NULL, perr.message, -1);
        return;
    }
    if (rc != OH_OK || req->url == NULL) {
        host_request_free(req);
        run_finish(r, rc == OH_OK ? OH_FAIL : rc, NULL, NULL,
                    perr.message[0] ? perr.message : "plugin built no request", -1);
        return;
    }
    if (token != NULL && (r->auth_token = strdup(token)) == NULL) {
        host_request_free(req);
        run_finish(r, OH_RETRY, NULL, NULL, "out of memory", -1);
        return;
    }
    r->smtp = strncmp(req->url, "smtp", 4) == 0;
    /* The instance's queue was set when its generation was installed (hub.c). */
    if (ex_submit_gated(r->e->o.executor, r->inst->id, req, run_gate, on_response, r) != 0)
        run_finish(r, OH_RETRY, NULL, NULL, "executor refused the request", -1);
}

/* A claimed action made ready to send: NULL when it was settled (or skipped) here. */
static action_run *prepare_run(engine *e, st_action *a)
{
    /* Its lease ran out while this process still runs it: the claim renewed the lease. */
    if (!running_add(e, a->id)) {
        free(a->payload); /* the element only: the array is freed by the caller */
        return NULL;
    }
    action_run *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        running_remove(e, a->id);
        free(a->payload);
        return NULL; /* the lease expires and the action is claimed again */
    }
    r->e = e;
    r->a = *a; /* takes the payload */
    r->batch_size = 1;
    atomic_fetch_add(&e->actions_running, 1);
    r->gen = rt_holder_get(e->o.generations);
    if (r->a.attempts >= e->o.max_attempts) {
        /* Its earlier holders died mid-attempt: stop feeding it to new processes. */
        run_finish(r, OH_FAIL, NULL, NULL, "attempts exhausted by processes that stopped during "
               "them", -1);
        return NULL;
    }
    r->inst = r->gen ? rt_instance(r->gen, r->a.instance) : NULL;
    if (r->inst == NULL) {
        run_finish(r, OH_FAIL, NULL, NULL, "plugin instance is not in the configuration", -1);
        return NULL;
    }
    r->ka = ka_for(r->inst->module->desc.kind);
    if (r->ka == NULL) {
        run_finish(r, OH_FAIL, NULL, NULL, "operation is not run by this engine", -1);
        return NULL;
    }
    r->payload = json_loads(r->a.payload ? r->a.payload : "{}", 0, NULL);
    if (r->payload == NULL) {
        run_finish(r, OH_FAIL, NULL, NULL, "stored action is not JSON", -1);
        return NULL;
    }
    /* Only a kind that reads the order loads it (a tracking poll does not). */
    if (r->ka->needs_order(r)) {
        char err[512];
        st_order o;
        int rc = store_order_get(e->o.store, r->a.order_id, &o, err, sizeof(err));
        if (rc != 0) {
            run_finish(r, rc == 1 ? OH_FAIL : OH_RETRY, NULL, NULL,
                       rc == 1 ? "order is gone" : err, -1);
            return NULL;
        }
        r->order = json_loads(o.snapshot ? o.snapshot : "{}", 0, NULL);
        st_order_clear(&o);
        if (r->order == NULL) {
            run_finish(r, OH_FAIL, NULL, NULL, "stored order is not JSON", -1);
            return NULL;
        }
    }
    const char *why = NULL;
    if (r->ka->fill(r, &why) != 0) {
        run_finish(r, OH_RETRY, NULL, NULL, why, -1);
        return NULL;
    }
    return r;
}

static int batchable(const action_run *r)
{
    return r->ka->batchable != NULL && r->ka->batchable(r);
}

/*
 * Send what was claimed: track actions of a carrier that takes several numbers per
 * request go out together (track_batch.c), everything else one request each.
 */
static void run_actions(engine *e, st_action *a, size_t n)
{
    action_run **runs = calloc(n ? n : 1, sizeof(*runs));
    size_t nruns = 0;
    for (size_t i = 0; i < n; i++) {
        action_run *r = prepare_run(e, &a[i]);
        if (r == NULL)
            continue;
        if (runs != NULL && batchable(r))
            runs[nruns++] = r;
        else
            auth_token_get(e->o.executor, r->inst, build_and_submit, r);
    }
    /* Group by instance, keeping claim order within each group. */
    for (size_t i = 0; i < nruns; i++) {
        if (runs[i] == NULL)
            continue;
        const struct oh_instance *inst = runs[i]->inst;
        action_run **group = calloc(nruns - i, sizeof(*group));
        size_t ng = 0;
        for (size_t k = i; k < nruns; k++) {
            if (runs[k] != NULL && runs[k]->inst == inst) {
                if (group != NULL)
                    group[ng++] = runs[k];
                else
                    auth_token_get(e->o.executor, runs[k]->inst, build_and_submit, runs[k]);
                runs[k] = NULL;
            }
        }
        if (group != NULL)
            track_batch_run(e, group, ng);
        free(group);
    }
    free(runs);
}


/* ---- the loop ---------------------------------------------------------------------------- */

/*
 * Timers handed to a worker but not yet deleted by its unit are not posted again.  A timer
 * stays due until that unit commits, so an id leaves this set when it no longer shows up
 * among the due timers.  (Within one process: after a restart nothing was applied.)
 */
typedef struct posted_timers {
    int64_t id[POSTED_TIMERS];
    size_t count;
} posted_timers;

static int was_posted(const posted_timers *p, int64_t id)
{
    for (size_t i = 0; i < p->count; i++) {
        if (p->id[i] == id)
            return 1;
    }
    return 0;
}

static void poll_timers(engine *e, posted_timers *posted)
{
    st_timer *t = NULL;
    size_t n = 0;
    char err[512];
    /* Ask for every posted timer plus a batch of new ones, so none of ours is cut off. */
    if (store_timers_due(e->o.store, eng_now_ms(), posted->count + CLAIM_BATCH, &t, &n, err,
                         sizeof(err)) != 0) {
        log_error("timers: %s", err);
        return;
    }
    posted_timers still = {.count = 0};
    for (size_t i = 0; i < n; i++) {
        if (was_posted(posted, t[i].id)) {
            still.id[still.count++] = t[i].id;
            continue;
        }
        if (still.count + 1 >= POSTED_TIMERS)
            continue; /* the rest waits for the next round */
        eng_msg *m = eng_msg_new(MSG_TIMER, t[i].order_id);
        if (m == NULL)
            continue;
        m->timer_id = t[i].id;
        snprintf(m->timer_name, sizeof(m->timer_name), "%s", t[i].name);
        still.id[still.count++] = t[i].id;
        eng_post(e, m);
    }
    *posted = still;
    st_timers_free(t, n);
}

/* Claim up to `max` of `instance`'s due actions and expired leases, and send them. */
static size_t claim_and_run(engine *e, const char *instance, size_t max)
{
    st_action *a = NULL;
    size_t n = 0;
    char err[512];
    if (store_actions_claim_for(e->o.store, eng_now_ms(), e->owner, e->o.lease_ms, instance,
                                max, &a, &n, err, sizeof(err)) != 0) {
        log_error("actions: %s", err);
        return 0;
    }
    run_actions(e, a, n);
    free(a); /* each element's payload now belongs to its run */
    return n;
}

/*
 * Actions of instances a reload removed (or that a stopped process held for them): claimed
 * by name, a batch at a time, and dead-lettered by prepare_run (the instance is gone).
 */
static size_t claim_removed_instances(engine *e, const rt_gen *g)
{
    char **names = NULL;
    size_t n = 0, claimed = 0;
    char err[512];
    if (store_action_instances(e->o.store, &names, &n, err, sizeof(err)) != 0) {
        log_error("actions: %s", err);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (g == NULL || rt_instance(g, names[i]) == NULL)
            claimed += claim_and_run(e, names[i], CLAIM_BATCH);
    }
    st_strings_free(names, n);
    return claimed;
}

/*
 * Each instance gets as many of its due actions - expired leases of a stopped process
 * first - as its executor queue has room for, so a backlog (100,000 tracking polls due at
 * once, or everything a crashed process held) waits in the store, not in memory, never
 * delays another instance's actions, and is never claimed only to wait in a queue (where a
 * lease could run out for nothing).  Actions of removed instances are looked for once a
 * second.
 */
static size_t poll_actions(engine *e, int64_t *removed_at)
{
    size_t claimed = 0;
    rt_gen *g = rt_holder_get(e->o.generations);
    for (size_t i = 0; g != NULL && i < g->instance_count; i++) {
        const struct oh_instance *inst = &g->instances[i];
        if (inst->module->desc.kind == OH_KIND_FILTER)
            continue;
        size_t room = ex_queue_room(e->o.executor, inst->id);
        if (room > 0)
            claimed += claim_and_run(e, inst->id, room < CLAIM_BATCH ? room : CLAIM_BATCH);
    }
    int64_t now = eng_now_ms();
    if (now >= *removed_at) {
        *removed_at = now + 1000;
        claimed += claim_removed_instances(e, g);
    }
    rt_gen_unref(g);
    return claimed;
}

void *dispatch_main(void *arg)
{
    engine *e = arg;
    posted_timers *posted = calloc(1, sizeof(*posted));
    int64_t removed_at = 0, renew_at = eng_now_ms() + e->o.lease_ms / 3;
    pthread_mutex_lock(&e->lock);
    while (!e->stopping && posted != NULL) {
        pthread_mutex_unlock(&e->lock);
        /* A third of the lease: two renewals may be late (a slow commit) before it ends. */
        if (eng_now_ms() >= renew_at) {
            renew_at = eng_now_ms() + e->o.lease_ms / 3;
            lease_renew_held(e);
        }
        size_t claimed = poll_actions(e, &removed_at);
        poll_timers(e, posted);
        pthread_mutex_lock(&e->lock);
        if (claimed > 0 || e->stopping)
            continue;
        int64_t now = eng_now_ms(), next = store_next_due_ms(e->o.store);
        int64_t wait = next > now ? next - now : 0;
        if (wait > e->o.poll_ms)
            wait = e->o.poll_ms;
        if (wait > renew_at - now)
            wait = renew_at > now ? renew_at - now : 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (wait > 0)
            pthread_cond_timedwait(&e->cond, &e->lock, &ts);
    }
    pthread_mutex_unlock(&e->lock);
    free(posted);
    return NULL;
}
