/*
 * executor - runs the requests plugins build (ARCHITECTURE.md s2, s3): one thread, one
 * curl multi loop (curl_multi_poll + curl_multi_wakeup), for every plugin instance.
 *
 * Each instance has its own QUEUE with its own limits: at most `concurrency` requests in
 * flight and at most `rate_per_s` started per second (token bucket).  A queue whose remote
 * is dead or slow fills only its own slots, so it never delays another queue: payments go
 * on while a carrier times out.
 *
 * The executor makes ONE attempt per submission and reports what happened; retries,
 * backoff and dead letters are the engine's (they must survive restarts, so they live in
 * the store).  ex_classify turns an outcome into retry / fail / ok for it.
 *
 * Schemes: http://, https:// (TLS peer and host verification always on unless the queue
 * sets insecure_tls, which is logged at every queue creation), smtp:// and smtps:// (body
 * uploaded as the message, envelope from mail_from / mail_rcpt), and file:// with method
 * APPEND (the body is appended with one write(2) to the file, O_APPEND|O_CREAT, 0640).
 *
 * LOGGING: one debug line per request (method, URL, status, time); header values flagged
 * OH_HEADER_SENSITIVE and URL userinfo are printed as "***".
 *
 * THREADING: ex_submit and ex_queue_set may be called from any thread.  Completion
 * callbacks run on the executor thread: keep them short (hand the result to a queue).
 */
#ifndef OH_EXECUTOR_H
#define OH_EXECUTOR_H

#include <orderhub/http.h>
#include <stddef.h>
#include <stdint.h>

typedef struct executor executor;

typedef struct ex_limits {
    int concurrency;            /* in flight at once; 0 = 4 */
    double rate_per_s;          /* starts per second; 0 = unlimited */
    long connect_timeout_ms;    /* 0 = 5000 */
    long total_timeout_ms;      /* 0 = 30000; a request's own timeout_ms wins when set */
    size_t max_response_bytes;  /* 0 = 8 MiB; a bigger answer is an error, body dropped */
    int insecure_tls;           /* 1: no certificate/host verification (local tests only) */
} ex_limits;

typedef enum ex_outcome {
    EX_RESPONSE = 0,   /* an answer arrived (any status): see response */
    EX_NETWORK = 1,    /* could not connect, reset, DNS, TLS failure: error says which */
    EX_TIMEOUT = 2,    /* connect or total time limit hit */
    EX_TOO_LARGE = 3,  /* answer over max_response_bytes */
    EX_CANCELLED = 4,  /* executor destroyed before the request ran */
    EX_LOCAL = 5       /* file:// or request building problem on our side */
} ex_outcome;

typedef struct ex_result {
    ex_outcome outcome;
    char error[256];            /* for everything but EX_RESPONSE; never holds a secret */
    oh_response response;       /* EX_RESPONSE: status, headers, body (NUL-terminated);
                                   file:// success reports status 200 with an empty body */
    int64_t retry_after_ms;     /* from Retry-After (seconds or HTTP date), else -1 */
    double elapsed_ms;          /* from start of the transfer to completion */
    double queued_ms;           /* time spent waiting in the instance's queue */
} ex_result;

/*
 * ex_done_fn - completion.  `res` and everything it points to are valid during the call
 * only.  `req` is the request as submitted (still owned by the executor, freed after).
 */
typedef void (*ex_done_fn)(void *arg, const oh_request *req, const ex_result *res);

/* ex_create - start the executor thread.  0, or -1 with err set. */
int ex_create(executor **out, char *err, size_t errlen);

/*
 * ex_destroy - stop accepting work, abort transfers in flight and call every pending
 * completion with EX_CANCELLED, join the thread, free.  NULL is a no-op.
 */
void ex_destroy(executor *ex);

/*
 * ex_queue_set - create or update the queue called `name` (a plugin instance id) with
 * `limits` (copied).  Updating keeps requests already queued.  0 / -1.
 */
int ex_queue_set(executor *ex, const char *name, const ex_limits *limits);

/*
 * ex_submit - queue `req` on queue `name`.  Ownership of `req` (an oh_request made by
 * host_request_new) passes to the executor, which frees it after `done` returns - also when
 * ex_submit fails (then done is NOT called and -1 is returned: unknown queue, stopping).
 */
int ex_submit(executor *ex, const char *name, oh_request *req, ex_done_fn done, void *arg);

/* What the engine should do with an outcome (used when a plugin has no parse step). */
typedef enum ex_verdict { EX_OK = 0, EX_RETRY = 1, EX_FAIL = 2 } ex_verdict;

/*
 * ex_classify - 2xx: OK; 408, 425, 429, 5xx, network errors and timeouts: RETRY; other
 * statuses, EX_TOO_LARGE, EX_LOCAL: FAIL; EX_CANCELLED: RETRY.
 */
ex_verdict ex_classify(const ex_result *res);

/*
 * ex_backoff_ms - delay before attempt number `attempt` (1 = the first retry): exponential
 * from base_ms, capped at max_ms, with full jitter (uniform in [d/2, d]); a Retry-After
 * larger than that wins.
 */
int64_t ex_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, int64_t retry_after_ms);

/* ex_queue_stats - requests waiting and in flight on queue `name`; -1 if unknown. */
int ex_queue_stats(executor *ex, const char *name, size_t *waiting, size_t *in_flight);

#endif
