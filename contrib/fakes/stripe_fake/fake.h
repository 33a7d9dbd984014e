/*
 * fake.h - shared types of orderhub-fake-stripe: its configuration and one API answer.
 *
 * Threading: the server runs libmicrohttpd's epoll thread pool; the bank (bank.h) keeps all
 * state behind one lock, so an answer is computed atomically with the idempotency record
 * it may leave.
 */
#ifndef STRIPE_FAKE_H
#define STRIPE_FAKE_H

#include <stdint.h>
#include <stddef.h>

typedef struct sf_config {
    uint16_t port;          /* 0 = let the kernel pick */
    int threads;            /* MHD thread pool size */
    const char *secret_key; /* the one accepted "Authorization: Bearer" key */
    int64_t latency_ms;     /* added to every API answer (suspend/resume, no parked thread) */
    int64_t slow_ms;        /* latency of the pm_fake_slow token */
    int flaky_failures;     /* 500s pm_fake_flaky gives per idempotency key before approving */
    double error_rate;      /* fraction of API requests answered 500 before any processing */
    uint64_t seed;          /* for the error-rate draw */
    int64_t clock_s;        /* 0 = live; else the `created` stamp of every object */
} sf_config;

/* One answer.  `save`: the idempotency layer records it under the request's key (Stripe
 * saves every answer once the endpoint began executing; not validation errors, rate limits
 * or failures in front of the API). */
typedef struct sf_reply {
    int status;
    char *body;          /* malloc'd JSON (or deliberately broken text), owned */
    size_t len;
    int save;
    int replayed;        /* served from an idempotency record: Idempotent-Replayed: true */
    int should_retry;    /* Stripe-Should-Retry: -1 absent, 0 false, 1 true */
    int64_t latency_ms;  /* extra delay for this answer */
} sf_reply;

#endif
