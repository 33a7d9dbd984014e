/*
 * api - the server: connections, request bodies, the answer of a connection resumed once the
 * engine made a change durable (reply.c suspends it and records the answer), and dispatch by
 * path to the handlers (orders.c, stock.c, webhooks.c, admin.c, store_health.c).
 */
#include "config.h"

#include "api/api.h"

#include "admin.h"
#include "auth.h"
#include "ledger.h"
#include "orders.h"
#include "reply.h"
#include "stock.h"
#include "store_health.h"
#include "webhooks.h"

#include "api/api_types.h"
#include "api/auth_limit.h"
#include "api/conn_guard.h"
#include "config/config_file.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result route(req_ctx *ctx, const char *method, const char *url)
{
    if (ctx->too_big)
        return api_send_error(ctx, 413, "request body over 64 KiB", "");
    if (strcmp(url, "/healthz") == 0)
        return api_healthz(ctx);
    if (strcmp(url, "/metrics") == 0)
        return api_metrics(ctx);
    if (strncmp(url, "/v1/", 4) != 0)
        return api_send_error(ctx, 404, "no such resource", "");
    static const char hooks[] = "/v1/webhooks/";
    if (strncmp(url, hooks, sizeof(hooks) - 1) == 0) {
        ctx->webhook = 1;
        return api_webhook(ctx, method, url + sizeof(hooks) - 1);
    }
    int auth = api_authenticate(ctx->a, ctx->conn, &ctx->who);
    if (auth == 401)
        return api_send_error(ctx, 401, "missing or wrong bearer token", "");
    if (auth != 0)
        return api_send_error(ctx, 429, "too many failed authentications from this client; "
                              "wait before retrying", "");
    if (strcmp(url, "/v1/orders") == 0 || strncmp(url, "/v1/orders/", 11) == 0 ||
        strncmp(url, "/v1/orders?", 11) == 0)
        return api_orders(ctx, method, url);
    if (strcmp(url, "/v1/stock") == 0 || strncmp(url, "/v1/stock/", 10) == 0)
        return api_stock(ctx, method, url);
    if (strcmp(url, "/v1/ledger") == 0 || strncmp(url, "/v1/ledger/", 11) == 0)
        return api_ledger(ctx, method, url);
    return api_admin(ctx, method, url);
}

