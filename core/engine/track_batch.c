/*
 * track_batch - tracking polls of one carrier instance sent together: up to the plugin's
 * max_batch numbers per request (USPS and FedEx take dozens), one parse, and each order's
 * action settled from its own number's part of the answer.  Each action keeps its own
 * lease, attempts and outcome: batching changes how many requests go out, not what is
 * recorded.  The answer is parsed on the worker of the batch's first order, like any
 * action's (never on the executor thread); each run is then settled on its own worker.
 */
#include "config.h"

#include "track_batch.h"

#include "auth_step.h"
#include "host/host.h"
#include "ka_carrier.h"
#include "log/log.h"

#include <stdlib.h>
#include <string.h>

typedef struct track_batch {
    engine *e;
    struct oh_instance *inst;
    action_run **runs; /* owned array; the runs are settled (and freed) by eng_run_finish */
    const char **numbers; /* owned array; the strings are the runs' */
    size_t n;
    char *auth_token;  /* the token the request carried, or NULL */
    int64_t *ids;      /* the runs' action ids, for the send gate */
    send_gate gate;
} track_batch;

static void batch_free(track_batch *b)
{
    free(b->ids);
    free(b->runs);
    free(b->numbers);
    free(b->auth_token);
    free(b);
}

/* Every run of the batch gets the same outcome (no answer to parse). */
static void batch_settle_all(track_batch *b, int rc, const char *error, int64_t retry_after)
{
    for (size_t i = 0; i < b->n; i++)
        eng_run_finish(b->runs[i], rc, NULL, NULL, error, retry_after);
    batch_free(b);
}

/* On the worker of the batch's first order: one parse, each run settled from its part. */
static void batch_parse(void *arg, const ex_result *res)
{
    track_batch *b = arg;
    oh_track_result tr = {0};
    oh_error err = {{0}};
    int rc = ka_carrier_track_parse(b->inst, b->numbers, b->n, &res->response, &tr, &err);
    for (size_t i = 0; i < b->n; i++) {
        b->runs[i]->retry_after_ms = res->retry_after_ms;
        ka_carrier_settle_track(b->runs[i], rc, &tr, err.message);
    }
    host_track_result_clear(&tr);
    batch_free(b);
}

/* On the executor thread: only what needs no plugin; the parse goes to a worker. */
static void on_batch_answer(void *arg, const oh_request *req, const ex_result *res)
{
    (void)req;
    track_batch *b = arg;
    if (!res->sent) {
        for (size_t i = 0; i < b->n; i++)
            eng_run_unsent(b->runs[i], b->gate.refused, res->error);
        batch_free(b);
        return;
    }
    if (res->outcome != EX_RESPONSE) {
        batch_settle_all(b, ex_classify(res) == EX_RETRY ? OH_RETRY : OH_FAIL, res->error,
                         res->retry_after_ms);
        return;
    }
    if (res->response.status == 401 && b->auth_token != NULL) {
        auth_token_drop(b->inst, b->auth_token);
        batch_settle_all(b, OH_RETRY, "remote refused the auth token (HTTP 401)",
                         res->retry_after_ms);
        return;
    }
    if (ex_is_html_answer(&res->response)) { /* a portal's page, not the carrier's answer */
        batch_settle_all(b, OH_RETRY, EX_HTML_ANSWER_ERROR, res->retry_after_ms);
        return;
    }
    if (eng_run_post_answer(b->e, b->runs[0]->a.order_id, batch_parse, b, res) != 0)
        batch_settle_all(b, OH_RETRY, "out of memory keeping the answer", res->retry_after_ms);
}

/* The batch's request is about to leave: every action of it is marked sent first. */
static void batch_gate(void *arg, ex_ticket *ticket)
{
    track_batch *b = arg;
    b->gate.e = b->e;
    b->gate.ids = b->ids;
    b->gate.n = b->n;
    lease_gate_ask(&b->gate, ticket);
}

static void batch_build_and_submit(void *arg, const char *token, int rc, const char *why)
{
    track_batch *b = arg;
    if (rc != OH_OK) {
        batch_settle_all(b, rc, why ? why : "auth step failed", -1);
        return;
    }
    oh_request *req = host_request_new();
    oh_error err = {{0}};
    if (req != NULL)
        req->auth_token = token;
    rc = req ? ka_carrier_track_build(b->inst, b->numbers, b->n, req, &err)
             : oh_error_set(&err, OH_RETRY, "out of memory");
    if (req != NULL)
        req->auth_token = NULL;
    if (rc == OH_OK && req->url == NULL)
        rc = oh_error_set(&err, OH_FAIL, "plugin built no request");
    if (rc == OH_OK && token != NULL && (b->auth_token = strdup(token)) == NULL)
        rc = oh_error_set(&err, OH_RETRY, "out of memory");
    if (rc != OH_OK) {
        host_request_free(req);
        batch_settle_all(b, rc, err.message, -1);
        return;
    }
    if (ex_submit_gated(b->e->o.executor, b->inst->id, req, batch_gate, on_batch_answer, b) != 0)
        batch_settle_all(b, OH_RETRY, "executor refused the request", -1);
}

void track_batch_run(engine *e, action_run **runs, size_t n)
{
    size_t max = n > 0 ? runs[0]->inst->module->ops.carrier.max_batch : 1;
    for (size_t at = 0; at < n; at += max) {
        size_t count = n - at < max ? n - at : max;
        track_batch *b = calloc(1, sizeof(*b));
        if (b != NULL) {
            b->runs = calloc(count, sizeof(*b->runs));
            b->numbers = calloc(count, sizeof(*b->numbers));
            b->ids = calloc(count, sizeof(*b->ids));
        }
        if (b == NULL || b->runs == NULL || b->numbers == NULL || b->ids == NULL) {
            if (b != NULL)
                batch_free(b);
            for (size_t i = at; i < at + count; i++)
                eng_run_finish(runs[i], OH_RETRY, NULL, NULL, "out of memory", -1);
            continue;
        }
        b->e = e;
        b->inst = runs[at]->inst;
        b->n = count;
        for (size_t i = 0; i < count; i++) {
            b->runs[i] = runs[at + i];
            b->runs[i]->batch_size = count;
            b->numbers[i] = ka_carrier_number(runs[at + i]);
            b->ids[i] = runs[at + i]->a.id;
        }
        auth_token_get(e->o.executor, b->inst, batch_build_and_submit, b);
    }
}
