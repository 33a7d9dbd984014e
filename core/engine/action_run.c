/*
 * action_run - a run's end: its outcome posted to the order's worker as a message (which
 * settles the action in the unit of its consequences), or the run let go unsettled; and
 * the hand-over of an answer from the executor thread to the worker that parses it.
 */
#include "config.h"

#include "action_run.h"

#include "eng_queue.h"
#include "eng_running.h"
#include "ka_types.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>

static void run_free(action_run *r)
{
    if (r->ka != NULL)
        r->ka->release(r->in);
    json_decref(r->order);
    json_decref(r->payload);
    free(r->a.payload);
    free(r->auth_token);
    eng_docs_free(r->docs, r->ndocs);
    rt_gen_unref(r->gen);
    free(r);
}

/* Let go of a run without settling it: the lease runs out (nothing renews it once it
 * leaves the running set) and the action is claimed again. */
static void run_drop(action_run *r)
{
    eng_running_remove(r->e, r->a.id);
    atomic_fetch_sub(&r->e->actions_running, 1);
    engine *e = r->e;
    run_free(r);
    eng_wake(e);
}

/* Hand an attempt's outcome (or, unsent, its return to the queue) to the order's worker. */
static void post_outcome(action_run *r, int unsent, int rc, const char *input, json_t *data,
                         const char *error, int64_t retry_after_ms)
{
    eng_msg *m = eng_msg_new(MSG_ACTION, r->a.order_id);
    if (m == NULL) {
        /* The lease runs out and the action is claimed again: nothing is lost. */
        log_error("order %s: out of memory settling action %lld", r->a.order_id,
                  (long long)r->a.id);
        json_decref(data);
        run_drop(r);
        return;
    }
    m->action_unsent = unsent;
    m->action_id = r->a.id;
    m->action_attempts = r->a.attempts;
    m->action_rc = rc;
    m->retry_after_ms = retry_after_ms;
    snprintf(m->input, sizeof(m->input), "%s", input ? input : "");
    snprintf(m->action_error, sizeof(m->action_error), "%s", error ? error : "");
    snprintf(m->action_op, sizeof(m->action_op), "%s", r->a.operation);
    snprintf(m->action_instance, sizeof(m->action_instance), "%s", r->a.instance);
    m->data = data;
    m->docs = r->docs;
    m->ndocs = r->ndocs;
    r->docs = NULL;
    r->ndocs = 0;
    /* It stays in the running set until its settlement is durable (on_durable): a
     * lease that ran out meanwhile must not let this process run it again. */
    eng_post(r->e, m);
    atomic_fetch_sub(&r->e->actions_running, 1);
    engine *e = r->e;
    run_free(r);
    eng_wake(e); /* its instance's queue has room for another claim */
}

void eng_run_finish(action_run *r, int rc, const char *input, json_t *data, const char *error,
                    int64_t retry_after_ms)
{
    post_outcome(r, 0, rc, input, data, error, retry_after_ms);
}

void eng_run_unsent(action_run *r, int refused, const char *why)
{
    if (refused)
        run_drop(r);
    else
        post_outcome(r, 1, OH_RETRY, NULL, NULL, why, -1);
}

/* An answer posted to a worker: the parse to run, its subject and the answer's copy. */
typedef struct posted_answer {
    run_answer_fn parse;
    void *arg;
    ex_result *res; /* owned (ex_result_dup) */
} posted_answer;

/* On the worker: parse, then free the copy (the parse settled its subject). */
static void answer_on_worker(worker *w, void *arg)
{
    (void)w;
    posted_answer *pa = arg;
    pa->parse(pa->arg, pa->res);
    ex_result_free(pa->res);
    free(pa);
}

int eng_run_post(engine *e, const char *order_id, run_worker_fn fn, void *arg)
{
    eng_msg *m = eng_msg_new(MSG_RUN, order_id);
    if (m == NULL)
        return -1;
    m->run = fn;
    m->run_arg = arg;
    eng_post(e, m);
    return 0;
}

int eng_run_post_answer(engine *e, const char *order_id, run_answer_fn parse, void *arg,
                        const ex_result *res)
{
    posted_answer *pa = malloc(sizeof(*pa));
    ex_result *copy = pa ? ex_result_dup(res) : NULL;
    if (copy == NULL) {
        free(pa);
        return -1;
    }
    *pa = (posted_answer){.parse = parse, .arg = arg, .res = copy};
    if (eng_run_post(e, order_id, answer_on_worker, pa) != 0) {
        ex_result_free(copy);
        free(pa);
        return -1;
    }
    return 0;
}
