/*
 * queue - per-instance queues: FIFO of waiting jobs, in-flight slots, token bucket.
 * Every function here runs under executor.mu.
 */
#include "config.h"

#include "queue.h"

#include "clock.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int exq_resolve_limits(const ex_limits *in, ex_limits *out)
{
    if (in == NULL || in->concurrency < 0 || !(in->rate_per_s >= 0.0) ||
        isinf(in->rate_per_s) || in->connect_timeout_ms < 0 || in->total_timeout_ms < 0)
        return -1;
    *out = *in;
    if (out->concurrency == 0)
        out->concurrency = EX_DEFAULT_CONCURRENCY;
    if (out->connect_timeout_ms == 0)
        out->connect_timeout_ms = EX_DEFAULT_CONNECT_TIMEOUT_MS;
    if (out->total_timeout_ms == 0)
        out->total_timeout_ms = EX_DEFAULT_TOTAL_TIMEOUT_MS;
    if (out->max_response_bytes == 0)
        out->max_response_bytes = EX_DEFAULT_MAX_RESPONSE_BYTES;
    if (out->max_response_bytes > SIZE_MAX / 4) /* keeps the buffer arithmetic overflow-free */
        out->max_response_bytes = SIZE_MAX / 4;
    out->insecure_tls = in->insecure_tls != 0;
    return 0;
}

/* Bucket size: at most 100 ms worth of starts at once, and at least one. */
static double bucket_cap(const ex_limits *lim)
{
    double cap = lim->rate_per_s / 10.0;
    return cap < 1.0 ? 1.0 : cap;
}

ex_queue *exq_find(executor *ex, const char *name)
{
    for (ex_queue *q = ex->queues; q != NULL; q = q->next) {
        if (strcmp(q->name, name) == 0)
            return q;
    }
    return NULL;
}

int exq_set(executor *ex, const char *name, const ex_limits *resolved, int *switched_insecure)
{
    ex_queue *q = exq_find(ex, name);
    *switched_insecure = resolved->insecure_tls && (q == NULL || !q->lim.insecure_tls);
    if (q != NULL) {
        q->lim = *resolved;
        if (q->tokens > bucket_cap(&q->lim))
            q->tokens = bucket_cap(&q->lim);
        return 0;
    }
    q = calloc(1, sizeof(*q));
    if (q == NULL)
        return -1;
    q->name = strdup(name);
    if (q->name == NULL) {
        free(q);
        return -1;
    }
    q->lim = *resolved;
    q->tokens = bucket_cap(&q->lim);
    q->refilled_ms = ex_now_ms();
    q->next = ex->queues;
    ex->queues = q;
    return 0;
}

void exq_push(ex_queue *q, ex_job *job)
{
    job->next = NULL;
    job->queue = q;
    if (q->tail != NULL)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    q->waiting++;
}

static ex_job *pop(ex_queue *q)
{
    ex_job *job = q->head;
    q->head = job->next;
    if (q->head == NULL)
        q->tail = NULL;
    job->next = NULL;
    q->waiting--;
    return job;
}

static void refill(ex_queue *q, double now_ms)
{
    if (q->lim.rate_per_s <= 0.0)
        return;
    double add = (now_ms - q->refilled_ms) * q->lim.rate_per_s / 1000.0;
    if (add > 0.0)
        q->tokens += add;
    if (q->tokens > bucket_cap(&q->lim))
        q->tokens = bucket_cap(&q->lim);
    q->refilled_ms = now_ms;
}

ex_job *exq_take_ready(executor *ex, double now_ms, double *wait_ms)
{
    ex_job *first = NULL, **link = &first;
    for (ex_queue *q = ex->queues; q != NULL; q = q->next) {
        refill(q, now_ms);
        int rated = q->lim.rate_per_s > 0.0;
        while (q->head != NULL && q->in_flight < (size_t)q->lim.concurrency &&
               (!rated || q->tokens >= 1.0)) {
            ex_job *job = pop(q);
            if (rated)
                q->tokens -= 1.0;
            q->in_flight++;
            job->counted = 1;
            job->lim = q->lim;
            *link = job;
            link = &job->next;
        }
        if (rated && q->head != NULL && q->in_flight < (size_t)q->lim.concurrency) {
            double until = (1.0 - q->tokens) * 1000.0 / q->lim.rate_per_s;
            if (until < *wait_ms)
                *wait_ms = until;
        }
    }
    return first;
}

ex_job *exq_take_all(executor *ex)
{
    ex_job *first = NULL, **link = &first;
    for (ex_queue *q = ex->queues; q != NULL; q = q->next) {
        *link = q->head;
        while (*link != NULL)
            link = &(*link)->next;
        q->head = q->tail = NULL;
        q->waiting = 0;
    }
    return first;
}

void exq_free_all(executor *ex)
{
    ex_queue *q = ex->queues;
    while (q != NULL) {
        ex_queue *next = q->next;
        free(q->name);
        free(q);
        q = next;
    }
    ex->queues = NULL;
}
