#include "config.h"

#include "server.h"

#include "../common/resume_timer.h"

#include "journey.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY (64 * 1024)

typedef struct route {
    const char *method, *path;
    int prefix;
    const fk_carrier *carrier;
    const char *name; /* key in /fake/stats */
} route;

static const route routes[] = {
    {"GET", "/ShippingAPI.dll", 0, &fk_usps, "usps_track"},
    {"GET", "/vis/track/pin/", 1, &fk_canadapost, "canadapost_track"},
    {"POST", "/security/v1/oauth/token", 0, &fk_ups, "ups_token"},
    {"GET", "/api/track/v1/details/", 1, &fk_ups, "ups_track"},
    {"POST", "/oauth/token", 0, &fk_fedex, "fedex_token"},
    {"POST", "/track/v1/trackingnumbers", 0, &fk_fedex, "fedex_track"},
    {"GET", "/track/shipments", 0, &fk_dhl, "dhl_track"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))
enum { R_STATS = NROUTES, R_RESET, R_UNKNOWN, R_COUNT };


struct fk_server {
    const fk_config *cfg;
    struct MHD_Daemon *daemon;
    jr_registry *journeys;
    resume_timer tm;
    uint16_t port;
    uint64_t draws;           /* error-rate draws, atomic */
    /* stats, atomic */
    uint64_t served[R_COUNT];
    uint64_t by_class[6];     /* 1xx..5xx */
    uint64_t injected;
    int64_t in_flight, max_in_flight;
    int64_t started_ms;
};

typedef struct req_ctx {
    fk_server *s;
    struct MHD_Connection *conn;
    char *body;
    size_t len;
    int too_big;
    int ready;                /* reply computed, connection suspended until due */
    int route;
    fk_reply reply;
    const char *retry_after;
} req_ctx;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/* ---- request plumbing -------------------------------------------------------------- */

static const char *get_header(const fk_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *get_query(const fk_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* A header override, or its query-parameter twin (for clients that cannot set headers). */
static const char *knob(struct MHD_Connection *c, const char *header, const char *param)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, header);
    return v ? v : MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, param);
}

static long knob_long(struct MHD_Connection *c, const char *header, const char *param,
                      long dflt, long lo, long hi)
{
    const char *v = knob(c, header, param);
    char *end;
    if (v == NULL)
        return dflt;
    long n = strtol(v, &end, 10);
    return (*end != '\0' || end == v || n < lo || n > hi) ? dflt : n;
}

static int find_route(const char *method, const char *url)
{
    for (size_t i = 0; i < NROUTES; i++) {
        const route *rt = &routes[i];
        size_t n = strlen(rt->path);
        if (strcmp(method, rt->method) == 0 &&
            (rt->prefix ? strncmp(url, rt->path, n) == 0 && url[n] != '\0'
                        : strcmp(url, rt->path) == 0))
            return (int)i;
    }
    if (strcmp(url, "/fake/stats") == 0 && strcmp(method, "GET") == 0)
        return R_STATS;
    if (strcmp(url, "/fake/reset") == 0 && strcmp(method, "POST") == 0)
        return R_RESET;
    return R_UNKNOWN;
}

