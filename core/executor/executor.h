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

/* The types, then the functions of the executor's other files that callers use. */
#include "executor/executor_types.h"

#include "executor/answer.h"
#include "executor/classify.h"
#include "executor/result.h"

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

/* ex_submit_gated - ex_submit with a gate (NULL: none), called with the same `arg`. */
int ex_submit_gated(executor *ex, const char *name, oh_request *req, ex_gate_fn gate,
                    ex_done_fn done, void *arg);

/* ex_gate_open - the answer to a gate (see ex_gate_fn); any thread, once per ticket. */
void ex_gate_open(executor *ex, ex_ticket *ticket, int go);

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
