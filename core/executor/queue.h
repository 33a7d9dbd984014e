/*
 * queue - per-instance queues: FIFO of waiting jobs, in-flight slots, token bucket.  All
 * under ex->mu.
 */
#ifndef OH_EXECUTOR_QUEUE_H
#define OH_EXECUTOR_QUEUE_H

#include "executor/ex_types.h"

int exq_resolve_limits(const ex_limits *in, ex_limits *out);
ex_queue *exq_find(executor *ex, const char *name);
/* exq_set - create or update; *switched_insecure is set when the queue now has
 * insecure_tls and did not before (or is new with it). */
int exq_set(executor *ex, const char *name, const ex_limits *resolved, int *switched_insecure);
void exq_push(ex_queue *q, ex_job *job);
/* exq_take_ready - pop every job that may start now (taking a slot and a token each) into
 * a list linked by `next`, in FIFO order per queue; *wait_ms is lowered to the time until
 * the next token of a queue that has work but no token. */
ex_job *exq_take_ready(executor *ex, double now_ms, double *wait_ms);
/* exq_take_all - detach every waiting job of every queue (shutdown). */
ex_job *exq_take_all(executor *ex);
void exq_free_all(executor *ex);

#endif