static void stats_reply(fk_server *s, fk_reply *out)
{
    json_t *eps = json_object();
    for (size_t i = 0; i < NROUTES; i++)
        json_object_set_new(eps, routes[i].name,
                            json_integer((json_int_t)__atomic_load_n(&s->served[i],
                                                                     __ATOMIC_RELAXED)));
    json_object_set_new(eps, "unknown", json_integer((json_int_t)s->served[R_UNKNOWN]));
    uint64_t total = 0;
    for (size_t i = 0; i < NROUTES; i++)
        total += __atomic_load_n(&s->served[i], __ATOMIC_RELAXED);
    json_t *cls = json_object();
    for (int i = 1; i <= 5; i++) {
        char k[4] = {(char)('0' + i), 'x', 'x', 0};
        json_object_set_new(cls, k, json_integer((json_int_t)s->by_class[i]));
    }
    json_t *doc = json_pack(
        "{s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "requests", (json_int_t)total,
        "endpoints", eps, "status", cls, "injected_errors", (json_int_t)s->injected,
        "in_flight", (json_int_t)__atomic_load_n(&s->in_flight, __ATOMIC_RELAXED),
        "max_in_flight", (json_int_t)__atomic_load_n(&s->max_in_flight, __ATOMIC_RELAXED),
        "tracked_numbers", (json_int_t)jr_count(s->journeys), "uptime_ms",
        (json_int_t)(wall_ms() - s->started_ms), "latency_ms", (json_int_t)s->cfg->latency_ms,
        "error_rate", s->cfg->error_rate);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    fk_reply_set(out, 200, "application/json", text);
}

static void reset(fk_server *s, fk_reply *out)
{
    for (int i = 0; i < R_COUNT; i++)
        __atomic_store_n(&s->served[i], 0, __ATOMIC_RELAXED);
    for (int i = 0; i < 6; i++)
        __atomic_store_n(&s->by_class[i], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->injected, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->max_in_flight, __atomic_load_n(&s->in_flight, __ATOMIC_RELAXED),
                     __ATOMIC_RELAXED);
    jr_reset(s->journeys);
    fk_reply_set(out, 200, "application/json", strdup("{\"reset\":true}"));
}

