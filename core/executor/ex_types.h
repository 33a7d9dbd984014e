/*
 * ex_types - the types the executor's files share (not for other modules): jobs, queues
 * and the executor.  Types only: each file declares its functions in its own header.
 *
 * Locking: `executor.mu` guards the queue list, every queue's FIFO and counters, and
 * `stopping`.  Everything in the "transfer state" part of ex_job and the `active` list is
 * touched by the executor thread only, without the lock.
 */
#ifndef OH_EX_TYPES_H
#define OH_EX_TYPES_H

#include "executor/executor_types.h"

#include <curl/curl.h>
#include <pthread.h>

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

#endif
