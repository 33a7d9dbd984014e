/*
 * classify - what to do with an outcome, and how long to wait before the next attempt.
 */
#ifndef OH_EXECUTOR_CLASSIFY_H
#define OH_EXECUTOR_CLASSIFY_H

#include "executor/executor_types.h"

#include <time.h>

/* What the engine should do with an outcome (used when a plugin has no parse step). */
typedef enum ex_verdict { EX_OK = 0, EX_RETRY = 1, EX_FAIL = 2 } ex_verdict;

/*
 * ex_classify - 2xx: OK; 408, 425, 429, 5xx, network errors and timeouts: RETRY; other
 * statuses, EX_TOO_LARGE, EX_LOCAL: FAIL; EX_CANCELLED: RETRY; EX_UNEXPECTED: FAIL for a
 * redirect (the endpoint moved: fix the URL), RETRY for an HTML page (a portal goes away).
 */
ex_verdict ex_classify(const ex_result *res);

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

/* For the executor's files: a Retry-After value (delta-seconds or HTTP-date) as ms from
 * `now`, never negative; -1 if it is neither. */
int64_t ex_retry_after_ms(const char *value, time_t now);

#endif
