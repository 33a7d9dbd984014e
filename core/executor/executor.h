/*
 * executor - runs the requests plugins build (docs/architecture.md §6): one thread, one
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
 * OH_HEADER_SENSITIVE and URL userinfo are printed as "***".  Other header values are not
 * printed either (names only).  The URL's query string IS printed: secrets belong in
 * sensitive headers, not in URLs.
 *
 * THREADING: ex_submit and ex_queue_set may be called from any thread.  Completion
 * callbacks run on the executor thread: keep them short (hand the result to a queue; a
 * result that must outlive the call is copied with ex_result_dup).
 * A completion may call ex_submit / ex_queue_set / ex_queue_stats, never ex_destroy.
 *
 * REQUESTS (decisions this header did not spell out before; see each function too):
 *  - HTTP headers sent are exactly the plugin's, plus what HTTP/1.1 itself needs (Host,
 *    Content-Length).  curl's own "Expect: 100-continue", default Accept and form
 *    Content-Type are suppressed.  A header with an empty value is sent empty.
 *  - HTTP method: NULL means GET; it must be an RFC 9110 token (else EX_LOCAL).  The body
 *    is sent when there is one, and always (possibly empty, with Content-Length: 0) for
 *    POST, PUT and PATCH.  HEAD without a body asks for no answer body.  Redirects are never
 *    followed (a 3xx is EX_UNEXPECTED) and curl may speak only http, https, smtp and smtps.
 *  - Response headers are those of the final answer (after any 1xx), names as the remote
 *    spelled them, values trimmed, folded lines joined; more than 200 header lines or a
 *    header block over 64 KiB is EX_TOO_LARGE, error "response header block too large".
 *  - A redirect, or a 2xx HTML page when the request's Accept names no HTML type, is
 *    EX_UNEXPECTED (see ex_outcome).
 *  - smtp:// upgrades with STARTTLS when the server offers it (verified like any TLS);
 *    smtps:// is TLS from the start.  The status is the last SMTP reply code; a refusal
 *    (4xx/5xx reply, e.g. an unknown recipient) is EX_RESPONSE with that code and an empty
 *    body, error saying which: classify it with ex_classify_smtp, not ex_classify.
 *  - file://: file:///abs/path or file://localhost/abs/path, %XX decoded, no query; method
 *    must be "APPEND" (else EX_LOCAL); done on the executor thread when the job starts (it
 *    takes a slot and a token like any request).  EX_LOCAL carries the errno text.
 *  - Proxies: curl honours the process environment (http_proxy, https_proxy, no_proxy).
 */
#ifndef OH_EXECUTOR_H
#define OH_EXECUTOR_H

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
 * ex_create - start the executor thread (all signals blocked in it).  0, or -1 with err set
 * (err may be NULL).  REQUIRES curl_global_init(CURL_GLOBAL_DEFAULT) to have been called
 * once by main before any thread starts (the executor never calls it: it is not thread-safe).
 */
int ex_create(executor **out, char *err, size_t errlen);

/*
 * ex_destroy - stop accepting work, abort transfers in flight and call every pending
 * completion with EX_CANCELLED (in flight first, then waiting ones in queue order; each
 * exactly once, on the executor thread), join the thread, free.  NULL is a no-op.
 * Must not be called from a completion (it is then refused with an error log); no other
 * thread may use `ex` once ex_destroy has started (ex_submit from a completion that runs
 * during ex_destroy is refused with -1).
 */
void ex_destroy(executor *ex);

/*
 * ex_queue_set - create or update the queue called `name` (a plugin instance id) with
 * `limits` (copied).  Updating keeps requests already queued; requests in flight keep the
 * limits they started with.  Queues live until ex_destroy.  A warning is logged when a queue
 * is created with insecure_tls or switched to it (not at every update: callers may set the
 * limits before each submission).  0 / -1 (invalid limits, out of memory, stopping).
 */
int ex_queue_set(executor *ex, const char *name, const ex_limits *limits);

/*
 * ex_submit - queue `req` on queue `name`.  Ownership of `req` (an oh_request made by
 * host_request_new) passes to the executor, which frees it after `done` returns - also when
 * ex_submit fails (then done is NOT called and -1 is returned: unknown queue, stopping, out
 * of memory).  `done` may be NULL (fire and forget).  A request that cannot be built (bad
 * URL scheme, bad method, SMTP without envelope) is accepted and completes with EX_LOCAL.
 */
