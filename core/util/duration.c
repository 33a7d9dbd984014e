/*
 * duration - see duration.h.  strtoll is not used: it accepts a sign and leading spaces,
 * and a configuration value should mean exactly one thing.
 */
#include "config.h"

#include "duration.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
    char unit;
    int64_t ms;
} units[] = {{'d', 86400000}, {'h', 3600000}, {'m', 60000}, {'s', 1000}};

int duration_format(int64_t ms, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (ms != 0 && ms % units[i].ms == 0)
            return snprintf(buf, len, "%" PRId64 "%c", ms / units[i].ms, units[i].unit);
    return snprintf(buf, len, "%" PRId64 "s", ms / 1000);
}

int duration_parse(const char *text, int64_t min_ms, int64_t max_ms, int64_t *ms, char *why,
                   size_t whylen)
{
    if (text == NULL || *text == '\0') {
        snprintf(why, whylen, "a duration is a number and a unit (s, m, h or d), e.g. \"48h\"");
        return -1;
    }
    const char *p = text;
    uint64_t n = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > (UINT64_MAX - 9) / 10) {
            snprintf(why, whylen, "\"%.40s\" is too large", text);
            return -1;
        }
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (p == text) {
        snprintf(why, whylen, "\"%.40s\" does not start with a number", text);
        return -1;
    }
    if (*p == '\0') {
        snprintf(why, whylen, "\"%.40s\" has no unit (s, m, h or d)", text);
        return -1;
    }
    int64_t per = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (*p == units[i].unit)
            per = units[i].ms;
    if (per == 0 || p[1] != '\0') {
        snprintf(why, whylen, "\"%.40s\": the unit must be one of s, m, h, d, alone after the "
                 "number", text);
        return -1;
    }
    char lim[32];
    if (n > (uint64_t)(max_ms / per)) {
        duration_format(max_ms, lim, sizeof(lim));
        snprintf(why, whylen, "\"%.40s\" is more than %s", text, lim);
        return -1;
    }
    int64_t v = (int64_t)n * per;
    if (v > max_ms || v < min_ms) {
        duration_format(v > max_ms ? max_ms : min_ms, lim, sizeof(lim));
        snprintf(why, whylen, "\"%.40s\" is %s than %s", text, v > max_ms ? "more" : "less",
                 lim);
        return -1;
    }
    *ms = v;
    return 0;
}
