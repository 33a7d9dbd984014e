#include "config.h"

#include "api.h"

#include "api/intake.h"
#include "config/config_file.h"
#include "host/host.h"
#include "log/log.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct api {
    hub *h;
    char host[INET_ADDRSTRLEN];
    struct MHD_Daemon *daemon;
    unsigned port;
    atomic_int suspended; /* connections waiting for the engine */
};

/* One request: its body while it arrives, then the engine's answer. */
typedef struct req_ctx {
    api *a;
    struct MHD_Connection *conn;
    char *body;
    size_t len;
    int too_big;
    int waiting;                 /* suspended until the engine replies */
    char order_id[64];           /* POST /v1/orders: the id placed (perhaps generated) */
    pthread_mutex_t lock;
    int ready;                   /* the reply below is set */
    int status;
    char *response;              /* JSON text, owned */
} req_ctx;

/* Input names of the seller actions on POST /v1/orders/{id}/{action}. */
static const struct {
    const char *action;
    const char *input;
} actions[] = {{"ack", "acknowledge"}, {"pack", "pack"}, {"cancel", "cancel"}};

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    enum MHD_Result rc = send_text(c, text ? status : 500,
                                   text ? text : "{\"error\":\"out of memory\"}");
    free(text);
    return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *error,
                                  const char *field)
{
    return send_json(c, status, json_pack("{s:s, s:s?}", "error", error, "field",
                                          field && *field ? field : NULL));
}

/* The engine's reply: record it and wake the suspended connection.  Any thread. */
static void on_engine_reply(void *arg, int rc, const char *state, const char *error)
{
    req_ctx *ctx = arg;
    json_t *j;
    int status;
    if (rc == 0 && ctx->order_id[0] != '\0') {
        status = 201;
        j = json_pack("{s:s, s:s}", "id", ctx->order_id, "state", state ? state : "");
    } else if (rc == 0) {
        status = 200;
        j = json_pack("{s:s}", "state", state ? state : "");
    } else {
        status = rc == ENG_EREFUSED ? 409 : rc == ENG_ENOTFOUND ? 404 : 503;
        j = json_pack("{s:s, s:s?}", "error", error ? error : "failed", "state",
                      state && *state ? state : NULL);
    }
    /* Once resumed, MHD may answer and free ctx at any moment: touch nothing after. */
    api *a = ctx->a;
    struct MHD_Connection *conn = ctx->conn;
    pthread_mutex_lock(&ctx->lock);
    ctx->status = status;
    ctx->response = j ? json_dumps(j, JSON_COMPACT) : NULL;
    ctx->ready = 1;
    pthread_mutex_unlock(&ctx->lock);
    json_decref(j);
    MHD_resume_connection(conn);
    atomic_fetch_sub(&a->suspended, 1);
}

static void suspend(req_ctx *ctx)
{
    ctx->waiting = 1;
    atomic_fetch_add(&ctx->a->suspended, 1);
    MHD_suspend_connection(ctx->conn);
}

static enum MHD_Result place(req_ctx *ctx)
{
    oh_error perr = {{0}};
    json_t *order = host_json_parse(ctx->body ? ctx->body : "", ctx->len, &perr);
    if (order == NULL)
        return send_error(ctx->conn, 400, perr.message, "");
    char field[64] = "", why[256] = "";
    if (intake_validate(order, field, sizeof(field), why, sizeof(why)) != 0) {
        json_decref(order);
        char msg[400];
        snprintf(msg, sizeof(msg), "%s%s%s", field, field[0] ? " " : "", why);
        return send_error(ctx->conn, 400, msg, field);
    }
    snprintf(ctx->order_id, sizeof(ctx->order_id), "%s",
             json_string_value(json_object_get(order, "id")));
    suspend(ctx);
    if (eng_place(ctx->a->h->engine, order, on_engine_reply, ctx) != 0)
        on_engine_reply(ctx, -1, NULL, "the engine refused the order");
    return MHD_YES;
}

static enum MHD_Result order_action(req_ctx *ctx, const char *id, const char *action)
{
    const char *input = NULL;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strcmp(actions[i].action, action) == 0)
            input = actions[i].input;
    }
    if (input == NULL)
        return send_error(ctx->conn, 404, "no such action (ack, pack, cancel)", "");
    json_t *data = NULL;
    if (ctx->len > 0) {
        oh_error perr = {{0}};
        data = host_json_parse(ctx->body, ctx->len, &perr);
        if (!json_is_object(data)) {
            json_decref(data);
            return send_error(ctx->conn, 400, perr.message[0] ? perr.message
                                                              : "the body must be an object", "");
        }
    }
    suspend(ctx);
    if (eng_input(ctx->a->h->engine, id, input, data, on_engine_reply, ctx) != 0)
        on_engine_reply(ctx, -1, NULL, "the engine refused the input");
    return MHD_YES;
}

