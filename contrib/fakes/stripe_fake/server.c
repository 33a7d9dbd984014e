#include "config.h"

#include "server.h"

#include "../common/resume_timer.h"

#include "bank.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY (64 * 1024)


struct sf_server {
    const sf_config *cfg;
    struct MHD_Daemon *daemon;
    sf_bank *bank;
    resume_timer tm;
    uint16_t port;
    uint64_t draws;     /* error-rate draws, atomic */
    uint64_t requests;  /* for Request-Id, atomic */
};

typedef struct req_ctx {
    sf_server *s;
    char *body;
    size_t len;
    int too_big;
    int ready;          /* answer computed, connection suspended until due */
    sf_reply reply;
    char idem[256];     /* echoed Idempotency-Key ("" none) */
} req_ctx;


/* ---- answers ----------------------------------------------------------------------------- */

static void set_text(sf_reply *out, int status, const char *text)
{
    out->status = status;
    out->body = strdup(text);
    out->len = out->body ? strlen(out->body) : 0;
    out->should_retry = -1;
}

/* splitmix64 of a shared counter: a uniform draw in [0,1), reproducible with --seed. */
static double draw(sf_server *s)
{
    uint64_t z = __atomic_fetch_add(&s->draws, 1, __ATOMIC_RELAXED) + s->cfg->seed;
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* Stripe's 401 bodies: no key, or a wrong one shown with all but its last 4 masked. */
static int authenticated(sf_server *s, struct MHD_Connection *c, sf_reply *out)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *key = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
    if (key != NULL && strcmp(key, s->cfg->secret_key) == 0)
        return 1;
    char msg[400];
    if (key == NULL || key[0] == '\0') {
        snprintf(msg, sizeof(msg), "You did not provide an API key. You need to provide your "
                 "API key in the Authorization header, using Bearer auth (e.g. "
                 "'Authorization: Bearer YOUR_SECRET_KEY'). See "
                 "https://stripe.com/docs/api#authentication for details, or we can help at "
                 "https://support.stripe.com/.");
    } else {
        /* "sk_test_" kept, the middle starred, the last 4 shown, as Stripe prints it. */
        size_t n = strlen(key), prefix = 0, stars;
        if (strncmp(key, "sk_", 3) == 0 && strchr(key + 3, '_') != NULL)
            prefix = (size_t)(strchr(key + 3, '_') - key) + 1;
        if (n < prefix + 4)
            prefix = 0;
        stars = n > prefix + 4 ? n - prefix - 4 : 0;
        char masked[96];
        snprintf(masked, sizeof(masked), "%.*s%.*s%s", (int)(prefix > 40 ? 40 : prefix), key,
                 (int)(stars > 40 ? 40 : stars), "****************************************",
                 n >= 4 ? key + n - 4 : "");
        snprintf(msg, sizeof(msg), "Invalid API Key provided: %s", masked);
    }
    json_t *j = json_pack("{s:{s:s, s:s}}", "error", "message", msg, "type",
                          "invalid_request_error");
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    set_text(out, 401, text ? text : "{}");
    free(text);
    return 0;
}

static void compute(req_ctx *ctx, struct MHD_Connection *c, const char *method,
                    const char *url)
{
    sf_server *s = ctx->s;
    sf_reply *out = &ctx->reply;
    out->should_retry = -1;
    if (strcmp(url, "/fake/ledger") == 0 && strcmp(method, "GET") == 0) {
        char *text = sf_bank_ledger(s->bank);
        set_text(out, text ? 200 : 500, text ? text : "{}");
        free(text);
        return;
    }
    if (strcmp(url, "/fake/reset") == 0 && strcmp(method, "POST") == 0) {
        sf_bank_reset(s->bank);
        set_text(out, 200, "{\"reset\":true}");
        return;
    }
    if (ctx->too_big) {
        set_text(out, 413, "{\"error\":{\"message\":\"Request body too large\","
                           "\"type\":\"invalid_request_error\"}}");
        return;
    }
    if (!authenticated(s, c, out)) /* before the idempotency layer: never recorded */
        return;
    if (s->cfg->error_rate > 0 && draw(s) < s->cfg->error_rate) {
        /* Failing in front of the API: the request never reached the idempotency layer. */
        sf_bank_count_injected(s->bank);
        set_text(out, 500, "{\n  \"error\": {\n    \"message\": \"An unknown error occurred\",\n"
                           "    \"type\": \"api_error\"\n  }\n}");
        out->should_retry = 1;
        return;
    }
    const char *idem = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (idem != NULL && strcmp(method, "POST") == 0)
        snprintf(ctx->idem, sizeof(ctx->idem), "%s", idem);
    sf_bank_handle(s->bank, method, url, ctx->body ? ctx->body : "",
                   strcmp(method, "POST") == 0 ? idem : NULL, out);
}

static enum MHD_Result send_reply(req_ctx *ctx, struct MHD_Connection *c)
{
    sf_reply *rep = &ctx->reply;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        rep->len, rep->body ? rep->body : (char *)"", rep->body ? MHD_RESPMEM_MUST_FREE
                                                                  : MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    rep->body = NULL; /* MHD owns it now */
    char rid[32];
    snprintf(rid, sizeof(rid), "req_fake%014llu",
             (unsigned long long)__atomic_add_fetch(&ctx->s->requests, 1, __ATOMIC_RELAXED));
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Request-Id", rid);
    MHD_add_response_header(resp, "Stripe-Version", "2024-06-20");
    if (ctx->idem[0] != '\0')
        MHD_add_response_header(resp, "Idempotency-Key", ctx->idem);
    if (rep->replayed)
        MHD_add_response_header(resp, "Idempotent-Replayed", "true");
    if (rep->should_retry >= 0)
        MHD_add_response_header(resp, "Stripe-Should-Retry", rep->should_retry ? "true" : "false");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)rep->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    sf_server *s = cls;
    req_ctx *ctx = *con_cls;
    if (ctx == NULL) {
        if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
            return MHD_NO;
        ctx->s = s;
        *con_cls = ctx;
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
        return send_reply(ctx, c);
    compute(ctx, c, method, url);
    int64_t latency = strncmp(url, "/fake/", 6) == 0 ? 0
                                                     : s->cfg->latency_ms + ctx->reply.latency_ms;
    if (latency > 0) {
        ctx->ready = 1;
        MHD_suspend_connection(c); /* suspend first: the timer may resume at once */
        resume_timer_add(&s->tm, c, (int64_t)latency);
        return MHD_YES;
    }
    return send_reply(ctx, c);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req_ctx *ctx = *con_cls;
    if (ctx == NULL)
        return;
    free(ctx->body);
    free(ctx->reply.body);
    free(ctx);
    *con_cls = NULL;
}

sf_server *sf_server_start(const sf_config *cfg)
{
    sf_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->cfg = cfg;
    s->bank = sf_bank_new(cfg);
    if (s->bank == NULL || resume_timer_start(&s->tm) != 0) {
        sf_bank_free(s->bank);
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
        (unsigned)4096, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        sf_server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    return s;
}

uint16_t sf_server_port(const sf_server *s)
{
    return s->port;
}

void sf_server_stop(sf_server *s)
{
    if (s == NULL)
        return;
    resume_timer_stop(&s->tm);
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    sf_bank_free(s->bank);
    free(s);
}
