/*
 * ex_internal - what the executor's files share (not for other modules).
 *
 * Locking: `executor.mu` guards the queue list, every queue's FIFO and counters, and
 * `stopping`.  Everything in the "transfer state" part of ex_job and the `active` list is
 * touched by the executor thread only, without the lock.
 */
#ifndef OH_EX_INTERNAL_H
#define OH_EX_INTERNAL_H

#include "executor/executor.h"

#include <curl/curl.h>
#include <pthread.h>
#include <time.h>

/* Defaults for ex_limits fields left 0 (see executor.h). */
#define EX_DEFAULT_CONCURRENCY 4
#define EX_DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define EX_DEFAULT_TOTAL_TIMEOUT_MS 30000L
#define EX_DEFAULT_MAX_RESPONSE_BYTES ((size_t)8 * 1024 * 1024)

/* An answer with more header lines than this, or a header block (status line and header
 * lines of the final answer) larger than this, is EX_TOO_LARGE with its own message.
 * curl refuses a single header line over 100 KiB by itself; ours is lower. */
#define EX_MAX_RESPONSE_HEADERS 200
#define EX_MAX_RESPONSE_HEADER_BYTES (64 * 1024)

/* Longest the loop sleeps when nothing is due (a submission wakes it anyway). */
#define EX_IDLE_WAIT_MS 1000

typedef enum ex_scheme { EXS_BAD = 0, EXS_HTTP, EXS_SMTP, EXS_FILE } ex_scheme;

typedef struct ex_queue ex_queue;

/* One submission, from ex_submit to its completion. */
typedef struct ex_job {
    struct ex_job *next; /* FIFO link while waiting; active list link while in flight */
    struct ex_job *prev; /* active list only */
    ex_queue *queue;
    oh_request *req;     /* owned */
    ex_done_fn done;
    void *arg;
    double submitted_ms; /* monotonic */
    double started_ms;   /* monotonic; 0 while waiting */
    int counted;         /* holds one of the queue's in-flight slots */
    ex_gate_fn gate;     /* NULL, or asked once before the transfer starts */
    int gate_asked;      /* executor thread only */
    int gate_go;         /* the answer (set under mu by ex_gate_open) */
    ex_limits lim;       /* the queue's limits when the job started (copied under mu) */

    /* ---- transfer state: executor thread only ---- */
    ex_scheme scheme;
    CURL *easy;
    struct curl_slist *req_headers;
    struct curl_slist *rcpt;
    char errbuf[CURL_ERROR_SIZE];
    char *body; /* response body, body_len bytes + NUL (capacity body_cap + 1) */
    size_t body_len, body_cap, max_body;
    oh_header *headers; /* response headers of the final answer */
    size_t header_count, header_cap;
    size_t upload_off; /* SMTP: bytes of req->body already handed to curl */
    int too_large;     /* a callback aborted the transfer: body over max_response_bytes */
    int headers_over;  /* a callback aborted the transfer: header block over its limits */
    size_t header_bytes; /* of the current answer's header block, status line included */
    int headers_ended; /* the final answer's header block ended (its blank line arrived) */
    int oom;           /* a callback aborted the transfer: allocation failure */
} ex_job;

struct ex_queue {
    ex_queue *next;
    char *name;
    ex_limits lim;      /* defaults resolved */
    ex_job *head, *tail; /* waiting jobs, FIFO */
    size_t waiting, in_flight;
    double tokens;       /* token bucket: starts allowed now (rate_per_s > 0 only) */
    double refilled_ms;  /* monotonic time of the last refill */
};

struct executor {
    pthread_mutex_t mu;
    pthread_t thread;
    CURLM *multi;     /* used by the executor thread; other threads only wake it up */
    CURLSH *share;    /* TLS session cache shared by all easy handles (executor thread) */
    int stopping;     /* under mu */
    ex_queue *queues; /* under mu */
    ex_job *active;   /* executor thread only: jobs added to the multi handle */
    ex_job *opened;   /* under mu: gated jobs answered, linked by next, to start or end */
    size_t gated;     /* under mu: gates asked and not yet answered */
    pthread_cond_t gate_cv; /* with mu: signalled when a gate is answered */
};

/* executor.c */
double ex_now_ms(void);

/* queue.c - all under ex->mu. */
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

/* transfer.c - executor thread. */
ex_scheme ex_scheme_of(const char *url);
/* ext_start - set the job's easy handle up and add it to the multi handle: 0.  When the
 * job finished at once (file://, a request we cannot build) returns -1 with *res filled. */
int ext_start(executor *ex, ex_job *job, ex_result *res);
/* ext_result - the outcome of a finished transfer. */
void ext_result(ex_job *job, CURLcode rc, ex_result *res);
/* ext_cleanup - detach from the multi handle (if added) and free the transfer state. */
void ext_cleanup(executor *ex, ex_job *job);
/* ex_retry_after_ms - a Retry-After value (delta-seconds or HTTP-date) as ms from `now`,
 * never negative; -1 if it is neither. */
int64_t ex_retry_after_ms(const char *value, time_t now);
void ex_result_init(ex_result *res);
void ex_result_set(ex_result *res, ex_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* file_append.c - one write(2) of data to the file named by a file:// URL. */
int ex_file_append(const char *url, const void *data, size_t len, char *err, size_t errlen);

/* answer.c - turn a redirect, or an HTML page where the request's Accept asked for something
 * else, into EX_UNEXPECTED (status and headers stay set). */
void ex_refuse_unexpected(const oh_request *req, ex_result *res);

/* reqlog.c */
void ex_redact_url(const char *url, char *out, size_t outlen);
void ex_log_request(const char *queue, const oh_request *req, const ex_result *res);
const char *ex_outcome_name(ex_outcome o);

#endif
