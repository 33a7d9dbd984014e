/*
 * track_ceiling - the ceiling of tracking polls: a bare curl-multi client that keeps N UPS
 * Track requests in flight against orderhub-fake-carrier for S seconds, and prints
 * requests/s, p50/p99 latency and the most requests in flight (client side, and the fake's
 * own /fake/stats). It is what the daemon-side tracking benchmark should be compared with:
 * the same fake, the same latency, no daemon in between.
 *
 *   orderhub-fake-carrier --port 8790 --latency-ms 50 &
 *   bench/track_ceiling --url http://127.0.0.1:8790 --concurrency 256 --seconds 10
 *
 * The last line is "RESULT key=value ..." for scripts. Exit 0 when every answer was a 200,
 * 1 when some were not (the counts say how many), 2 for bad options or no server.
 */
#include "config.h"

#include <curl/curl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct slot {
    CURL *easy;
    int64_t started_us;
    char url[256];
} slot;

typedef struct samples {
    uint32_t *us;
    size_t n, cap;
} samples;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    return size * n;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    char *buf = ud;
    size_t have = strlen(buf), add = size * n;
    if (have + add < 4096) {
        memcpy(buf + have, p, add);
        buf[have + add] = '\0';
    }
    return size * n;
}

static int add_sample(samples *s, int64_t us)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 65536;
        uint32_t *p = realloc(s->us, cap * sizeof(uint32_t));
        if (p == NULL)
            return -1;
        s->us = p;
        s->cap = cap;
    }
    s->us[s->n++] = (uint32_t)(us > UINT32_MAX ? UINT32_MAX : us);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(const samples *s, double p)
{
    if (s->n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
    return s->us[i] / 1000.0;
}

/* Points the slot at the next tracking number (a "1Z" + 16 characters UPS number). */
static void next_request(slot *sl, const char *base, uint64_t k, uint64_t distinct)
{
    snprintf(sl->url, sizeof(sl->url), "%s/api/track/v1/details/1ZBENCH0%010llu", base,
             (unsigned long long)(k % distinct));
    curl_easy_setopt(sl->easy, CURLOPT_URL, sl->url);
    sl->started_us = now_us();
}

static long server_max_in_flight(const char *base)
{
    char url[256], body[4096] = "";
    snprintf(url, sizeof(url), "%s/fake/stats", base);
    CURL *e = curl_easy_init();
    if (e == NULL)
        return -1;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_cleanup(e);
    const char *m = strstr(body, "\"max_in_flight\":");
    return rc == CURLE_OK && m ? strtol(m + 16, NULL, 10) : -1;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: track_ceiling [--url http://127.0.0.1:8790] [--concurrency 256]\n"
               "                     [--seconds 10] [--token fake-token] [--numbers 1000]\n");
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"url", required_argument, NULL, 'u'},     {"concurrency", required_argument, NULL, 'c'},
        {"seconds", required_argument, NULL, 's'}, {"token", required_argument, NULL, 't'},
        {"numbers", required_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *base = "http://127.0.0.1:8790", *token = "fake-token";
    long conc = 256, distinct = 1000;
    double seconds = 10;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'u': base = optarg; break;
        case 'c': conc = strtol(optarg, NULL, 10); break;
        case 's': seconds = strtod(optarg, NULL); break;
        case 't': token = optarg; break;
        case 'n': distinct = strtol(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (conc < 1 || conc > 20000 || seconds <= 0 || distinct < 1 || strlen(base) > 150) {
        usage(stderr);
        return 2;
    }
    if (server_max_in_flight(base) < 0) {
        fprintf(stderr, "track_ceiling: no orderhub-fake-carrier at %s\n", base);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    /* Keep every connection: N in flight means N keep-alive connections. */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conc);
    char auth[300];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "transId: track-ceiling");
    hdrs = curl_slist_append(hdrs, "transactionSrc: orderhub-bench");
    slot *slots = calloc((size_t)conc, sizeof(slot));
    if (slots == NULL || hdrs == NULL)
        return 2;
    uint64_t k = 0;
    for (long i = 0; i < conc; i++) {
        slots[i].easy = curl_easy_init();
        curl_easy_setopt(slots[i].easy, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(slots[i].easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(slots[i].easy, CURLOPT_PRIVATE, &slots[i]);
        curl_easy_setopt(slots[i].easy, CURLOPT_TIMEOUT_MS, 30000L);
        next_request(&slots[i], base, k++, (uint64_t)distinct);
        curl_multi_add_handle(multi, slots[i].easy);
    }
    samples lat = {0};
    uint64_t ok = 0, errors = 0;
    long in_flight = conc, max_in_flight = conc;
    int64_t start = now_us(), deadline = start + (int64_t)(seconds * 1e6), end = start;
    while (in_flight > 0) {
        int running;
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            slot *sl;
            long code = 0;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
            int64_t t = now_us();
            if (m->data.result == CURLE_OK && code == 200) {
                ok++;
                add_sample(&lat, t - sl->started_us);
            } else {
                errors++;
            }
            end = t;
            curl_multi_remove_handle(multi, sl->easy);
            in_flight--;
            if (t < deadline) { /* keep N in flight until the deadline, then drain */
                next_request(sl, base, k++, (uint64_t)distinct);
                curl_multi_add_handle(multi, sl->easy);
                in_flight++;
            }
        }
        if (in_flight > max_in_flight)
            max_in_flight = in_flight;
        if (in_flight > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    double secs = (double)(end - start) / 1e6;
    qsort(lat.us, lat.n, sizeof(uint32_t), cmp_u32);
    long server_max = server_max_in_flight(base);
    double rps = secs > 0 ? (double)(ok + errors) / secs : 0;
    printf("track_ceiling: %ld in flight for %.1f s against %s/api/track/v1/details/...\n",
           conc, seconds, base);
    printf("requests/s   %.1f   (%llu ok, %llu errors, %.2f s)\n", rps,
           (unsigned long long)ok, (unsigned long long)errors, secs);
    printf("latency ms   p50 %.2f  p99 %.2f  max %.2f\n", pct_ms(&lat, 0.50),
           pct_ms(&lat, 0.99), pct_ms(&lat, 1.0));
    printf("in flight    client max %ld, server max_in_flight %ld\n", max_in_flight,
           server_max);
    printf("RESULT rps=%.1f ok=%llu errors=%llu secs=%.3f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
           "concurrency=%ld client_max_in_flight=%ld server_max_in_flight=%ld\n",
           rps, (unsigned long long)ok, (unsigned long long)errors, secs, pct_ms(&lat, 0.50),
           pct_ms(&lat, 0.99), pct_ms(&lat, 1.0), conc, max_in_flight, server_max);
    for (long i = 0; i < conc; i++)
        curl_easy_cleanup(slots[i].easy);
    free(slots);
    free(lat.us);
    curl_slist_free_all(hdrs);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return errors == 0 ? 0 : 1;
}