/* splitmix64 of a shared counter: a uniform draw in [0,1), reproducible with --seed. */
static double draw(fk_server *s)
{
    uint64_t z = __atomic_fetch_add(&s->draws, 1, __ATOMIC_RELAXED) + s->cfg->seed;
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* Computes ctx->reply for a complete request: injection first, then the carrier. */
static void compute(req_ctx *ctx, const char *method, const char *url)
{
    fk_server *s = ctx->s;
    struct MHD_Connection *c = ctx->conn;
    fk_reply *out = &ctx->reply;
    if (ctx->route == R_STATS) {
        stats_reply(s, out);
        return;
    }
    if (ctx->route == R_RESET) {
        reset(s, out);
        return;
    }
    if (ctx->route == R_UNKNOWN) {
        fk_reply_set(out, 404, "text/plain", strdup("no such endpoint in the fake carrier\n"));
        return;
    }
    const fk_carrier *carrier = routes[ctx->route].carrier;
    fk_req r = {.cfg = s->cfg,
                .journeys = s->journeys,
                .method = method,
                .url = url,
                .body = ctx->body ? ctx->body : "",
                .body_len = ctx->len,
                .now_ms = s->cfg->clock_s ? s->cfg->clock_s * 1000 : wall_ms(),
                .scans_limit = (int)knob_long(c, "X-Fake-Scans", "fake_scans", -1, 0, 1000),
                .header = get_header,
                .query = get_query,
                .conn = c};
    long forced = knob_long(c, "X-Fake-Status", "fake_status", 0, 100, 599);
    if (ctx->too_big) {
        carrier->error(&r, 413, out);
    } else if (forced >= 300) {
        carrier->error(&r, (int)forced, out);
        __atomic_fetch_add(&s->injected, 1, __ATOMIC_RELAXED);
    } else if (s->cfg->error_rate > 0 && draw(s) < s->cfg->error_rate) {
        carrier->error(&r, 503, out);
        __atomic_fetch_add(&s->injected, 1, __ATOMIC_RELAXED);
    } else {
        carrier->handle(&r, out);
    }
    if (out->status == 429 || out->status == 503)
        ctx->retry_after = "1";
    if (knob_long(c, "X-Fake-Malformed", "fake_malformed", 0, 0, 1) == 1 && out->len > 1) {
        /* Cut the body in half: unbalanced XML / JSON, as a dropped proxy connection. */
        out->len /= 2;
        out->body[out->len] = '\0';
        __atomic_fetch_add(&s->injected, 1, __ATOMIC_RELAXED);
    }
}

static enum MHD_Result send_reply(req_ctx *ctx)
{
    fk_reply *rep = &ctx->reply;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(rep->len, rep->body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        return MHD_NO;
    rep->body = NULL; /* MHD owns it now */
    MHD_add_response_header(resp, "Content-Type", rep->content_type);
    if (rep->www_auth != NULL)
        MHD_add_response_header(resp, "WWW-Authenticate", rep->www_auth);
    if (ctx->retry_after != NULL)
        MHD_add_response_header(resp, "Retry-After", ctx->retry_after);
    enum MHD_Result rc = MHD_queue_response(ctx->conn, (unsigned)rep->status, resp);
    MHD_destroy_response(resp);
    __atomic_fetch_add(&ctx->s->served[ctx->route], 1, __ATOMIC_RELAXED);
    int cls = rep->status / 100;
    if (cls >= 1 && cls <= 5)
        __atomic_fetch_add(&ctx->s->by_class[cls], 1, __ATOMIC_RELAXED);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    fk_server *s = cls;
    req_ctx *ctx = *con_cls;
    if (ctx == NULL) {
        ctx = calloc(1, sizeof(*ctx));
        if (ctx == NULL)
            return MHD_NO;
        ctx->s = s;
        ctx->conn = c;
        ctx->route = find_route(method, url);
        *con_cls = ctx;
        int64_t now = __atomic_add_fetch(&s->in_flight, 1, __ATOMIC_RELAXED);
        int64_t max = __atomic_load_n(&s->max_in_flight, __ATOMIC_RELAXED);
        while (now > max && !__atomic_compare_exchange_n(&s->max_in_flight, &max, now, 1,
                                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (ctx->len + *upload_size > MAX_BODY) {
            ctx->too_big = 1;
        } else {
            char *b = realloc(ctx->body, ctx->len + *upload_size + 1);
            if (b == NULL)
                return MHD_NO;
            memcpy(b + ctx->len, upload_data, *upload_size);
            ctx->len += *upload_size;
            b[ctx->len] = '\0';
            ctx->body = b;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (ctx->ready) /* resumed by the timer: the answer is due now */
        return send_reply(ctx);
    compute(ctx, method, url);
    long latency = ctx->route < (int)NROUTES
                       ? knob_long(c, "X-Fake-Latency-Ms", "fake_latency_ms",
                                   (long)s->cfg->latency_ms, 0, 600000)
                       : 0;
    if (latency > 0) {
        ctx->ready = 1;
        MHD_suspend_connection(c); /* suspend first: the timer may resume at once */
        resume_timer_add(&s->tm, c, (int64_t)latency);
        return MHD_YES;
    }
    return send_reply(ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    fk_server *s = cls;
    req_ctx *ctx = *con_cls;
    if (ctx == NULL)
        return;
    __atomic_sub_fetch(&s->in_flight, 1, __ATOMIC_RELAXED);
    free(ctx->body);
    free(ctx->reply.body);
    free(ctx);
    *con_cls = NULL;
}

fk_server *fk_server_start(const fk_config *cfg)
{
    fk_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->cfg = cfg;
    s->started_ms = wall_ms();
    s->journeys = jr_new();
    if (s->journeys == NULL || resume_timer_start(&s->tm) != 0) {
        jr_free(s->journeys);
        free(s);
        return NULL;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)16384, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)4096, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        fk_server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    return s;
}

uint16_t fk_server_port(const fk_server *s)
{
    return s->port;
}

void fk_server_stop(fk_server *s)
{
    if (s == NULL)
        return;
    /* Resume whatever still waits (MHD must not stop with suspended connections), then
     * let MHD answer them and close. */
    resume_timer_stop(&s->tm);
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    jr_free(s->journeys);
    free(s);
}
