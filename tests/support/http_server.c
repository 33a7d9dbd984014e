/*
 * http_server - see http_server.h.
 */
#include "config.h"

#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result hs_result;
#else
typedef int hs_result;
#endif

#define HS_MAX_BODY ((size_t)16 * 1024 * 1024)

typedef struct route {
    struct route *next;
    char *prefix;
    int status;
    char *body;
    size_t body_len;
    char **headers; /* name, value, ..., NULL */
    unsigned delay_ms;
    int hang, chunked;
    size_t hits, active, max_active;
} route;

struct hs_server {
    struct MHD_Daemon *daemon;
    unsigned short port;
    char *cert, *key; /* PEM, TLS servers only (MHD reads them while running) */
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a hit was counted, or stopping (CLOCK_MONOTONIC) */
    int stopping;
    route *routes;
    route unrouted; /* prefix "" when no route was set for it */
    hs_request **records;
    size_t count, cap;
};

/* Per-connection state of one request while its body arrives. */
typedef struct pending {
    hs_request *rec;
    int failed; /* body over HS_MAX_BODY or out of memory */
} pending;

static void free_record(hs_request *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->header_count; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->method);
    free(r->path);
    free(r->body);
    free(r);
}

static void free_route_spec(route *r)
{
    for (size_t i = 0; r->headers != NULL && r->headers[i] != NULL; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->body);
    r->headers = NULL;
    r->body = NULL;
}

/* ---- routes --------------------------------------------------------------------------- */

static route *find_exact(hs_server *s, const char *prefix)
{
    if (*prefix == '\0')
        return &s->unrouted;
    for (route *r = s->routes; r != NULL; r = r->next) {
        if (strcmp(r->prefix, prefix) == 0)
            return r;
    }
    return NULL;
}

static route *match(hs_server *s, const char *path)
{
    route *best = NULL;
    for (route *r = s->routes; r != NULL; r = r->next) {
        size_t n = strlen(r->prefix);
        if (strncmp(path, r->prefix, n) == 0 && (best == NULL || n > strlen(best->prefix)))
            best = r;
    }
    return best != NULL ? best : &s->unrouted;
}

static int copy_spec(route *r, const hs_route *spec)
{
    size_t n = 0;
    while (spec->headers != NULL && spec->headers[n] != NULL)
        n++;
    if (n % 2 != 0)
        return -1;
    size_t blen = spec->body == NULL ? 0 : spec->body_len ? spec->body_len : strlen(spec->body);
    char *body = malloc(blen + 1);
    char **hdrs = calloc(n + 1, sizeof(*hdrs));
    int ok = body != NULL && hdrs != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = (hdrs[i] = strdup(spec->headers[i])) != NULL;
    if (!ok) {
        for (size_t i = 0; hdrs != NULL && i < n; i++)
            free(hdrs[i]);
        free(hdrs);
        free(body);
        return -1;
    }
    if (blen > 0)
        memcpy(body, spec->body, blen);
    body[blen] = '\0';
    free_route_spec(r);
    r->status = spec->status ? spec->status : 200;
    r->body = body;
    r->body_len = blen;
    r->headers = hdrs;
    r->delay_ms = spec->delay_ms;
    r->hang = spec->hang;
    r->chunked = spec->chunked;
    return 0;
}

