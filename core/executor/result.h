/*
 * result - filling an ex_result, and copies that outlive a completion.
 */
#ifndef OH_EXECUTOR_RESULT_H
#define OH_EXECUTOR_RESULT_H

#include "executor/executor_types.h"

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

/* For the executor's files: an empty result (no answer yet, retry_after_ms -1), and an
 * outcome with its error text. */
void ex_result_init(ex_result *res);
void ex_result_set(ex_result *res, ex_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
