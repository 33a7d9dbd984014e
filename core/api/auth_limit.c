/*
 * auth_limit - failed authentications per client (see auth_limit.h).
 */
#include "config.h"

#include "api/auth_limit.h"

#include "log/log.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

typedef struct fail_slot {
    client_key key;
    int failures;              /* within the window that started at window_start_ms */
    int64_t window_start_ms;
    int64_t blocked_until_ms;  /* 0: not blocked */
    int32_t next;              /* the next slot of its hash bucket, -1: none */
} fail_slot;

struct auth_limit {
    pthread_mutex_t lock;
    fail_slot *slots;
    size_t capacity, used;
    int32_t *buckets;          /* first slot of each bucket, -1: none */
    size_t bucket_mask;
    uint64_t seed;             /* a client cannot choose addresses that share a bucket */
    int limit;
    int64_t window_ms, block_ms;
    unsigned long long untracked;  /* failures of clients that found the table all blocked */
    int64_t untracked_logged_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void client_key_text(const client_key *k, char *buf, size_t len)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const char *s = memcmp(k->b, mapped, sizeof(mapped)) == 0
                        ? inet_ntop(AF_INET, k->b + 12, buf, (socklen_t)len)
                        : inet_ntop(AF_INET6, k->b, buf, (socklen_t)len);
    if (s == NULL && len > 0)
        snprintf(buf, len, "?");
}

int auth_limit_new(const cfg_api_limits *limits, auth_limit **out, char *err, size_t errlen)
{
    auth_limit *t = calloc(1, sizeof(*t));
    size_t cap = (size_t)limits->auth_clients, nb = 16;
    while (nb < cap)
        nb <<= 1;
    if (t != NULL) {
        t->slots = calloc(cap, sizeof(*t->slots));
        t->buckets = malloc(nb * sizeof(*t->buckets));
    }
    if (t == NULL || t->slots == NULL || t->buckets == NULL) {
        if (t != NULL) {
            free(t->slots);
            free(t->buckets);
            free(t);
        }
        snprintf(err, errlen, "out of memory (failed-authentication table of %zu clients)",
                 cap);
        return -1;
    }
    memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
    t->capacity = cap;
    t->bucket_mask = nb - 1;
    if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed))
        t->seed = (uint64_t)now_ms() * 0x9e3779b97f4a7c15ull;
    t->limit = (int)limits->auth_fail_limit;
    t->window_ms = limits->auth_fail_window_s * 1000;
    t->block_ms = limits->auth_block_s * 1000;
    pthread_mutex_init(&t->lock, NULL);
    *out = t;
    return 0;
}

void auth_limit_free(auth_limit *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->slots);
    free(t->buckets);
    free(t);
}

static size_t bucket_of(const auth_limit *t, const client_key *k)
{
    uint64_t h = 0xcbf29ce484222325ull ^ t->seed;   /* FNV-1a, seeded */
    for (size_t i = 0; i < sizeof(k->b); i++)
        h = (h ^ k->b[i]) * 0x100000001b3ull;
    return (size_t)(h ^ (h >> 32)) & t->bucket_mask;
}

static fail_slot *find(const auth_limit *t, const client_key *k)
{
    for (int32_t i = t->buckets[bucket_of(t, k)]; i >= 0; i = t->slots[i].next)
        if (memcmp(t->slots[i].key.b, k->b, sizeof(k->b)) == 0)
            return &t->slots[i];
    return NULL;
}

static void unlink_slot(auth_limit *t, int32_t idx)
{
    int32_t *p = &t->buckets[bucket_of(t, &t->slots[idx].key)];
    while (*p >= 0 && *p != idx)
        p = &t->slots[*p].next;
    if (*p == idx)
        *p = t->slots[idx].next;
}

/* Which entry a new client may take: never a blocked one.  A stale entry (its window over)
 * first, else the one with the fewest failures, then the oldest: a client near its limit is
 * the last to be forgotten.  -1: every entry is blocked. */
static int32_t victim(const auth_limit *t, int64_t now)
{
    int32_t best = -1;
    for (size_t i = 0; i < t->capacity; i++) {
        const fail_slot *s = &t->slots[i];
        if (s->blocked_until_ms > now)
            continue;
        if (now - s->window_start_ms > t->window_ms)
            return (int32_t)i;
        if (best < 0 || s->failures < t->slots[best].failures ||
            (s->failures == t->slots[best].failures &&
             s->window_start_ms < t->slots[best].window_start_ms))
            best = (int32_t)i;
    }
    return best;
}

static fail_slot *track(auth_limit *t, const client_key *k, int64_t now)
{
    int32_t idx;
    if (t->used < t->capacity) {
        idx = (int32_t)t->used++;
    } else {
        idx = victim(t, now);
        if (idx < 0)
            return NULL;
        unlink_slot(t, idx);
    }
    fail_slot *s = &t->slots[idx];
    memset(s, 0, sizeof(*s));
    s->key = *k;
    s->window_start_ms = now;
    size_t b = bucket_of(t, k);
    s->next = t->buckets[b];
    t->buckets[b] = idx;
    return s;
}

int auth_limit_blocked(auth_limit *t, const client_key *k)
{
    pthread_mutex_lock(&t->lock);
    const fail_slot *s = find(t, k);
    int b = s != NULL && s->blocked_until_ms > now_ms();
    pthread_mutex_unlock(&t->lock);
    return b;
}

void auth_limit_failed(auth_limit *t, const client_key *k)
{
    char who[INET6_ADDRSTRLEN];
    int blocked_now = 0;
    unsigned long long untracked = 0;
    pthread_mutex_lock(&t->lock);
    int64_t now = now_ms();
    fail_slot *s = find(t, k);
    if (s == NULL)
        s = track(t, k, now);
    if (s == NULL) {
        /* Refused rather than forgetting a blocked client; said once per window. */
        t->untracked++;
        if (now - t->untracked_logged_ms > t->window_ms) {
            t->untracked_logged_ms = now;
            untracked = t->untracked;
        }
    } else if (s->blocked_until_ms <= now) {
        if (s->blocked_until_ms != 0 || now - s->window_start_ms > t->window_ms) {
            s->blocked_until_ms = 0;    /* a block served, or a window over: a new count */
            s->failures = 0;
            s->window_start_ms = now;
        }
        if (++s->failures >= t->limit) {
            s->blocked_until_ms = now + t->block_ms;
            blocked_now = 1;
        }
    }
    pthread_mutex_unlock(&t->lock);
    if (blocked_now) {
        client_key_text(k, who, sizeof(who));
        log_warn("api: client %s blocked for %lld s after %d failed authentications", who,
                 (long long)(t->block_ms / 1000), t->limit);
    }
    if (untracked > 0)
        log_warn("api: failed-authentication table full of blocked clients (%zu); %llu "
                 "failures from further clients not tracked so far", t->capacity, untracked);
}
