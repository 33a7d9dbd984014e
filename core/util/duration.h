/*
 * duration - a length of time as a sysadmin writes it in the configuration: "90s", "30m",
 * "48h", "7d".
 *
 * One unsigned decimal number and one unit, nothing else: no sign, no spaces, no
 * fractions, no sums ("1h30m" is written "90m").  A bare number is refused rather than
 * guessed at, because "72" could mean hours (the old *_hours keys) or seconds.  The result
 * is in milliseconds, which is what the engine's timers count.
 */
#ifndef OH_DURATION_H
#define OH_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * duration_parse - read `text` into *ms.  The value must lie in [min_ms, max_ms] (both
 * inclusive, min_ms >= 0).  0 on success; -1 with `why` (NUL-terminated, at most whylen
 * bytes) saying what is wrong, e.g. "\"72\" has no unit (s, m, h or d)" or "\"400d\" is
 * more than 365d".  *ms is written only on success.  `text` may be NULL (refused).
 */
int duration_parse(const char *text, int64_t min_ms, int64_t max_ms, int64_t *ms, char *why,
                   size_t whylen);

/*
 * duration_format - write `ms` the way duration_parse reads it, in the largest unit that
 * divides it exactly ("48h", "90s"); a value that is not a whole number of seconds is
 * written in seconds rounded down.  Returns what snprintf returns.
 */
int duration_format(int64_t ms, char *buf, size_t len);

#endif
