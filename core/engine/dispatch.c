/*
 * dispatch - the dispatcher thread: claims due outbox actions from the store (with a
 * lease) and hands each one over: to its order's worker when its kind adapter (ka.h) reads
 * the order, else straight to the send path (action_send.c), or to a batch of tracking
 * polls (track_batch.c).  It also turns due timers into messages and renews the leases it
 * holds.  It knows no plugin kind: every kind goes through its adapter.
 */
#include "config.h"

#include "action_run.h"
#include "action_send.h"
#include "dispatch.h"
#include "eng_clock.h"
#include "eng_queue.h"
#include "eng_running.h"
#include "ka.h"
#include "lease.h"
#include "track_batch.h"

#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLAIM_BATCH 64

/* A claimed action made ready to send from here: NULL when it was settled, skipped or
 * handed to its order's worker. */
static action_run *prepare_run(engine *e, st_action *a)
{
    /* Its lease ran out while this process still runs it: the claim renewed the lease. */
    if (!eng_running_add(e, a->id)) {
        free(a->payload); /* the element only: the array is freed by the caller */
        return NULL;
    }
    action_run *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        eng_running_remove(e, a->id);
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
        eng_run_finish(r, OH_FAIL, NULL, NULL,
                       "attempts exhausted by processes that stopped during them", -1);
        return NULL;
    }
    r->inst = r->gen ? rt_instance(r->gen, r->a.instance) : NULL;
    if (r->inst == NULL) {
        eng_run_finish(r, OH_FAIL, NULL, NULL, "plugin instance is not in the configuration", -1);
        return NULL;
    }
    r->ka = ka_for(r->inst->module->desc.kind);
    if (r->ka == NULL) {
        eng_run_finish(r, OH_FAIL, NULL, NULL, "operation is not run by this engine", -1);
        return NULL;
    }
    r->payload = json_loads(r->a.payload ? r->a.payload : "{}", 0, NULL);
    if (r->payload == NULL) {
        eng_run_finish(r, OH_FAIL, NULL, NULL, "stored action is not JSON", -1);
        return NULL;
    }
    /* A kind that reads the order fills its inputs on the order's worker, from its cached
     * copy (action_send.c); the others here, from the payload alone. */
    if (r->ka->needs_order(r)) {
        eng_send_on_worker(r);
        return NULL;
    }
    const char *why = NULL;
    if (r->ka->fill(r, &why) != 0) {
        eng_run_finish(r, OH_RETRY, NULL, NULL, why, -1);
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
            eng_send_run(r);
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
                    eng_send_run(runs[k]);
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
 * Due timers are claimed with a lease, like actions: another process never fires these,
 * and a timer whose unit never commits (a crash, a failed unit) is claimed again, and
 * posted again, once the lease ends.  Until then the lease keeps it from being posted twice.
 */
static void poll_timers(engine *e)
{
    st_timer *t = NULL;
    size_t n = 0;
    char err[512];
    if (store_timers_claim(e->o.store, e->owner, eng_now_ms(), e->o.lease_ms, CLAIM_BATCH, &t,
                           &n, err, sizeof(err)) != 0) {
        log_error("timers: %s", err);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        eng_msg *m = eng_msg_new(MSG_TIMER, t[i].order_id);
        if (m == NULL)
            continue; /* out of memory: posted when the lease ends */
        m->timer_id = t[i].id;
        snprintf(m->timer_name, sizeof(m->timer_name), "%s", t[i].name);
        eng_post(e, m);
    }
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
    int64_t removed_at = 0, renew_at = eng_now_ms() + e->o.lease_ms / 3;
    pthread_mutex_lock(&e->lock);
    while (!e->stopping) {
        pthread_mutex_unlock(&e->lock);
        /* A third of the lease: two renewals may be late (a slow commit) before it ends. */
        if (eng_now_ms() >= renew_at) {
            renew_at = eng_now_ms() + e->o.lease_ms / 3;
            lease_renew_held(e);
        }
        size_t claimed = poll_actions(e, &removed_at);
        poll_timers(e);
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
    return NULL;
}
