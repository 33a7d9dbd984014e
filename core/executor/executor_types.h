/*
 * executor_types - the executor's types (executor.h): queues' limits, a request's outcome,
 * completions and gates.  Types only, so that the executor's own files share them without
 * seeing each other's functions.
 */
#ifndef OH_EXECUTOR_TYPES_H
#define OH_EXECUTOR_TYPES_H

#include <orderhub/http.h>
#include <stddef.h>
#include <stdint.h>

typedef struct executor executor;

/*
 * Limits of one queue.  Negative values (or a NaN / infinite rate) are refused.  The rate is
 * a token bucket holding max(1, rate_per_s / 10) tokens (at most 100 ms worth of starts at
 * once), full when the queue is created: at 5/s, 10 requests start over ~1.8 s.  Timeouts
 * and the size cap of a request are those of its queue when it STARTS.
 */
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
    EX_TOO_LARGE = 3,  /* answer over max_response_bytes, or header block over its limits */
    EX_CANCELLED = 4,  /* executor destroyed before the request ran */
    EX_LOCAL = 5,      /* file:// or request building problem on our side */
    EX_UNEXPECTED = 6  /* an HTTP answer not handed to the plugin (status and headers are
                          set, error says which): a redirect (3xx but 304: never followed,
                          error names the Location's host only), or a 2xx HTML page when the
                          request's Accept names no HTML type (captive portal, proxy) */
} ex_outcome;

typedef struct ex_result {
    ex_outcome outcome;
    char error[256];            /* for everything but EX_RESPONSE; never holds a secret */
    oh_response response;       /* EX_RESPONSE: status, headers, body (NUL-terminated);
                                   file:// success reports status 200 with an empty body */
    int64_t retry_after_ms;     /* from Retry-After (seconds or HTTP date), else -1 */
    double elapsed_ms;          /* from start of the transfer to completion (0 if it never
                                   started) */
    double queued_ms;           /* time spent waiting in the instance's queue (until the
                                   completion, if it never started) */
    int sent;                   /* 1 once the transfer started: the remote may have the
                                   request.  0: nothing left (cancelled while waiting, or
                                   its gate said no) */
} ex_result;

/*
 * ex_done_fn - completion.  `res` and everything it points to are valid during the call
 * only.  `req` is the request as submitted (still owned by the executor, freed after).
 */
typedef void (*ex_done_fn)(void *arg, const oh_request *req, const ex_result *res);

/*
 * Gated submissions: the submitter learns when a request is about to leave, and may hold
 * it until it has recorded that durably (the engine counts an attempt only for a request
 * that may have reached the remote: a lease that expires while the request waits in the
 * queue of a process that died must not count).
 *
 * ex_gate_fn - called on the executor thread once the job has its slot and its token,
 * before anything is sent.  Answer exactly once, now or later from any thread, with
 * ex_gate_open(ex, ticket, go): go 1 starts the transfer, go 0 completes the job unsent
 * (EX_CANCELLED, sent 0).  The job keeps its in-flight slot meanwhile.  ex_destroy waits
 * for every gate asked to be answered (then completes the job unsent, go or not).
 */
typedef struct ex_job ex_ticket;
typedef void (*ex_gate_fn)(void *arg, ex_ticket *ticket);

#endif