static enum MHD_Result get_order(req_ctx *ctx, const char *id, int events)
{
    char err[256];
    if (!events) {
        st_order o;
        int rc = store_order_get(ctx->a->h->store, id, &o, err, sizeof(err));
        if (rc != 0)
            return send_error(ctx->conn, rc == 1 ? 404 : 503, rc == 1 ? "no such order" : err, "");
        enum MHD_Result r = send_text(ctx->conn, 200, o.snapshot ? o.snapshot : "{}");
        st_order_clear(&o);
        return r;
    }
    st_event *ev = NULL;
    size_t n = 0;
    if (store_events(ctx->a->h->store, id, &ev, &n, err, sizeof(err)) != 0)
        return send_error(ctx->conn, 503, err, "");
    if (n == 0)
        return send_error(ctx->conn, 404, "no such order", "");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:o?}", "seq",
                                              (json_int_t)ev[i].seq, "name", ev[i].name,
                                              "at_ms", (json_int_t)ev[i].at_ms, "data",
                                              json_loads(ev[i].data ? ev[i].data : "{}", 0,
                                                         NULL)));
    st_events_free(ev, n);
    return send_json(ctx->conn, 200, json_pack("{s:s, s:o}", "order_id", id, "events", list));
}

/* /v1/orders/{id}[/{tail}] -> id and tail in the caller's buffers. */
static int split_order_path(const char *url, char *id, size_t idlen, char *tail, size_t tl)
{
    static const char prefix[] = "/v1/orders/";
    if (strncmp(url, prefix, sizeof(prefix) - 1) != 0)
        return -1;
    const char *p = url + sizeof(prefix) - 1, *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || n >= idlen)
        return -1;
    memcpy(id, p, n);
    id[n] = '\0';
    snprintf(tail, tl, "%s", slash ? slash + 1 : "");
    return intake_id_ok(id) ? 0 : -1;
}

static enum MHD_Result route(req_ctx *ctx, const char *method, const char *url)
{
    struct MHD_Connection *c = ctx->conn;
    int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
    if (ctx->too_big)
        return send_error(c, 413, "request body over 64 KiB", "");
    if (strcmp(url, "/healthz") == 0 && get)
        return send_text(c, 200, "{\"status\":\"ok\"}");
    if (strcmp(url, "/v1/orders") == 0)
        return post ? place(ctx) : send_error(c, 405, "use POST", "");
    char id[64], tail[64];
    if (split_order_path(url, id, sizeof(id), tail, sizeof(tail)) != 0)
        return send_error(c, 404, "no such resource", "");
    if (get && tail[0] == '\0')
        return get_order(ctx, id, 0);
    if (get && strcmp(tail, "events") == 0)
        return get_order(ctx, id, 1);
    if (post && tail[0] != '\0' && strchr(tail, '/') == NULL)
        return order_action(ctx, id, tail);
    return send_error(c, get || post ? 404 : 405, "no such resource", "");
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
        pthread_mutex_init(&ctx->lock, NULL);
        *con_cls = ctx;
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
    if (ctx->waiting) {
        pthread_mutex_lock(&ctx->lock);
        int ready = ctx->ready, status = ctx->status;
        char *text = ctx->response;
        ctx->response = NULL;
        pthread_mutex_unlock(&ctx->lock);
        if (!ready)
            return MHD_YES;
        ctx->waiting = 0;
        enum MHD_Result rc = send_text(conn, text ? status : 500,
                                       text ? text : "{\"error\":\"out of memory\"}");
        free(text);
        return rc;
    }
    return route(ctx, method, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    req_ctx *ctx = *con_cls;
    if (ctx == NULL)
        return;
    free(ctx->body);
    free(ctx->response);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
    *con_cls = NULL;
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
    a->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_INTERNAL_THREAD
                                     | MHD_ALLOW_SUSPEND_RESUME,
                                 0, NULL, NULL, handle, a, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed, a,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                 MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
    if (a->daemon == NULL) {
        snprintf(err, errlen, "cannot listen on %s (address in use?)", listen);
        free(a);
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
    /* Suspended connections wait for the engine; it answers every input it took. */
    for (int i = 0; i < 1000 && atomic_load(&a->suspended) > 0; i++)
        usleep(10000);
    MHD_stop_daemon(a->daemon);
    free(a);
}
