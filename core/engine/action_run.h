/*
 * action_run - one claimed action on its way through its kind's adapter (ka.h) and the
 * executor, and the hand-over of its outcome to the order's worker (action_run.c).
 *
 * A run is owned by one thread at a time and passed on through the executor's queue and
 * the workers' queues: the dispatcher claims it, the dispatcher or the order's worker
 * fills and builds it (action_send.c), the executor's completion only screens the answer
 * and posts it (eng_run_post_answer), the order's worker has the adapter parse it and settles
 * it (eng_run_finish frees the run).  Shared by dispatch.c, track_batch.c
 * and ka_*.c; includes nothing of theirs.
 */
#ifndef OH_ACTION_RUN_H
#define OH_ACTION_RUN_H

#include "engine_int.h"
#include "lease.h"

#include "executor/executor.h"

struct ka_adapter;

typedef struct action_run {
    engine *e;
    rt_gen *gen;                /* reference: the instance lives as long as the run */
    struct oh_instance *inst;
    const struct ka_adapter *ka; /* its kind's adapter */
    st_action a;                /* the claimed action; payload owned */
    json_t *order;              /* a reference to the committed snapshot, only when the
                                   adapter reads it (ka_adapter.needs_order), else NULL;
                                   possibly shared with the worker's cache: read only */
    json_t *payload;            /* owned: the action's payload {event, data} */
    void *in;                   /* the kind's inputs: filled and freed by the adapter; may
                                   point into order and payload */
    int smtp;                   /* its request went to smtp(s)://: reply codes, not HTTP */
    int64_t retry_after_ms;     /* from the answer being parsed, -1 if none */
    char *auth_token;           /* owned copy of the token the request carried, or NULL */
    st_document *docs;          /* owned: a label's documents, handed to the message */
    size_t ndocs;
    size_t batch_size;          /* numbers in the request this run's answer came from */
    send_gate gate;             /* of its own request (a batch has its own gate) */
} action_run;

/*
 * eng_run_finish - hand an attempt's outcome to the order's worker and free the run.  `data`
 * (stolen) is the input's data; `input` NULL or "" when the attempt leads to no input.
 * The run's documents go with the message.  Any thread.
 */
void eng_run_finish(action_run *r, int rc, const char *input, json_t *data, const char *error,
                    int64_t retry_after_ms);

/*
 * eng_run_unsent - the run's request never left (res->sent 0): if the gate refused it (lease
 * lost or the mark not written), drop the run unsettled - another process holds it, or the
 * lease runs out and it is claimed again; else (the executor stopped first) put it back to
 * PENDING, due now, without counting an attempt.  Frees the run.
 */
void eng_run_unsent(action_run *r, int refused, const char *why);

/* run_worker_fn - a step of a run on its order's worker `w` (eng_run_post). */
typedef void (*run_worker_fn)(worker *w, void *arg);

/*
 * eng_run_post - post `fn(w, arg)` to the worker of `order_id`; it runs there exactly once
 * (workers drain their queue before stopping).  0, or -1 when out of memory: nothing was
 * posted.  Any thread.
 */
int eng_run_post(engine *e, const char *order_id, run_worker_fn fn, void *arg);

/*
 * run_answer_fn - parse an answer posted by eng_run_post_answer, on the worker.  `res` is the
 * worker's copy, valid during the call only (freed after it returns); the function must
 * settle (and so free) whatever `arg` stands for.
 */
typedef void (*run_answer_fn)(void *arg, const ex_result *res);

/*
 * eng_run_post_answer - from an executor completion: copy `res` (ex_result_dup) and post it,
 * with `parse` and `arg`, to the worker of `order_id`, where `parse` runs.  0, or -1 when
 * out of memory: nothing was posted and the caller settles `arg` itself.
 */
int eng_run_post_answer(engine *e, const char *order_id, run_answer_fn parse, void *arg,
                        const ex_result *res);

#endif
