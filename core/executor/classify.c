/*
 * classify - what to do with an outcome (ex_classify, ex_classify_smtp) and how long to
 * wait before the next attempt (ex_backoff_ms, ex_backoff_ms_r, and a Retry-After header
 * read by ex_retry_after_ms).  Pure functions: no state.
 */
#include "config.h"

#include "classify.h"

#include <curl/curl.h>
#include <time.h>

ex_verdict ex_classify(const ex_result *res)
{
    if (res == NULL)
        return EX_FAIL;
    switch (res->outcome) {
    case EX_RESPONSE: {
        int s = res->response.status;
        if (s >= 200 && s <= 299)
            return EX_OK;
        if (s == 408 || s == 425 || s == 429 || (s >= 500 && s <= 599))
            return EX_RETRY;
        return EX_FAIL;
    }
    case EX_NETWORK:
    case EX_TIMEOUT:
    case EX_CANCELLED:
        return EX_RETRY;
    case EX_UNEXPECTED: /* a moved endpoint stays moved; a portal page goes away */
        return res->response.status >= 300 && res->response.status <= 399 ? EX_FAIL : EX_RETRY;
    case EX_TOO_LARGE:
    case EX_LOCAL:
        return EX_FAIL;
    }
    return EX_FAIL;
}

ex_verdict ex_classify_smtp(const ex_result *res)
{
    if (res == NULL || res->outcome != EX_RESPONSE)
        return ex_classify(res);
    int s = res->response.status;
    if (s >= 200 && s <= 399)
        return EX_OK;
    if (s >= 400 && s <= 499)
        return EX_RETRY; /* transient negative completion */
    return EX_FAIL;      /* 5xx: permanent */
}

/* splitmix64: a good 64-bit mix; as a generator its state just advances by a constant. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int64_t ex_backoff_ms_r(int attempt, int64_t base_ms, int64_t max_ms, int64_t retry_after_ms,
                        uint64_t *state)
{
    if (base_ms < 0)
        base_ms = 0;
    int64_t cap = max_ms > 0 ? max_ms : INT64_MAX / 2;
    int64_t d = base_ms < cap ? base_ms : cap;
    for (int i = 1; i < attempt && i < 64 && d < cap; i++)
        d = d > cap / 2 ? cap : d * 2;
    int64_t lo = d / 2;
    uint64_t span = (uint64_t)(d - lo) + 1;
    int64_t jittered = lo + (int64_t)(splitmix64(state) % span);
    return retry_after_ms > jittered ? retry_after_ms : jittered;
}

int64_t ex_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms, int64_t retry_after_ms)
{
    /* No shared generator: seed from the clock and this stack frame each call. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t state = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    state ^= (uint64_t)(uintptr_t)&ts;
    return ex_backoff_ms_r(attempt, base_ms, max_ms, retry_after_ms, &state);
}

int64_t ex_retry_after_ms(const char *value, time_t now)
{
    if (value == NULL)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value >= '0' && *value <= '9') {
        int64_t secs = 0;
        const char *p = value;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (secs < INT64_MAX / 10000)
                secs = secs * 10 + (*p - '0');
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            return secs * 1000;
    }
    time_t t = curl_getdate(value, NULL);
    if (t == (time_t)-1)
        return -1;
    if (t <= now)
        return 0;
    int64_t diff = (int64_t)t - (int64_t)now;
    return diff < INT64_MAX / 1000 ? diff * 1000 : INT64_MAX;
}