int ex_submit(executor *ex, const char *name, oh_request *req, ex_done_fn done, void *arg);

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

/* ex_submit_gated - ex_submit with a gate (NULL: none), called with the same `arg`. */
int ex_submit_gated(executor *ex, const char *name, oh_request *req, ex_gate_fn gate,
                    ex_done_fn done, void *arg);

/* ex_gate_open - the answer to a gate (see ex_gate_fn); any thread, once per ticket. */
void ex_gate_open(executor *ex, ex_ticket *ticket, int go);

/*
 * ex_result_dup - a heap copy of `res` that outlives the completion: body, headers and
 * error text copied, so the completion can hand the answer to another thread (the engine
 * parses answers on the order's worker, never on the executor thread).  The caller owns
 * the copy and frees it with ex_result_free; NULL when out of memory.  Any thread.
 */
ex_result *ex_result_dup(const ex_result *res);

/* ex_result_free - free a copy made by ex_result_dup (never a completion's own `res`).
 * NULL is a no-op. */
void ex_result_free(ex_result *res);

/* What the engine should do with an outcome (used when a plugin has no parse step). */
typedef enum ex_verdict { EX_OK = 0, EX_RETRY = 1, EX_FAIL = 2 } ex_verdict;

/*
 * ex_classify - 2xx: OK; 408, 425, 429, 5xx, network errors and timeouts: RETRY; other
 * statuses, EX_TOO_LARGE, EX_LOCAL: FAIL; EX_CANCELLED: RETRY; EX_UNEXPECTED: FAIL for a
 * redirect (the endpoint moved: fix the URL), RETRY for an HTML page (a portal goes away).
 */
ex_verdict ex_classify(const ex_result *res);

/*
 * ex_is_html_answer - a 2xx answer whose Content-Type is text/html or XHTML.  For callers
 * that know the answer must be an API's (a payment or carrier plugin about to parse it)
 * even when the request named no Accept type.
 */
int ex_is_html_answer(const oh_response *r);

/* The error of an HTML page where an API answer was expected (EX_UNEXPECTED's, the engine's). */
#define EX_HTML_ANSWER_ERROR "HTML page instead of an API answer (captive portal or proxy?)"

/*
 * ex_classify_smtp - the same for an smtp:// or smtps:// request, whose status is an SMTP
 * reply code: 2xx/3xx OK, 4xx RETRY (transient), 5xx and others FAIL (permanent); other
 * outcomes as ex_classify.  (Added: ex_classify's HTTP table would retry a 550 forever.)
 */
ex_verdict ex_classify_smtp(const ex_result *res);

/*
 * ex_backoff_ms - delay before attempt number `attempt` (1 = the first retry): exponential
 * from base_ms, capped at max_ms, with full jitter (uniform in [d/2, d]); a Retry-After
 * larger than that wins.
 * Precisely: d = min(base_ms * 2^(attempt-1), max_ms) (attempt < 1 counts as 1; max_ms <= 0
 * means no cap; no overflow for any attempt); the result is uniform in [d/2, d], or
 * retry_after_ms when that is larger (Retry-After is NOT capped by max_ms: cap it yourself
 * if you must).  Thread-safe, no shared state: the jitter is seeded from the clock.
 */
int64_t ex_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, int64_t retry_after_ms);

/*
 * ex_backoff_ms_r - the same with the caller's generator state (any value; it advances),
 * for a reproducible sequence (tests) or one generator per engine.  (Added.)
 */
int64_t ex_backoff_ms_r(int attempt, int64_t base_ms, int64_t max_ms, int64_t retry_after_ms,
                        uint64_t *state);

/* ex_queue_stats - requests waiting and in flight on queue `name` (either pointer may be
 * NULL); -1 if unknown. */
int ex_queue_stats(executor *ex, const char *name, size_t *waiting, size_t *in_flight);

/*
 * ex_queue_room - how many more requests queue `name` can usefully take now: twice its
 * concurrency (one round in flight, one waiting) less those waiting and in flight; 0 when
 * full or unknown.  Lets a producer hold work back instead of piling it up in memory.
 */
size_t ex_queue_room(executor *ex, const char *name);

#endif