int hs_route_set(hs_server *s, const char *prefix, const hs_route *spec)
{
    pthread_mutex_lock(&s->mu);
    route *r = find_exact(s, prefix);
    int created = 0;
    if (r == NULL) {
        r = calloc(1, sizeof(*r));
        if (r != NULL && (r->prefix = strdup(prefix)) == NULL) {
            free(r);
            r = NULL;
        }
        created = r != NULL;
    }
    int rc = r != NULL ? copy_spec(r, spec) : -1;
    if (created && rc == 0) {
        r->next = s->routes;
        s->routes = r;
    } else if (created) {
        free(r->prefix);
        free(r);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- recording ------------------------------------------------------------------------ */

static hs_result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    pending *p = cls;
    hs_request *r = p->rec;
    hs_header *h = realloc(r->headers, (r->header_count + 1) * sizeof(*h));
    if (h == NULL) {
        p->failed = 1;
        return MHD_NO;
    }
    r->headers = h;
    h[r->header_count].name = strdup(key);
    h[r->header_count].value = strdup(value != NULL ? value : "");
    if (h[r->header_count].name == NULL || h[r->header_count].value == NULL) {
        free(h[r->header_count].name);
        free(h[r->header_count].value);
        p->failed = 1;
        return MHD_NO;
    }
    r->header_count++;
    return MHD_YES;
}

static unsigned short client_port(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL || ci->client_addr->sa_family != AF_INET)
        return 0;
    return ntohs(((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_port);
}

static int append_body(pending *p, const char *data, size_t len)
{
    hs_request *r = p->rec;
    if (len > HS_MAX_BODY - r->body_len)
        return -1;
    char *b = realloc(r->body, r->body_len + len + 1);
    if (b == NULL)
        return -1;
    memcpy(b + r->body_len, data, len);
    r->body = b;
    r->body_len += len;
    b[r->body_len] = '\0';
    return 0;
}

/* Record a complete request (takes ownership); 0 / -1. */
static int record(hs_server *s, hs_request *rec)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        hs_request **v = realloc(s->records, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        s->records = v;
        s->cap = cap;
    }
    s->records[s->count++] = rec;
    return 0;
}

/* ---- answering ------------------------------------------------------------------------ */

typedef struct chunk_src {
    char *data;
    size_t len;
} chunk_src;

static ssize_t chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    chunk_src *c = cls;
    if (pos >= c->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = c->len - (size_t)pos;
    if (n > max)
        n = max;
    if (n > 1000)
        n = 1000; /* several chunks */
    memcpy(buf, c->data + pos, n);
    return (ssize_t)n;
}

static void chunk_free(void *cls)
{
    chunk_src *c = cls;
    free(c->data);
    free(c);
}

/* The response a route describes (under s->mu); NULL when out of memory. */
static struct MHD_Response *make_response(const route *r)
{
    struct MHD_Response *resp = NULL;
    if (r->chunked) {
        chunk_src *c = calloc(1, sizeof(*c));
        if (c == NULL || (c->data = malloc(r->body_len + 1)) == NULL) {
            free(c);
            return NULL;
        }
        memcpy(c->data, r->body, r->body_len);
        c->len = r->body_len;
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, chunk_read, c,
                                                 chunk_free);
        if (resp == NULL)
            chunk_free(c);
    } else {
        resp = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_MUST_COPY);
    }
    for (size_t i = 0; resp != NULL && r->headers[i] != NULL; i += 2) {
        if (MHD_add_response_header(resp, r->headers[i], r->headers[i + 1]) != MHD_YES) {
            MHD_destroy_response(resp);
            resp = NULL;
        }
    }
    return resp;
}

static struct timespec deadline_after(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Wait for the route's delay, or forever when it hangs; 0 = answer, -1 = stopping. */
static int wait_turn(hs_server *s, unsigned delay_ms, int hang)
{
    struct timespec until = deadline_after(delay_ms);
    int rc = 0;
    while (!s->stopping && rc == 0 && (hang || delay_ms > 0))
        rc = hang ? pthread_cond_wait(&s->changed, &s->mu)
                  : pthread_cond_timedwait(&s->changed, &s->mu, &until);
    return s->stopping ? -1 : 0;
}

static hs_result answer(hs_server *s, struct MHD_Connection *c, hs_request *rec)
{
    pthread_mutex_lock(&s->mu);
    route *r = match(s, rec->path);
    int status = r == &s->unrouted ? MHD_HTTP_NOT_FOUND : r->status;
    struct MHD_Response *resp;
    if (r == &s->unrouted)
        resp = MHD_create_response_from_buffer(8, "no route", MHD_RESPMEM_PERSISTENT);
    else
        resp = make_response(r);
    unsigned delay = r->delay_ms;
    int hang = r->hang;
    int recorded = record(s, rec) == 0;
    if (!recorded)
        free_record(rec);
    r->hits++;
    if (++r->active > r->max_active)
        r->max_active = r->active;
    pthread_cond_broadcast(&s->changed);
    int go = wait_turn(s, delay, hang) == 0;
    r->active--;
    pthread_mutex_unlock(&s->mu);
    hs_result ret = MHD_NO;
    if (go && resp != NULL)
        ret = MHD_queue_response(c, (unsigned)status, resp);
    if (resp != NULL)
        MHD_destroy_response(resp);
    return ret;
}

static hs_result on_request(void *cls, struct MHD_Connection *c, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **con_cls)
{
    hs_server *s = cls;
    pending *p = *con_cls;
    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL)
            return MHD_NO;
        *con_cls = p;
        p->rec = calloc(1, sizeof(*p->rec));
        if (p->rec == NULL || (p->rec->method = strdup(method)) == NULL ||
            (p->rec->path = strdup(url)) == NULL || (p->rec->body = calloc(1, 1)) == NULL)
            return MHD_NO; /* on_completed frees what was made */
        p->rec->client_port = client_port(c);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!p->failed && append_body(p, upload_data, *upload_data_size) != 0)
            p->failed = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!p->failed)
        MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, p);
    if (p->failed)
        return MHD_NO;
    hs_request *rec = p->rec;
    p->rec = NULL; /* answer() owns it now */
    return answer(s, c, rec);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    pending *p = *con_cls;
    if (p != NULL) {
        free_record(p->rec);
        free(p);
        *con_cls = NULL;
    }
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static hs_server *start(const char *cert_pem, const char *key_pem)
{
    hs_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    if (cert_pem != NULL) {
        s->cert = strdup(cert_pem);
        s->key = strdup(key_pem);
    }
    pthread_condattr_t ca;
    if ((cert_pem != NULL && (s->cert == NULL || s->key == NULL)) ||
        pthread_condattr_init(&ca) != 0) {
        free(s->cert);
        free(s->key);
        free(s);
        return NULL;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int have_mu = pthread_mutex_init(&s->mu, NULL) == 0;
    int have_cond = pthread_cond_init(&s->changed, &ca) == 0;
    pthread_condattr_destroy(&ca);
    int ok = have_mu && have_cond;
    s->unrouted.prefix = (char *)"";
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (ok && s->cert != NULL)
        s->daemon = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, s,
                                     MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED,
                                     on_completed, s, MHD_OPTION_HTTPS_MEM_CERT, s->cert,
                                     MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_END);
    else if (ok)
        s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                     &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                     /* room for a hostile answer's 345 KB header block
                                      * (the default 32 KiB pool cannot build it) */
                                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)1024 * 1024,
                                     MHD_OPTION_END);
    const union MHD_DaemonInfo *di =
        s->daemon ? MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD) : NULL;
    struct sockaddr_in bound;
    socklen_t blen = sizeof(bound);
    if (di == NULL || getsockname(di->listen_fd, (struct sockaddr *)&bound, &blen) != 0) {
        if (s->daemon != NULL)
            MHD_stop_daemon(s->daemon);
        if (have_cond)
            pthread_cond_destroy(&s->changed);
        if (have_mu)
            pthread_mutex_destroy(&s->mu);
        free(s->cert);
        free(s->key);
        free(s);
        return NULL;
    }
    s->port = ntohs(bound.sin_port);
    return s;
}