/* Answer a connection the engine has just resumed. */
static enum MHD_Result answer_resumed(req_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    int ready = ctx->ready, status = ctx->status;
    char *text = ctx->response;
    ctx->response = NULL;
    pthread_mutex_unlock(&ctx->lock);
    if (!ready)
        return MHD_YES;
    ctx->waiting = 0;
    enum MHD_Result rc = api_send_text(ctx, text ? status : 500,
                                       text ? text : "{\"error\":\"out of memory\"}");
    free(text);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    req_ctx *ctx = *con_cls;
    if (ctx == NULL) {
        ctx = calloc(1, sizeof(*ctx));
        if (ctx == NULL)
            return MHD_NO;
        ctx->a = cls;
        ctx->conn = conn;
        ctx->started_us = api_now_us();
        ctx->track = conn_guard_track_of(conn);
        pthread_mutex_init(&ctx->lock, NULL);
        *con_cls = ctx;
        conn_guard_headers_done(ctx->a->guard, ctx->track);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (ctx->len + *upload_size > API_MAX_BODY) {
            ctx->too_big = 1; /* keep reading, answer 413 at the end */
        } else if (!ctx->too_big) {
            char *b = realloc(ctx->body, ctx->len + *upload_size + 1);
            if (b == NULL)
                return MHD_NO;
            memcpy(b + ctx->len, upload, *upload_size);
            ctx->body = b;
            ctx->len += *upload_size;
            b[ctx->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (ctx->waiting)
        return answer_resumed(ctx);
    conn_guard_request_complete(ctx->a->guard, ctx->track);
    /* libmicrohttpd 0.9.75 suspends a connection with the poll interest it had while the
     * body arrived (read) and keeps it after the resume, so a client that half-closed
     * after its request (shutdown(SHUT_WR)) has its EOF read before the answer is queued,
     * and MHD drops the connection unanswered.  Declining the first final call once lets
     * MHD set the interest of a complete request (none: no read) before we suspend; only
     * POSTs and PUTs (a stock write) suspend. */
    if (!ctx->final_deferred && (strcmp(method, MHD_HTTP_METHOD_POST) == 0 ||
                                 strcmp(method, MHD_HTTP_METHOD_PUT) == 0)) {
        ctx->final_deferred = 1;
        return MHD_YES;
    }
    return route(ctx, method, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    api *a = cls;
    conn_guard_answered(a->guard, conn_guard_track_of(c));
    req_ctx *ctx = *con_cls;
    if (ctx == NULL)
        return;
    free(ctx->body);
    free(ctx->response);
    json_decref(ctx->extra);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
    *con_cls = NULL;
}

/* Seconds for MHD's own idle timeout: only a backstop for an answer the client does not read,
 * the guard's deadlines being shorter for everything else. */
static unsigned idle_backstop_s(const cfg_api_limits *l)
{
    int64_t ms = l->idle_timeout_ms;
    if (l->header_timeout_ms > ms)
        ms = l->header_timeout_ms;
    if (l->body_timeout_ms > ms)
        ms = l->body_timeout_ms;
    return (unsigned)(ms / 1000 + 2);
}

static int copy_limits(api *a, hub *h, char *err, size_t errlen)
{
    rt_gen *g = rt_holder_get(&h->generations);
    if (g == NULL) {
        snprintf(err, errlen, "no configuration");
        return -1;
    }
    a->limits = g->cfg->api_limits;
    a->limits.trusted_proxies = NULL;
    size_t n = g->cfg->api_limits.trusted_proxy_count;
    if (n > 0) {
        a->limits.trusted_proxies = calloc(n, sizeof(*a->limits.trusted_proxies));
        if (a->limits.trusted_proxies != NULL)
            memcpy(a->limits.trusted_proxies, g->cfg->api_limits.trusted_proxies,
                   n * sizeof(*a->limits.trusted_proxies));
    }
    rt_gen_unref(g);
    if (n > 0 && a->limits.trusted_proxies == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static void api_free(api *a)
{
    conn_guard_free(a->guard);
    auth_limit_free(a->auth_limit);
    free(a->limits.trusted_proxies);
    pthread_mutex_destroy(&a->check_mu);
    free(a);
}

int api_start(hub *h, const char *listen, api **out, char *err, size_t errlen)
{
    struct sockaddr_in addr;
    if (cfg_parse_listen(listen, &addr, err, errlen) != 0)
        return -1;
    api *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    a->h = h;
    pthread_mutex_init(&a->check_mu, NULL);
    if (copy_limits(a, h, err, errlen) != 0 ||
        auth_limit_new(&a->limits, &a->auth_limit, err, errlen) != 0 ||
        conn_guard_start(&a->limits, &a->guard, err, errlen) != 0) {
        api_free(a);
        return -1;
    }
    const cfg_api_limits *l = &a->limits;
    /* poll(), not epoll: libmicrohttpd 0.9.75 in epoll mode can leave 128 ready
     * connections unserved until its 30 s timeout (seen under load with bench/api_bench). */
    a->daemon = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
                                 0, NULL, NULL, handle, a, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed, a,
                                 MHD_OPTION_NOTIFY_CONNECTION, conn_guard_on_connection,
                                 a->guard,
                                 MHD_OPTION_URI_LOG_CALLBACK, conn_guard_on_request_line,
                                 a->guard,
                                 MHD_OPTION_CONNECTION_TIMEOUT, idle_backstop_s(l),
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)l->max_connections,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                 (unsigned)l->max_per_client, MHD_OPTION_END);
    if (a->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s (address in use?)", listen);
        api_free(a);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    a->port = info ? info->port : 0;
    inet_ntop(AF_INET, &addr.sin_addr, a->host, sizeof(a->host));
    *out = a;
    return 0;
}

unsigned api_port(const api *a)
{
    return a->port;
}

const char *api_host(const api *a)
{
    return a->host;
}

void api_stop(api *a)
{
    if (a == NULL)
        return;
    MHD_quiesce_daemon(a->daemon);
    api_store_check_stop(a); /* its thread answers its request, then ends */
    /* Suspended connections wait for the engine; it answers every input it took. */
    for (int i = 0; i < 1000 && atomic_load(&a->suspended) > 0; i++)
        usleep(10000);
    conn_guard_stop_thread(a->guard);
    MHD_stop_daemon(a->daemon);
    api_free(a);
}
