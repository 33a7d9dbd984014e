/*
 * action_send - one action's request: its kind adapter's inputs (from the order's cached
 * snapshot, on the order's worker, when the kind reads the order), the auth token, the
 * plugin's build, the executor; then the answer screened on the executor thread and handed
 * to the order's worker for the plugin's parse.
 */
#include "config.h"

#include "action_send.h"

#include "auth_step.h"
#include "cache.h"
#include "ka_types.h"

#include "host/host.h"

#include <stdlib.h>
#include <string.h>

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
        eng_run_unsent(r, r->gate.refused, res->error);
        return;
    }
    if (res->outcome != EX_RESPONSE) {
        eng_run_finish(r, ex_classify(res) == EX_RETRY ? OH_RETRY : OH_FAIL, NULL, NULL, res->error,
                       res->retry_after_ms);
        return;
    }
    if (res->response.status == 401 && r->auth_token != NULL) {
        /* An expired or revoked token: the next attempt fetches a new one.  Credentials
         * the remote refuses fail in the auth step itself, permanently. */
        auth_token_drop(r->inst, r->auth_token);
        eng_run_finish(r, OH_RETRY, NULL, NULL, "remote refused the auth token (HTTP 401)",
                       res->retry_after_ms);
        return;
    }
    /* Payment and carrier plugins parse an API's answer: a portal's page is no such thing
     * even when the request named no Accept type (notifiers' receivers may answer HTML). */
    if (!r->ka->accepts_html && ex_is_html_answer(&res->response)) {
        eng_run_finish(r, OH_RETRY, NULL, NULL, EX_HTML_ANSWER_ERROR, res->retry_after_ms);
        return;
    }
    /* The completion stays short (executor.h): the plugin's parse runs on the worker. */
    if (eng_run_post_answer(r->e, r->a.order_id, parse_on_worker, r, res) != 0)
        eng_run_finish(r, OH_RETRY, NULL, NULL, "out of memory keeping the answer",
                       res->retry_after_ms);
}

/* ---- the request ----------------------------------------------------------------------- */

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
        eng_run_finish(r, rc, NULL, NULL, why ? why : "auth step failed", -1);
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
        eng_run_finish(r, OH_OK, NULL, NULL, perr.message, -1);
        return;
    }
    if (rc != OH_OK || req->url == NULL) {
        host_request_free(req);
        eng_run_finish(r, rc == OH_OK ? OH_FAIL : rc, NULL, NULL,
                    perr.message[0] ? perr.message : "plugin built no request", -1);
        return;
    }
    if (token != NULL && (r->auth_token = strdup(token)) == NULL) {
        host_request_free(req);
        eng_run_finish(r, OH_RETRY, NULL, NULL, "out of memory", -1);
        return;
    }
    r->smtp = strncmp(req->url, "smtp", 4) == 0;
    /* The instance's queue was set when its generation was installed (hub.c). */
    if (ex_submit_gated(r->e->o.executor, r->inst->id, req, run_gate, on_response, r) != 0)
        eng_run_finish(r, OH_RETRY, NULL, NULL, "executor refused the request", -1);
}

/* ---- inputs from the order, on its worker ------------------------------------------- */

/*
 * The order as committed, for the adapter to read: the worker's cached snapshot when it
 * is what the store holds (no unit pending, not stale) - shared, not copied: a published
 * snapshot is never changed (each unit works on its own copy, es_unit.c) and jansson
 * counts references atomically; else, rarely, read from the store.  0, or an OH_ code.
 */
static int committed_order(worker *w, action_run *r, char *err, size_t errlen)
{
    cache_entry *ce = cache_peek(w, r->a.order_id);
    if (ce != NULL && !atomic_load(&ce->stale) && atomic_load(&ce->pending) == 0 &&
        ce->snapshot != NULL) {
        r->order = json_incref(ce->snapshot);
        return 0;
    }
    st_order o;
    int rc = store_order_get(w->e->o.store, r->a.order_id, &o, err, errlen);
    if (rc != 0) {
        if (rc == 1)
            snprintf(err, errlen, "order is gone");
        return rc == 1 ? OH_FAIL : OH_RETRY;
    }
    r->order = json_loads(o.snapshot ? o.snapshot : "{}", 0, NULL);
    st_order_clear(&o);
    if (r->order == NULL) {
        snprintf(err, errlen, "stored order is not JSON");
        return OH_FAIL;
    }
    return 0;
}

static void fill_on_worker(worker *w, void *arg)
{
    action_run *r = arg;
    engine *e = r->e;
    char err[512];
    const char *why = NULL;
    int rc = committed_order(w, r, err, sizeof(err));
    if (rc != 0)
        eng_run_finish(r, rc, NULL, NULL, err, -1);
    else if (r->ka->fill(r, &why) != 0)
        eng_run_finish(r, OH_RETRY, NULL, NULL, why, -1);
    else
        eng_send_run(r);
    /* Submitted (or settled): the executor may go now (eng_quiesce). */
    atomic_fetch_sub(&e->sends_on_workers, 1);
}

void eng_send_on_worker(action_run *r)
{
    engine *e = r->e;
    atomic_fetch_add(&e->sends_on_workers, 1);
    if (eng_run_post(e, r->a.order_id, fill_on_worker, r) != 0) {
        atomic_fetch_sub(&e->sends_on_workers, 1);
        eng_run_finish(r, OH_RETRY, NULL, NULL, "out of memory", -1);
    }
}

void eng_send_run(action_run *r)
{
    auth_token_get(r->e->o.executor, r->inst, build_and_submit, r);
}