hs_server *hs_start(void)
{
    return start(NULL, NULL);
}

hs_server *hs_start_tls(const char *cert_pem, const char *key_pem)
{
    if (cert_pem == NULL || key_pem == NULL || MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return NULL;
    return start(cert_pem, key_pem);
}

void hs_stop(hs_server *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->mu);
    MHD_stop_daemon(s->daemon);
    while (s->routes != NULL) {
        route *r = s->routes;
        s->routes = r->next;
        free_route_spec(r);
        free(r->prefix);
        free(r);
    }
    for (size_t i = 0; i < s->count; i++)
        free_record(s->records[i]);
    free(s->records);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->mu);
    free(s->cert);
    free(s->key);
    free(s);
}

unsigned short hs_port(const hs_server *s)
{
    return s->port;
}

char *hs_url(const hs_server *s, const char *path)
{
    char *url = NULL;
    if (asprintf(&url, "%s://127.0.0.1:%u%s", s->cert ? "https" : "http", (unsigned)s->port,
                 path) < 0)
        return NULL;
    return url;
}

/* ---- queries -------------------------------------------------------------------------- */

size_t hs_hits(hs_server *s, const char *prefix)
{
    pthread_mutex_lock(&s->mu);
    route *r = find_exact(s, prefix);
    size_t n = r != NULL ? r->hits : 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

size_t hs_max_concurrent(hs_server *s, const char *prefix)
{
    pthread_mutex_lock(&s->mu);
    route *r = find_exact(s, prefix);
    size_t n = r != NULL ? r->max_active : 0;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int hs_wait_hits(hs_server *s, const char *prefix, size_t n, unsigned timeout_ms)
{
    struct timespec until = deadline_after(timeout_ms);
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    for (;;) {
        route *r = find_exact(s, prefix);
        if (r != NULL && r->hits >= n)
            break;
        if (rc != 0) {
            pthread_mutex_unlock(&s->mu);
            return -1;
        }
        rc = pthread_cond_timedwait(&s->changed, &s->mu, &until);
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

size_t hs_request_count(hs_server *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

const hs_request *hs_request_at(hs_server *s, size_t i)
{
    pthread_mutex_lock(&s->mu);
    const hs_request *r = i < s->count ? s->records[i] : NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

const hs_request *hs_last(hs_server *s, const char *path_prefix)
{
    const hs_request *found = NULL;
    pthread_mutex_lock(&s->mu);
    for (size_t i = s->count; i-- > 0 && found == NULL;) {
        if (strncmp(s->records[i]->path, path_prefix, strlen(path_prefix)) == 0)
            found = s->records[i];
    }
    pthread_mutex_unlock(&s->mu);
    return found;
}

const char *hs_header_get(const hs_request *r, const char *name)
{
    for (size_t i = 0; r != NULL && i < r->header_count; i++) {
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    }
    return NULL;
}
