/*
 * conn_guard - absolute deadlines for headers, bodies and kept-alive connections (see
 * conn_guard.h).
 */
#include "config.h"

#include "api/conn_guard.h"

#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* How often deadlines are checked: the precision of every timeout below. */
#define TICK_MS 100

typedef enum phase {
    PH_FIRST_REQUEST,  /* new connection: nothing of a request complete yet */
    PH_NEXT_REQUEST,   /* kept alive after an answer, waiting for the next request */
    PH_HEADERS,        /* request line in, headers arriving */
    PH_BODY,           /* headers in, body arriving */
    PH_ANSWERING,      /* request complete: ours to answer, no deadline */
} phase;

struct conn_track {
    conn_track *prev, *next;
    int fd;
    phase phase;
    int64_t since_ms;  /* when the current deadline started counting */
    int cut;           /* its socket was shut down: MHD closes it */
};

struct conn_guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int running;
    int stop;
    conn_track *head;
    size_t open;
    size_t busy_at;    /* this many open connections: idle ones go at busy_idle_ms */
    int64_t header_ms, body_ms, idle_ms, busy_idle_ms;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_of(const conn_guard *g, const conn_track *t, int busy)
{
    switch (t->phase) {
    case PH_FIRST_REQUEST:
    case PH_HEADERS:
        return t->since_ms + g->header_ms;
    case PH_NEXT_REQUEST:
        return t->since_ms + (busy ? g->busy_idle_ms : g->idle_ms);
    case PH_BODY:
        return t->since_ms + g->body_ms;
    case PH_ANSWERING:
        break;
    }
    return INT64_MAX;
}

static const char *phase_name(phase p)
{
    return p == PH_FIRST_REQUEST ? "request line and headers"
         : p == PH_HEADERS ? "headers"
         : p == PH_NEXT_REQUEST ? "next request on a kept-alive connection"
         : p == PH_BODY ? "body" : "answer";
}

/* Shut down (not close: the descriptor stays MHD's) every connection past its deadline. */
static void reap(conn_guard *g)
{
    int64_t now = now_ms();
    size_t cut = 0;
    phase last = PH_ANSWERING;
    pthread_mutex_lock(&g->lock);
    int busy = g->open >= g->busy_at;
    for (conn_track *t = g->head; t != NULL; t = t->next) {
        if (t->cut || now < deadline_of(g, t, busy))
            continue;
        shutdown(t->fd, SHUT_RDWR);
        t->cut = 1;
        last = t->phase;
        cut++;
    }
    size_t open = g->open;
    pthread_mutex_unlock(&g->lock);
    if (cut > 0)
        log_debug("api: closed %zu of %zu connections past their deadline (last: %s)", cut,
                  open, phase_name(last));
}

static void *guard_main(void *arg)
{
    conn_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &ts);
        if (g->stop)
            break;
        pthread_mutex_unlock(&g->lock);
        reap(g);
        pthread_mutex_lock(&g->lock);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

int conn_guard_start(const cfg_api_limits *limits, conn_guard **out, char *err, size_t errlen)
{
    conn_guard *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    g->busy_at = (size_t)limits->max_connections * 3 / 4;
    g->header_ms = limits->header_timeout_ms;
    g->body_ms = limits->body_timeout_ms;
    g->idle_ms = limits->idle_timeout_ms;
    g->busy_idle_ms = limits->busy_idle_timeout_ms;
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc == 0) {
        rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        if (rc == 0)
            rc = pthread_cond_init(&g->wake, &ca);
        pthread_condattr_destroy(&ca);
    }
    if (rc != 0) {
        snprintf(err, errlen, "connection guard: %s", strerror(rc));
        free(g);
        return -1;
    }
    pthread_mutex_init(&g->lock, NULL);
    rc = pthread_create(&g->thread, NULL, guard_main, g);
    if (rc != 0) {
        snprintf(err, errlen, "connection guard thread: %s", strerror(rc));
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return -1;
    }
    g->running = 1;
    *out = g;
    return 0;
}

void conn_guard_stop_thread(conn_guard *g)
{
    if (g == NULL || !g->running)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    g->running = 0;
}

void conn_guard_free(conn_guard *g)
{
    if (g == NULL)
        return;
    conn_guard_stop_thread(g);
    /* MHD_stop_daemon reported every connection closed; anything left is a leak avoided. */
    while (g->head != NULL) {
        conn_track *t = g->head;
        g->head = t->next;
        free(t);
    }
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

void conn_guard_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    conn_guard *g = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_track *t = *socket_context;
        if (t == NULL)
            return;
        pthread_mutex_lock(&g->lock);
        if (t->prev != NULL)
            t->prev->next = t->next;
        else
            g->head = t->next;
        if (t->next != NULL)
            t->next->prev = t->prev;
        g->open--;
        pthread_mutex_unlock(&g->lock);
        free(t);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(
        c, MHD_CONNECTION_INFO_CONNECTION_FD);
    conn_track *t = calloc(1, sizeof(*t));
    if (t == NULL || fd == NULL) {
        /* A connection nobody watches could be held for ever: refuse it instead. */
        if (fd != NULL)
            shutdown(fd->connect_fd, SHUT_RDWR);
        free(t);
        *socket_context = NULL;
        return;
    }
    t->fd = fd->connect_fd;
    t->phase = PH_FIRST_REQUEST;
    t->since_ms = now_ms();
    pthread_mutex_lock(&g->lock);
    t->next = g->head;
    if (g->head != NULL)
        g->head->prev = t;
    g->head = t;
    g->open++;
    pthread_mutex_unlock(&g->lock);
    *socket_context = t;
}

conn_track *conn_guard_track_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void enter(conn_guard *g, conn_track *t, phase p, int restart)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    t->phase = p;
    if (restart)
        t->since_ms = now_ms();
    pthread_mutex_unlock(&g->lock);
}

void *conn_guard_on_request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)uri;
    conn_guard *g = cls;
    conn_track *t = conn_guard_track_of(c);
    /* A new connection's headers count from its start (its request line may have been
     * trickled too); a kept-alive one's from this line, its idle time being over. */
    if (t != NULL)
        enter(g, t, PH_HEADERS, t->phase != PH_FIRST_REQUEST);
    return NULL; /* the request's context stays the access handler's to make */
}

void conn_guard_headers_done(conn_guard *g, conn_track *t)
{
    enter(g, t, PH_BODY, 1);
}

void conn_guard_request_complete(conn_guard *g, conn_track *t)
{
    enter(g, t, PH_ANSWERING, 0);
}

void conn_guard_answered(conn_guard *g, conn_track *t)
{
    enter(g, t, PH_NEXT_REQUEST, 1);
}
