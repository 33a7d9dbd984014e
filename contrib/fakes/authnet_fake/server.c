/*
 * server - orderhub-fake-authnet's HTTP side: libmicrohttpd with an internal epoll thread
 * pool, POST / to the gateway, GET /fake/ledger, POST /fake/reset.  A delayed answer never
 * parks a thread: the connection is suspended and a timer thread resumes it when due, so
 * the request is in the ledger (received) long before its answer leaves.
 */
#include "config.h"

#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY (256 * 1024)

typedef struct pending {
    int64_t at_ns;
    struct MHD_Connection *conn;
    struct pending *next;
} pending;

struct fa_server {
    gw *g;
    struct MHD_Daemon *daemon;
    uint16_t port;
    pthread_t timer;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pending *due;      /* sorted by at_ns */
    int stop;
};

typedef struct ctx {
    char *body;
    size_t len;
    int too_big, ready;
    gw_reply reply;
} ctx;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *timer_main(void *arg)
{
    fa_server *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop || s->due != NULL) {
        if (s->due == NULL) {
            pthread_cond_wait(&s->cond, &s->lock);
            continue;
        }
        if (s->stop || s->due->at_ns <= mono_ns()) {
            pending *p = s->due;
            s->due = p->next;
            MHD_resume_connection(p->conn);
            free(p);
            continue;
        }
        struct timespec ts = {(time_t)(s->due->at_ns / 1000000000),
                              (long)(s->due->at_ns % 1000000000)};
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void resume_later(fa_server *s, struct MHD_Connection *c, int64_t delay_ms)
{
    pending *p = malloc(sizeof(*p));
    pthread_mutex_lock(&s->lock);
    if (p == NULL || s->stop) {
        free(p);
        MHD_resume_connection(c);
    } else {
        p->at_ns = mono_ns() + delay_ms * 1000000;
        p->conn = c;
        pending **at = &s->due;
        while (*at != NULL && (*at)->at_ns <= p->at_ns)
            at = &(*at)->next;
        p->next = *at;
        *at = p;
        pthread_cond_signal(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result send_reply(fa_server *s, struct MHD_Connection *c, ctx *x)
{
    gw_reply *r = &x->reply;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body ? r->body : (char *)"",
                                        r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    r->body = NULL;
    MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type
                                                                  : "text/plain");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    if (rc == MHD_YES && r->trans_id != 0)
        gw_answer_sent(s->g, r->trans_id);
    return rc;
}

static void route(fa_server *s, const char *method, const char *url, ctx *x)
{
    gw_reply *r = &x->reply;
    if (strcmp(url, "/fake/ledger") == 0 && strcmp(method, "GET") == 0) {
        r->status = 200;
        r->body = gw_ledger_json(s->g);
        r->content_type = "application/json";
    } else if (strcmp(url, "/fake/reset") == 0 && strcmp(method, "POST") == 0) {
        gw_reset(s->g);
        r->status = 200;
        r->body = strdup("{\"reset\":true}");
        r->content_type = "application/json";
    } else if (strcmp(method, "POST") == 0 && x->too_big) {
        r->status = 413;
        r->body = strdup("request too large\n");
    } else if (strcmp(method, "POST") == 0 && strncmp(url, "/fake/", 6) != 0) {
        /* Any other path is the API (the live one is /xml/v1/request.api). */
        gw_handle(s->g, x->body ? x->body : "", x->len, r);
    } else {
        r->status = 404;
        r->body = strdup("no such endpoint in the fake Authorize.Net\n");
    }
    if (r->body != NULL && r->len == 0)
        r->len = strlen(r->body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    fa_server *s = cls;
    ctx *x = *con_cls;
    (void)version;
    if (x == NULL) {
        x = calloc(1, sizeof(*x));
        *con_cls = x;
        return x ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        if (x->len + *upload_size > MAX_BODY) {
            x->too_big = 1;
        } else {
            char *b = realloc(x->body, x->len + *upload_size + 1);
            if (b == NULL)
                return MHD_NO;
            memcpy(b + x->len, upload, *upload_size);
            x->len += *upload_size;
            b[x->len] = '\0';
            x->body = b;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (x->ready)
        return send_reply(s, c, x);
    route(s, method, url, x);
    if (x->reply.delay_ms > 0) {
        x->ready = 1;
        MHD_suspend_connection(c); /* first: the timer may resume at once */
        resume_later(s, c, x->reply.delay_ms);
        return MHD_YES;
    }
    return send_reply(s, c, x);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ctx *x = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (x == NULL)
        return;
    free(x->body);
    free(x->reply.body);
    free(x);
    *con_cls = NULL;
}

fa_server *fa_server_start(const gw_config *cfg)
{
    fa_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    s->g = gw_new(cfg);
    if (s->g == NULL || pthread_create(&s->timer, NULL, timer_main, s) != 0) {
        gw_free(s->g);
        free(s);
        return NULL;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        fa_server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    return s;
}

uint16_t fa_server_port(const fa_server *s)
{
    return s->port;
}

void fa_server_stop(fa_server *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1; /* the timer resumes everything still waiting, then ends */
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->timer, NULL);
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    gw_free(s->g);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}
