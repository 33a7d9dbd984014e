/*
 * check_executor - the executor against real servers over loopback: the scriptable HTTP
 * server (tests/support/http_server) and the SMTP sink (tests/support/smtp_sink).  No mocks:
 * real curl, real sockets, real files.
 */
#include "config.h"

#include "executor/executor.h"
#include "executor/reqlog.h"
#include "host/host.h"
#include "log/log.h"
#include "support/http_server.h"
#include "support/smtp_sink.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- fixture: one server, one executor, completions collected in slots ------------------ */

#define MAX_SLOTS 128

typedef struct got {
    int calls;
    ex_outcome outcome;
    int status;
    char *body;
    size_t body_len;
    int nul_terminated;
    oh_header *headers; /* copies */
    size_t header_count;
    int64_t retry_after_ms;
    double elapsed_ms, queued_ms, done_ms;
    char error[256];
    int resubmit_rc; /* ex_submit from inside the completion (when W.resubmit) */
    int sent;        /* ex_result.sent */
} got;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int next;
    int resubmit;
    got slot[MAX_SLOTS];
} W = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, {{0}}};

static hs_server *srv;
static executor *ex;
static char *dir;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void slot_clear(got *g)
{
    for (size_t i = 0; i < g->header_count; i++) {
        free(g->headers[i].name);
        free(g->headers[i].value);
    }
    free(g->headers);
    free(g->body);
    memset(g, 0, sizeof(*g));
}

static void copy_headers(got *g, const oh_response *r)
{
    g->headers = calloc(r->header_count ? r->header_count : 1, sizeof(*g->headers));
    for (size_t i = 0; g->headers != NULL && i < r->header_count; i++) {
        g->headers[i].name = strdup(r->headers[i].name);
        g->headers[i].value = strdup(r->headers[i].value);
        g->header_count++;
    }
}

static void on_done(void *arg, const oh_request *req, const ex_result *res)
{
    got *g = arg;
    pthread_mutex_lock(&W.mu);
    if (g->calls++ == 0) {
        g->outcome = res->outcome;
        g->status = res->response.status;
        g->body = malloc(res->response.body_len + 1);
        if (g->body != NULL)
            memcpy(g->body, res->response.body, res->response.body_len + 1);
        g->body_len = res->response.body_len;
        g->nul_terminated = res->response.body[res->response.body_len] == '\0';
        copy_headers(g, &res->response);
        g->retry_after_ms = res->retry_after_ms;
        g->elapsed_ms = res->elapsed_ms;
        g->queued_ms = res->queued_ms;
        g->sent = res->sent;
        g->done_ms = now_ms();
        snprintf(g->error, sizeof(g->error), "%s", res->error);
        if (W.resubmit) {
            oh_request *again = host_request_new();
            if (again != NULL)
                host_request_set(again, "GET", req->url);
            g->resubmit_rc = ex_submit(ex, "q", again, on_done, g);
        }
    }
    W.done++;
    pthread_cond_broadcast(&W.cv);
    pthread_mutex_unlock(&W.mu);
}

/* Wait until `n` completions arrived in total. */
static void wait_done(int n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&W.mu);
    int rc = 0;
    while (W.done < n && rc == 0)
        rc = pthread_cond_timedwait(&W.cv, &W.mu, &until);
    int done = W.done;
    pthread_mutex_unlock(&W.mu);
    ck_assert_msg(done >= n, "only %d of %d completions after %d ms", done, n, timeout_ms);
}

static int done_count(void)
{
    pthread_mutex_lock(&W.mu);
    int n = W.done;
    pthread_mutex_unlock(&W.mu);
    return n;
}

static void setup(void)
{
    pthread_mutex_lock(&W.mu);
    for (int i = 0; i < MAX_SLOTS; i++)
        slot_clear(&W.slot[i]);
    W.done = W.next = W.resubmit = 0;
    pthread_mutex_unlock(&W.mu);
    srv = hs_start();
    ck_assert_ptr_nonnull(srv);
    char err[256];
    ck_assert_int_eq(ex_create(&ex, err, sizeof(err)), 0);
    dir = tu_tmpdir();
}

static void teardown(void)
{
    ex_destroy(ex); /* before the server: hanging handlers are released by hs_stop */
    ex = NULL;
    hs_stop(srv);
    srv = NULL;
    tu_rmdir(dir);
    pthread_mutex_lock(&W.mu);
    for (int i = 0; i < MAX_SLOTS; i++)
        slot_clear(&W.slot[i]);
    pthread_mutex_unlock(&W.mu);
}

static void add_queue(const char *name, int concurrency, double rate, long total_ms,
                      size_t max_bytes)
{
    ex_limits lim = {.concurrency = concurrency, .rate_per_s = rate,
                     .total_timeout_ms = total_ms, .max_response_bytes = max_bytes};
    ck_assert_int_eq(ex_queue_set(ex, name, &lim), 0);
}

static oh_request *mkreq(const char *method, const char *url)
{
    oh_request *req = host_request_new();
    ck_assert_ptr_nonnull(req);
    ck_assert_int_eq(host_request_set(req, method, url), 0);
    return req;
}

/* A request for path on the test server. */
static oh_request *mkhttp(const char *method, const char *path)
{
    char *url = hs_url(srv, path);
    ck_assert_ptr_nonnull(url);
    oh_request *req = mkreq(method, url);
    free(url);
    return req;
}

/* Submit; returns the slot its completion lands in. */
static got *submit(const char *queue, oh_request *req)
{
    ck_assert_int_lt(W.next, MAX_SLOTS);
    got *g = &W.slot[W.next++];
    ck_assert_int_eq(ex_submit(ex, queue, req, on_done, g), 0);
    return g;
}

/* Submit one request and wait for it. */
static got *run1(const char *queue, oh_request *req)
{
    int before = done_count();
    got *g = submit(queue, req);
    wait_done(before + 1, 10000);
    return g;
}

static const char *got_header(const got *g, const char *name)
{
    return oh_header_find(g->headers, g->header_count, name);
}

/* ---- HTTP ------------------------------------------------------------------------------ */

START_TEST(get_200_body_and_headers)
{
    const char *hdrs[] = {"X-Test", "yes", "Content-Type", "text/plain", NULL};
    hs_route_set(srv, "/hello", &(hs_route){.body = "hello world", .headers = hdrs});
    add_queue("q", 0, 0, 0, 0);
    got *g = run1("q", mkhttp("GET", "/hello?x=1"));
    ck_assert_int_eq(g->calls, 1);
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
    ck_assert_int_eq(g->status, 200);
    ck_assert_uint_eq(g->body_len, 11);
    ck_assert_str_eq(g->body, "hello world");
    ck_assert(g->nul_terminated);
    ck_assert_pstr_eq(got_header(g, "x-test"), "yes");
    int exact = 0; /* the name as the server spelled it */
    for (size_t i = 0; i < g->header_count; i++)
        exact |= strcmp(g->headers[i].name, "X-Test") == 0;
    ck_assert(exact);
    ck_assert_pstr_eq(got_header(g, "Content-Type"), "text/plain");
    ck_assert_int_eq(g->retry_after_ms, -1);
    ck_assert(g->elapsed_ms > 0.0 && g->queued_ms >= 0.0);
    const hs_request *r = hs_last(srv, "/hello");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->method, "GET");
    ck_assert_ptr_null(hs_header_get(r, "Accept")); /* nothing but the plugin's headers */
    ck_assert_ptr_null(hs_header_get(r, "User-Agent"));
}
END_TEST

START_TEST(post_body_and_headers_arrive_as_sent)
{
    hs_route_set(srv, "/v1", &(hs_route){.status = 201, .body = "{}"});
    add_queue("q", 0, 0, 0, 0);
    oh_request *req = mkhttp("POST", "/v1/charges");
    ck_assert_int_eq(host_request_header(req, "Content-Type", "application/json", 0), 0);
    ck_assert_int_eq(host_request_header(req, "X-Idempotency-Key", "ord-1:auth:1", 0), 0);
    ck_assert_int_eq(host_request_header(req, "X-Empty", "", 0), 0);
    static const char body[] = "{\"amount\":1200}\0tail"; /* binary-safe: a NUL inside */
    ck_assert_int_eq(host_request_body(req, body, sizeof(body) - 1), 0);
    got *g = run1("q", req);
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
    ck_assert_int_eq(g->status, 201);
    const hs_request *r = hs_last(srv, "/v1/charges");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->method, "POST");
    ck_assert_uint_eq(r->body_len, sizeof(body) - 1);
    ck_assert_mem_eq(r->body, body, sizeof(body) - 1);
    ck_assert_pstr_eq(hs_header_get(r, "Content-Type"), "application/json");
    ck_assert_pstr_eq(hs_header_get(r, "X-Empty"), "");
    int exact = 0;
    for (size_t i = 0; i < r->header_count; i++)
        exact |= strcmp(r->headers[i].name, "X-Idempotency-Key") == 0 &&
                 strcmp(r->headers[i].value, "ord-1:auth:1") == 0;
    ck_assert(exact);
    ck_assert_ptr_null(hs_header_get(r, "Expect"));
    ck_assert_ptr_null(hs_header_get(r, "Accept"));
    /* Only what HTTP/1.1 needs is added: Host, Content-Length. */
    for (size_t i = 0; i < r->header_count; i++) {
        const char *n = r->headers[i].name;
        ck_assert_msg(strcasecmp(n, "Host") == 0 || strcasecmp(n, "Content-Length") == 0 ||
                          strcmp(n, "Content-Type") == 0 || strcmp(n, "X-Empty") == 0 ||
                          strcmp(n, "X-Idempotency-Key") == 0,
                      "unexpected header %s", n);
    }

    /* PUT without body: empty body with Content-Length: 0; DELETE: no body. */
    g = run1("q", mkhttp("PUT", "/v1/put"));
    ck_assert_int_eq(g->status, 201);
    r = hs_last(srv, "/v1/put");
    ck_assert_str_eq(r->method, "PUT");
    ck_assert_pstr_eq(hs_header_get(r, "Content-Length"), "0");
    ck_assert_ptr_null(hs_header_get(r, "Content-Type"));
    g = run1("q", mkhttp("DELETE", "/v1/del"));
    ck_assert_int_eq(g->status, 201);
    r = hs_last(srv, "/v1/del");
    ck_assert_str_eq(r->method, "DELETE");
    ck_assert_uint_eq(r->body_len, 0);
}
END_TEST

START_TEST(retry_after_seconds)
{
    const char *hdrs[] = {"Retry-After", "2", NULL};
    hs_route_set(srv, "/busy", &(hs_route){.status = 503, .body = "busy", .headers = hdrs});
    add_queue("q", 0, 0, 0, 0);
    got *g = run1("q", mkhttp("GET", "/busy"));
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
    ck_assert_int_eq(g->status, 503);
    ck_assert_int_eq(g->retry_after_ms, 2000);
    ck_assert_str_eq(g->body, "busy");
}
END_TEST

START_TEST(retry_after_http_date)
{
    char date[64];
    time_t t = time(NULL) + 5;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    const char *hdrs[] = {"Retry-After", date, NULL};
    hs_route_set(srv, "/later", &(hs_route){.status = 429, .headers = hdrs});
    const char *bad[] = {"Retry-After", "soon-ish", NULL};
    hs_route_set(srv, "/vague", &(hs_route){.status = 429, .headers = bad});
    const char *past[] = {"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT", NULL};
    hs_route_set(srv, "/past", &(hs_route){.status = 503, .headers = past});
    add_queue("q", 0, 0, 0, 0);
    got *g = run1("q", mkhttp("GET", "/later"));
    ck_assert_int_eq(g->status, 429);
    ck_assert_msg(g->retry_after_ms >= 3000 && g->retry_after_ms <= 5000, "%lld",
                  (long long)g->retry_after_ms);
    g = run1("q", mkhttp("GET", "/vague"));
    ck_assert_int_eq(g->retry_after_ms, -1);
    g = run1("q", mkhttp("GET", "/past"));
    ck_assert_int_eq(g->retry_after_ms, 0);
}
END_TEST

static char *filled(size_t n)
{
    char *b = malloc(n + 1);
    ck_assert_ptr_nonnull(b);
    memset(b, 'x', n);
    b[n] = '\0';
    return b;
}

START_TEST(body_over_cap_is_too_large)
{
    char *big = filled(10000);
    hs_route_set(srv, "/big", &(hs_route){.body = big});                  /* Content-Length */
    hs_route_set(srv, "/chunked", &(hs_route){.body = big, .chunked = 1}); /* no length */
    hs_route_set(srv, "/exact", &(hs_route){.body = big, .body_len = 1000});
    free(big);
    add_queue("q", 0, 0, 0, 1000);
    got *g = run1("q", mkhttp("GET", "/big"));
    ck_assert_int_eq(g->outcome, EX_TOO_LARGE);
    ck_assert_uint_eq(g->body_len, 0);
    ck_assert_int_eq(ex_classify(&(ex_result){.outcome = g->outcome}), EX_FAIL);
    g = run1("q", mkhttp("GET", "/chunked"));
    ck_assert_int_eq(g->outcome, EX_TOO_LARGE);
    g = run1("q", mkhttp("GET", "/exact"));
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
    ck_assert_uint_eq(g->body_len, 1000);
    ck_assert(g->nul_terminated);
}
END_TEST

/* A port nobody listens on: bound, never listened, closed. */
static unsigned short closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

START_TEST(connect_refused_is_network)
{
    add_queue("q", 0, 0, 0, 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)closed_port());
    got *g = run1("q", mkreq("GET", url));
    ck_assert_int_eq(g->outcome, EX_NETWORK);
    ck_assert(g->error[0] != '\0');
    ck_assert_int_eq(g->status, 0);
    ck_assert_str_eq(g->body, "");
}
END_TEST

START_TEST(total_timeout)
{
    hs_route_set(srv, "/slow", &(hs_route){.body = "late", .delay_ms = 5000});
    add_queue("q", 0, 0, 300, 0);
    add_queue("long", 0, 0, 20000, 0);
    double t0 = now_ms();
    got *g = run1("q", mkhttp("GET", "/slow"));
    ck_assert_int_eq(g->outcome, EX_TIMEOUT);
    ck_assert_msg(g->elapsed_ms >= 250 && g->elapsed_ms < 2000, "%.1f", g->elapsed_ms);
    /* The request's own timeout wins over the queue's. */
    oh_request *req = mkhttp("GET", "/slow");
    req->timeout_ms = 300;
    g = run1("long", req);
    ck_assert_int_eq(g->outcome, EX_TIMEOUT);
    ck_assert_double_lt(now_ms() - t0, 3000);
}
END_TEST

START_TEST(connection_reused)
{
    hs_route_set(srv, "/a", &(hs_route){.body = "a"});
    add_queue("q", 1, 0, 0, 0);
    run1("q", mkhttp("GET", "/a/1"));
    run1("q", mkhttp("GET", "/a/2"));
    run1("q", mkhttp("POST", "/a/3"));
    ck_assert_uint_eq(hs_request_count(srv), 3);
    unsigned short p0 = hs_request_at(srv, 0)->client_port;
    ck_assert_uint_ne(p0, 0);
    ck_assert_uint_eq(hs_request_at(srv, 1)->client_port, p0);
    ck_assert_uint_eq(hs_request_at(srv, 2)->client_port, p0);
}
END_TEST

/* A self-signed certificate for 127.0.0.1 (EC P-256, valid until 2126): no CA trusts it. */
static const char test_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATagAwIBAgIUQY7MxRiBCrv4t7GRGYdYjQp3jaswCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNjE3MDQyMFoYDzIxMjYxMTAy\n"
    "MTcwNDIwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAARM/k0kyXl53cMG5/qdgoIKGaPuk0iRafdYqYzW15RZQieC4aCeVd0r\n"
    "flr0OlQXen820a89zoq+rv8rWvnUB3Dao2QwYjAdBgNVHQ4EFgQUt2uayIs5sitD\n"
    "m1kEfLNhlUBBFDMwHwYDVR0jBBgwFoAUt2uayIs5sitDm1kEfLNhlUBBFDMwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC\n"
    "IDeFqosuP+cxRA4pbYx4JEQoiP9z7Ba+S0zty5pN6rmgAiBJzhZvVoB7Umjtqe6c\n"
    "fG98Aj/6dwqR1Q1Uv44VxFq0yw==\n"
    "-----END CERTIFICATE-----\n";
static const char test_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsAefvEiL9zfix1vw\n"
    "0HqV09ktfP1lI6CqFWmq9eGyw1qhRANCAARM/k0kyXl53cMG5/qdgoIKGaPuk0iR\n"
    "afdYqYzW15RZQieC4aCeVd0rflr0OlQXen820a89zoq+rv8rWvnUB3Da\n"
    "-----END PRIVATE KEY-----\n";

START_TEST(tls_verified_unless_insecure)
{
    hs_server *tls = hs_start_tls(test_cert, test_key);
    ck_assert_ptr_nonnull(tls);
    hs_route_set(tls, "/secure", &(hs_route){.body = "tls ok"});
    add_queue("strict", 0, 0, 5000, 0);
    ex_limits lim = {.insecure_tls = 1};
    ck_assert_int_eq(ex_queue_set(ex, "lax", &lim), 0);
    char *url = hs_url(tls, "/secure");
    ck_assert_ptr_nonnull(url);
    ck_assert_int_eq(strncmp(url, "https://", 8), 0);
    got *g = run1("strict", mkreq("GET", url));
    ck_assert_int_eq(g->outcome, EX_NETWORK); /* self-signed: refused */
    ck_assert_msg(strstr(g->error, "certificate") != NULL, "%s", g->error);
    ck_assert_uint_eq(hs_hits(tls, "/secure"), 0);
    g = run1("lax", mkreq("GET", url));
    ck_assert_msg(g->outcome == EX_RESPONSE, "%d %s", g->outcome, g->error);
    ck_assert_int_eq(g->status, 200);
    ck_assert_str_eq(g->body, "tls ok");
    free(url);
    ex_destroy(ex); /* before the TLS server goes */
    ex = NULL;
    hs_stop(tls);
}
END_TEST

/* ---- limits and isolation --------------------------------------------------------------- */

START_TEST(concurrency_limit_honoured)
{
    hs_route_set(srv, "/slow", &(hs_route){.body = "ok", .delay_ms = 300});
    add_queue("q", 2, 0, 0, 0);
    double t0 = now_ms();
    for (int i = 0; i < 6; i++)
        submit("q", mkhttp("GET", "/slow"));
    ck_assert_int_eq(hs_wait_hits(srv, "/slow", 2, 5000), 0);
    size_t waiting = 0, in_flight = 0;
    ck_assert_int_eq(ex_queue_stats(ex, "q", &waiting, &in_flight), 0);
    ck_assert_uint_eq(in_flight, 2);
    ck_assert_uint_eq(waiting, 4);
    wait_done(6, 10000);
    ck_assert_uint_eq(hs_hits(srv, "/slow"), 6);
    ck_assert_uint_eq(hs_max_concurrent(srv, "/slow"), 2);
    ck_assert_double_ge(now_ms() - t0, 850); /* three rounds of 300 ms */
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(W.slot[i].status, 200);
    ck_assert_int_eq(ex_queue_stats(ex, "q", &waiting, &in_flight), 0);
    ck_assert_uint_eq(waiting + in_flight, 0);
}
END_TEST

START_TEST(rate_limit_honoured)
{
    hs_route_set(srv, "/fast", &(hs_route){.body = "ok"});
    add_queue("q", 10, 5.0, 0, 0);
    double t0 = now_ms();
    for (int i = 0; i < 10; i++)
        submit("q", mkhttp("GET", "/fast"));
    wait_done(10, 10000);
    double took = now_ms() - t0;
    ck_assert_msg(took >= 1750 && took < 4000, "10 requests at 5/s took %.0f ms", took);
    /* FIFO, spaced: request i cannot finish before its token, i * 200 ms after the start
     * (a lower bound only: a loaded machine may be later, never earlier). */
    for (int i = 1; i < 10; i++)
        ck_assert_msg(W.slot[i].done_ms - t0 >= i * 200.0 - 30.0, "request %d after %.0f ms", i,
                      W.slot[i].done_ms - t0);
}
END_TEST

START_TEST(isolation_dead_carrier_never_delays_payments)
{
    hs_route_set(srv, "/carrier", &(hs_route){.hang = 1});
    hs_route_set(srv, "/pay", &(hs_route){.body = "{\"status\":\"authorized\"}"});
    add_queue("carrier", 2, 0, 30000, 0);
    add_queue("pay", 2, 0, 5000, 0);
    for (int i = 0; i < 4; i++)
        submit("carrier", mkhttp("POST", "/carrier/track"));
    ck_assert_int_eq(hs_wait_hits(srv, "/carrier", 2, 5000), 0);
    size_t waiting = 0, in_flight = 0;
    ck_assert_int_eq(ex_queue_stats(ex, "carrier", &waiting, &in_flight), 0);
    ck_assert_uint_eq(in_flight, 2); /* every slot of the carrier is stuck */
    ck_assert_uint_eq(waiting, 2);
    for (int round = 0; round < 4; round++) {
        int before = done_count();
        got *first = NULL;
        for (int i = 0; i < 5; i++) {
            got *g = submit("pay", mkhttp("POST", "/pay/authorize"));
            first = first ? first : g;
        }
        wait_done(before + 5, 5000);
        for (got *g = first; g < first + 5; g++) {
            ck_assert_int_eq(g->outcome, EX_RESPONSE);
            ck_assert_int_eq(g->status, 200);
            ck_assert_msg(g->queued_ms + g->elapsed_ms < 500, "pay request took %.1f + %.1f ms",
                          g->queued_ms, g->elapsed_ms);
        }
    }
    ck_assert_uint_eq(hs_hits(srv, "/pay"), 20);
    /* The carrier is still stuck, untouched: nothing of it completed. */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(W.slot[i].calls, 0);
    ck_assert_uint_eq(hs_hits(srv, "/carrier"), 2);
    ck_assert_int_eq(ex_queue_stats(ex, "carrier", &waiting, &in_flight), 0);
    ck_assert_uint_eq(in_flight, 2);
    ck_assert_uint_eq(waiting, 2);
    ex_destroy(ex);
    ex = NULL;
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(W.slot[i].calls, 1);
        ck_assert_int_eq(W.slot[i].outcome, EX_CANCELLED);
    }
}
END_TEST

/* ---- file:// ---------------------------------------------------------------------------- */

static char *file_url(const char *name)
{
    char *url = NULL;
    ck_assert_int_ge(asprintf(&url, "file://%s/%s", dir, name), 0);
    return url;
}

START_TEST(file_append_in_order)
{
    add_queue("file", 4, 0, 0, 0);
    char *url = file_url("out.log");
    char *expect = NULL;
    size_t expect_len = 0;
    FILE *mem = open_memstream(&expect, &expect_len);
    ck_assert_ptr_nonnull(mem);
    for (int i = 0; i < 100; i++) {
        char line[64];
        int n = snprintf(line, sizeof(line), "{\"event\":\"order.placed\",\"seq\":%d}\n", i);
        fputs(line, mem);
        oh_request *req = mkreq("APPEND", url);
        ck_assert_int_eq(host_request_body(req, line, (size_t)n), 0);
        submit("file", req);
    }
    fclose(mem);
    wait_done(100, 10000);
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(W.slot[i].outcome, EX_RESPONSE);
        ck_assert_int_eq(W.slot[i].status, 200);
        ck_assert_uint_eq(W.slot[i].body_len, 0);
    }
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/out.log", dir), 0);
    char *text = tu_read(path);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, expect);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    ck_assert_uint_eq(st.st_mode & 0777, 0640 & ~mask);
    free(text);
    free(path);
    free(expect);
    free(url);
}
END_TEST

START_TEST(file_append_errors)
{
    add_queue("file", 1, 0, 0, 0);
    char *missing = file_url("no/such/dir/x.log");
    got *g = run1("file", mkreq("APPEND", missing));
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    ck_assert_msg(strstr(g->error, "No such file or directory") != NULL, "%s", g->error);
    ck_assert_int_eq(ex_classify(&(ex_result){.outcome = g->outcome}), EX_FAIL);
    char *ok = file_url("x.log");
    g = run1("file", mkreq("POST", ok));
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    ck_assert_ptr_nonnull(strstr(g->error, "APPEND"));
    g = run1("file", mkreq("APPEND", "file://elsewhere/tmp/x.log"));
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    /* %XX decoded */
    char *esc = file_url("with%20space.log");
    oh_request *req = mkreq("APPEND", esc);
    ck_assert_int_eq(host_request_body(req, "x\n", 2), 0);
    g = run1("file", req);
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/with space.log", dir), 0);
    ck_assert_int_eq(access(path, F_OK), 0);
    free(path);
    free(esc);
    free(ok);
    free(missing);
}
END_TEST

/* ---- lifecycle and errors --------------------------------------------------------------- */

START_TEST(destroy_cancels_pending_and_in_flight_once)
{
    hs_route_set(srv, "/hang", &(hs_route){.hang = 1});
    add_queue("q", 2, 0, 30000, 0);
    for (int i = 0; i < 5; i++)
        submit("q", mkhttp("GET", "/hang"));
    ck_assert_int_eq(hs_wait_hits(srv, "/hang", 2, 5000), 0);
    sleep_ms(50);
    ck_assert_int_eq(done_count(), 0);
    W.resubmit = 1; /* completions try ex_submit during ex_destroy: refused */
    double t0 = now_ms();
    ex_destroy(ex);
    ex = NULL;
    ck_assert_double_lt(now_ms() - t0, 2000);
    ck_assert_int_eq(done_count(), 5);
    int sent = 0;
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(W.slot[i].calls, 1);
        ck_assert_int_eq(W.slot[i].outcome, EX_CANCELLED);
        ck_assert_int_eq(W.slot[i].resubmit_rc, -1);
        sent += W.slot[i].sent;
    }
    ck_assert_int_eq(sent, 2); /* the two in flight left; the three waiting did not */
    ck_assert_int_eq(ex_classify(&(ex_result){.outcome = EX_CANCELLED}), EX_RETRY);
    ex_destroy(NULL);
}
END_TEST

/* Gates asked so far (tickets), filled by on_gate on the executor thread. */
static struct {
    pthread_mutex_t mu;
    ex_ticket *ticket[8];
    int asked;
} G = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};

static void on_gate(void *arg, ex_ticket *ticket)
{
    (void)arg;
    pthread_mutex_lock(&G.mu);
    G.ticket[G.asked++] = ticket;
    pthread_mutex_unlock(&G.mu);
}

static int gates_asked(int n, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        pthread_mutex_lock(&G.mu);
        int asked = G.asked;
        pthread_mutex_unlock(&G.mu);
        if (asked >= n)
            return asked;
        sleep_ms(10);
    }
    return -1;
}

static got *submit_gated(const char *queue, oh_request *req)
{
    got *g = &W.slot[W.next++];
    ck_assert_int_eq(ex_submit_gated(ex, queue, req, on_gate, on_done, g), 0);
    return g;
}

static void *open_later(void *arg)
{
    sleep_ms(200);
    ex_gate_open(ex, arg, 1);
    return NULL;
}

/* A gated request leaves only once its gate says so; a refused or stopped one never does. */
START_TEST(gated_request_leaves_only_when_opened)
{
    hs_route_set(srv, "/ok", &(hs_route){.status = 200, .body = "ok"});
    add_queue("g", 1, 0, 30000, 0);
    got *first = submit_gated("g", mkhttp("POST", "/ok"));
    got *second = submit_gated("g", mkhttp("POST", "/ok"));
    ck_assert_int_eq(gates_asked(1, 5000), 1);
    sleep_ms(100);
    /* Asked, unanswered: nothing sent, and the slot stays taken (the second waits). */
    ck_assert_uint_eq(hs_hits(srv, "/ok"), 0);
    ck_assert_int_eq(gates_asked(1, 10), 1);
    ck_assert_int_eq(done_count(), 0);
    ex_gate_open(ex, G.ticket[0], 0);
    wait_done(1, 5000);
    ck_assert_int_eq(first->outcome, EX_CANCELLED);
    ck_assert_int_eq(first->sent, 0);
    ck_assert_int_eq(ex_classify(&(ex_result){.outcome = EX_CANCELLED}), EX_RETRY);
    ck_assert_int_eq(gates_asked(2, 5000), 2);
    ck_assert_uint_eq(hs_hits(srv, "/ok"), 0);
    ex_gate_open(ex, G.ticket[1], 1);
    wait_done(2, 5000);
    ck_assert_int_eq(second->outcome, EX_RESPONSE);
    ck_assert_int_eq(second->status, 200);
    ck_assert_int_eq(second->sent, 1);
    ck_assert_uint_eq(hs_hits(srv, "/ok"), 1);
    /* Stopping with a gate unanswered: ex_destroy waits for the answer, then completes the
     * job unsent even though the answer was "go". */
    got *third = submit_gated("g", mkhttp("POST", "/ok"));
    ck_assert_int_eq(gates_asked(3, 5000), 3);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, open_later, G.ticket[2]), 0);
    ex_destroy(ex);
    pthread_join(t, NULL);
    ex = NULL;
    ck_assert_int_eq(done_count(), 3);
    ck_assert_int_eq(third->outcome, EX_CANCELLED);
    ck_assert_int_eq(third->sent, 0);
    ck_assert_uint_eq(hs_hits(srv, "/ok"), 1);
}
END_TEST

START_TEST(submit_and_queue_errors)
{
    add_queue("q", 0, 0, 0, 0);
    /* Unknown queue: -1, done never called, the request is freed (ASan checks). */
    ck_assert_int_eq(ex_submit(ex, "nope", mkhttp("GET", "/"), on_done, &W.slot[0]), -1);
    ck_assert_int_eq(ex_submit(ex, "q", NULL, on_done, NULL), -1);
    ex_limits bad = {.concurrency = -1};
    ck_assert_int_eq(ex_queue_set(ex, "b", &bad), -1);
    bad = (ex_limits){.rate_per_s = -2};
    ck_assert_int_eq(ex_queue_set(ex, "b", &bad), -1);
    ck_assert_int_eq(ex_queue_stats(ex, "b", NULL, NULL), -1);
    ck_assert_int_eq(ex_queue_stats(ex, "q", NULL, NULL), 0);
    W.next = 1;
    /* Requests that cannot be built complete with EX_LOCAL. */
    got *g = run1("q", mkreq("GET", "ftp://127.0.0.1/x"));
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    g = run1("q", mkhttp("GE T", "/"));
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    char *url = hs_url(srv, "/");
    char smtp[128];
    snprintf(smtp, sizeof(smtp), "smtp%s", url + 4);
    free(url);
    g = run1("q", mkreq(NULL, smtp)); /* no envelope */
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    oh_request *empty = host_request_new();
    ck_assert_ptr_nonnull(empty);
    g = run1("q", empty); /* no URL at all */
    ck_assert_int_eq(g->outcome, EX_LOCAL);
    /* Updating a queue keeps it working. */
    hs_route_set(srv, "/", &(hs_route){.status = 204});
    add_queue("q", 1, 100, 1000, 0);
    g = run1("q", mkhttp("GET", "/"));
    ck_assert_int_eq(g->status, 204);
}
END_TEST

/* ---- secrets in the log ------------------------------------------------------------------ */

START_TEST(secrets_never_logged)
{
    hs_route_set(srv, "/auth", &(hs_route){.body = "ok"});
    char *logpath = NULL;
    ck_assert_int_ge(asprintf(&logpath, "%s/stderr.log", dir), 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
    close(fd);
    log_set_level(OH_LOG_DEBUG);

    ex_limits lim = {.insecure_tls = 1};
    ck_assert_int_eq(ex_queue_set(ex, "q", &lim), 0);
    ck_assert_int_eq(ex_queue_set(ex, "q", &lim), 0); /* an update: no second warning */
    char url[128];
    snprintf(url, sizeof(url), "http://shop:hunter2@127.0.0.1:%u/auth?page=1",
             (unsigned)hs_port(srv));
    oh_request *req = mkreq("POST", url);
    ck_assert_int_eq(host_request_header(req, "Authorization", "Bearer s3cr3t-t0ken",
                                         OH_HEADER_SENSITIVE), 0);
    ck_assert_int_eq(host_request_header(req, "X-Api-Key", "k3y-v4lue", OH_HEADER_SENSITIVE),
                     0);
    ck_assert_int_eq(host_request_header(req, "X-Plain", "plain-value", 0), 0);
    got *g = run1("q", req);
    char bad[64];
    snprintf(bad, sizeof(bad), "http://127.0.0.1:%u/x", (unsigned)closed_port());
    oh_request *req2 = mkreq("GET", bad);
    ck_assert_int_eq(host_request_header(req2, "Authorization", "Bearer s3cr3t-t0ken",
                                         OH_HEADER_SENSITIVE), 0);
    run1("q", req2);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    log_set_level(OH_LOG_ERROR);

    ck_assert_int_eq(g->status, 200);
    const hs_request *r = hs_last(srv, "/auth");
    ck_assert_pstr_eq(hs_header_get(r, "Authorization"), "Bearer s3cr3t-t0ken"); /* sent */
    char *text = tu_read(logpath);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "s3cr3t") == NULL, "secret in log:\n%s", text);
    ck_assert_msg(strstr(text, "k3y-v4lue") == NULL, "secret in log:\n%s", text);
    ck_assert_msg(strstr(text, "hunter2") == NULL, "password in log:\n%s", text);
    ck_assert_msg(strstr(text, "plain-value") == NULL, "header value in log:\n%s", text);
    ck_assert_msg(strstr(text, "Authorization: ***") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "X-Api-Key: ***") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "X-Plain") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "POST http://***@127.0.0.1:") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "-> 200 in ") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "network error") != NULL, "%s", text);
    const char *warn = strstr(text, "insecure_tls");
    ck_assert_msg(warn != NULL, "no warning:\n%s", text);
    ck_assert_msg(strstr(warn + 1, "insecure_tls") == NULL, "warned twice:\n%s", text);
    free(text);
    free(logpath);
}
END_TEST

/* ---- SMTP ------------------------------------------------------------------------------- */

static oh_request *mkmail(ss_sink *sink, const char *body)
{
    char url[128];
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%u/shop.example", (unsigned)ss_port(sink));
    oh_request *req = mkreq(NULL, url);
    const char *rcpt[] = {"buyer@example.org", "<seller@example.org>"};
    ck_assert_int_eq(host_request_mail(req, "shop@example.org", rcpt, 2), 0);
    ck_assert_int_eq(host_request_body(req, body, strlen(body)), 0);
    return req;
}

START_TEST(smtp_message_delivered)
{
    ss_sink *sink = ss_start();
    ck_assert_ptr_nonnull(sink);
    add_queue("mail", 1, 0, 5000, 0);
    const char *msg = "From: shop@example.org\r\nTo: buyer@example.org\r\n"
                      "Subject: Your order shipped\r\n\r\nHello.\r\n.a line with a dot\r\n";
    got *g = run1("mail", mkmail(sink, msg));
    ck_assert_msg(g->outcome == EX_RESPONSE, "%d %s", g->outcome, g->error);
    ck_assert_int_eq(g->status, 250);
    ck_assert_int_eq(ex_classify_smtp(&(ex_result){.outcome = EX_RESPONSE,
                                                   .response.status = g->status}), EX_OK);
    ck_assert_uint_eq(ss_count(sink), 1);
    const ss_message *m = ss_message_at(sink, 0);
    ck_assert_str_eq(m->from, "<shop@example.org>");
    ck_assert_uint_eq(m->rcpt_count, 2);
    ck_assert_str_eq(m->rcpt[0], "<buyer@example.org>");
    ck_assert_str_eq(m->rcpt[1], "<seller@example.org>");
    ck_assert_str_eq(m->data, msg);

    /* A refused recipient is an answer: permanent (5xx) or transient (4xx). */
    ss_reject_rcpt(sink, 550);
    g = run1("mail", mkmail(sink, msg));
    ck_assert_msg(g->outcome == EX_RESPONSE, "%d %s", g->outcome, g->error);
    ck_assert_int_eq(g->status, 550);
    ck_assert_int_eq(ex_classify_smtp(&(ex_result){.outcome = EX_RESPONSE,
                                                   .response.status = g->status}), EX_FAIL);
    ss_reject_rcpt(sink, 451);
    g = run1("mail", mkmail(sink, msg));
    ck_assert_int_eq(g->status, 451);
    ck_assert_int_eq(ex_classify_smtp(&(ex_result){.outcome = EX_RESPONSE,
                                                   .response.status = g->status}), EX_RETRY);
    ck_assert_uint_eq(ss_count(sink), 1);
    ex_destroy(ex); /* drops curl's cached SMTP connection before the sink stops */
    ex = NULL;
    ss_stop(sink);
}
END_TEST

/* ---- pure functions -------------------------------------------------------------------- */

static ex_verdict verdict(ex_outcome o, int status)
{
    ex_result r = {.outcome = o, .response.status = status};
    return ex_classify(&r);
}

START_TEST(classify_table)
{
    static const struct {
        int status;
        ex_verdict v;
    } http[] = {{200, EX_OK}, {201, EX_OK}, {204, EX_OK},   {299, EX_OK},    {100, EX_FAIL},
                {301, EX_FAIL}, {304, EX_FAIL}, {400, EX_FAIL}, {401, EX_FAIL}, {403, EX_FAIL},
                {404, EX_FAIL}, {409, EX_FAIL}, {422, EX_FAIL}, {408, EX_RETRY}, {425, EX_RETRY},
                {429, EX_RETRY}, {500, EX_RETRY}, {502, EX_RETRY}, {503, EX_RETRY},
                {504, EX_RETRY}, {599, EX_RETRY}, {600, EX_FAIL}};
    for (size_t i = 0; i < sizeof(http) / sizeof(http[0]); i++)
        ck_assert_msg(verdict(EX_RESPONSE, http[i].status) == http[i].v, "status %d",
                      http[i].status);
    ck_assert_int_eq(verdict(EX_NETWORK, 0), EX_RETRY);
    ck_assert_int_eq(verdict(EX_TIMEOUT, 0), EX_RETRY);
    ck_assert_int_eq(verdict(EX_CANCELLED, 0), EX_RETRY);
    ck_assert_int_eq(verdict(EX_TOO_LARGE, 200), EX_FAIL);
    ck_assert_int_eq(verdict(EX_LOCAL, 0), EX_FAIL);
    ck_assert_int_eq(ex_classify(NULL), EX_FAIL);
    ex_result smtp = {.outcome = EX_RESPONSE, .response.status = 250};
    ck_assert_int_eq(ex_classify_smtp(&smtp), EX_OK);
    smtp.response.status = 421;
    ck_assert_int_eq(ex_classify_smtp(&smtp), EX_RETRY);
    smtp.response.status = 554;
    ck_assert_int_eq(ex_classify_smtp(&smtp), EX_FAIL);
    smtp.outcome = EX_TIMEOUT;
    ck_assert_int_eq(ex_classify_smtp(&smtp), EX_RETRY);
}
END_TEST

START_TEST(backoff_bounds)
{
    uint64_t seed = 42;
    const int64_t base = 100, cap = 10000;
    for (int attempt = 1; attempt <= 70; attempt++) {
        int64_t d = base;
        for (int i = 1; i < attempt && d < cap; i++)
            d *= 2;
        if (d > cap)
            d = cap;
        for (int k = 0; k < 200; k++) {
            int64_t r = ex_backoff_ms_r(attempt, base, cap, -1, &seed);
            ck_assert_msg(r >= d / 2 && r <= d, "attempt %d: %lld not in [%lld, %lld]",
                          attempt, (long long)r, (long long)(d / 2), (long long)d);
            int64_t s = ex_backoff_ms(attempt, base, cap, -1);
            ck_assert(s >= d / 2 && s <= d);
        }
    }
    /* Jitter really jitters, and covers the range. */
    int64_t lo = INT64_MAX, hi = 0;
    for (int k = 0; k < 2000; k++) {
        int64_t r = ex_backoff_ms_r(4, base, cap, -1, &seed); /* d = 800 */
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
    }
    ck_assert_int_lt(lo, 450);
    ck_assert_int_gt(hi, 750);
    /* Same seed, same sequence. */
    uint64_t a = 7, b = 7;
    for (int k = 0; k < 10; k++)
        ck_assert_int_eq(ex_backoff_ms_r(3, base, cap, -1, &a),
                         ex_backoff_ms_r(3, base, cap, -1, &b));
    /* Retry-After wins when larger, not when smaller. */
    ck_assert_int_eq(ex_backoff_ms(1, base, cap, 60000), 60000);
    int64_t r = ex_backoff_ms(1, base, cap, 10);
    ck_assert(r >= 50 && r <= 100);
    /* Huge attempts, no overflow; max_ms <= 0 means no cap; attempt < 1 counts as 1. */
    r = ex_backoff_ms(INT32_MAX, 1000, 0, -1);
    ck_assert(r >= INT64_MAX / 4 - 1 && r > 0);
    r = ex_backoff_ms(0, base, cap, -1);
    ck_assert(r >= 50 && r <= 100);
    ck_assert_int_eq(ex_backoff_ms(5, 0, cap, -1), 0);
}
END_TEST

/* What the debug line shows of a URL: scheme, host, port; never userinfo, path or query
 * (keys ride in queries, and a Slack webhook's path is its secret). */
START_TEST(logged_urls_hide_userinfo_and_query)
{
    static const char *const cases[][2] = {
        {"https://api.example/v1/track", "https://api.example/***"},
        {"https://api.example/", "https://api.example/"},
        {"https://u:p@api.example/v1?key=SECRET", "https://***@api.example/***"},
        {"http://h/ShippingAPI.dll?API=TrackV2&XML=%3CTrackFieldRequest%20USERID%3D%22X%22",
         "http://h/***"},
        {"https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/***"},
        {"https://h?q=1", "https://h/***"},
        {"smtp://user:pw@mail.example:587", "smtp://***@mail.example:587"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[256];
        ex_redact_url(cases[i][0], out, sizeof(out));
        ck_assert_str_eq(out, cases[i][1]);
    }
}
END_TEST

/* ---- answers the plugin must not parse, and header limits (hostile remotes) ---------- */

/* {"X-Pad-1", value, "X-Pad-2", value, ..., NULL}: `count` headers of `len` bytes each. */
static const char **pad_headers(size_t count, size_t len)
{
    const char **h = calloc(2 * count + 1, sizeof(*h));
    char *value = malloc(len + 1);
    ck_assert(h != NULL && value != NULL);
    memset(value, 'v', len);
    value[len] = '\0';
    for (size_t i = 0; i < count; i++) {
        char name[32];
        snprintf(name, sizeof(name), "X-Pad-%zu", i);
        h[2 * i] = strdup(name);
        h[2 * i + 1] = value;
        ck_assert_ptr_nonnull(h[2 * i]);
    }
    return h;
}

static void pad_free(const char **h, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free((char *)h[2 * i]);
    free((char *)h[1]);
    free(h);
}

/* A 345 KB header block used to be reported as "answer over 8388608 bytes": the body cap,
 * which had nothing to do with it.  Three shapes: many lines, few big lines, one huge line
 * (refused by curl itself before our callback sees it). */
START_TEST(header_block_too_large_says_so)
{
    static const struct {
        const char *path;
        size_t count, len;
    } shapes[] = {{"/many", 3000, 100}, {"/big", 150, 500}, {"/huge", 1, 345 * 1024}};
    add_queue("q", 0, 0, 0, 0);
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        const char **h = pad_headers(shapes[i].count, shapes[i].len);
        ck_assert_int_eq(hs_route_set(srv, shapes[i].path, &(hs_route){.body = "{}",
                                                                       .headers = h}), 0);
        pad_free(h, shapes[i].count);
        got *g = run1("q", mkhttp("GET", shapes[i].path));
        ck_assert_msg(g->outcome == EX_TOO_LARGE, "%s: outcome %d (%s)", shapes[i].path,
                      g->outcome, g->error);
        ck_assert_msg(strstr(g->error, "response header block too large") != NULL &&
                          strstr(g->error, "max_response_bytes") == NULL,
                      "%s: %s", shapes[i].path, g->error);
    }
    got *g = &W.slot[0];
    ck_assert_ptr_nonnull(strstr(g->error, "65536 bytes or 200 lines"));
    /* Just under the limits still arrives. */
    const char **h = pad_headers(100, 400);
    hs_route_set(srv, "/fine", &(hs_route){.body = "{}", .headers = h});
    pad_free(h, 100);
    g = run1("q", mkhttp("GET", "/fine"));
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
    ck_assert_uint_ge(g->header_count, 100);
}
END_TEST

/* A 302 used to reach the plugin, which reported a JSON error.  It is reported as a redirect,
 * with the Location's host only: the path and query may carry a secret. */
START_TEST(redirect_reported_with_host_only)
{
    const char *moved[] = {"Location", "https://portal.example.net/login?token=S3CRET-T0K", NULL};
    const char *relative[] = {"Location", "/v2/elsewhere?key=S3CRET-K3Y", NULL};
    hs_route_set(srv, "/moved", &(hs_route){.status = 302, .body = "<html>moved</html>",
                                            .headers = moved});
    hs_route_set(srv, "/rel", &(hs_route){.status = 301, .headers = relative});
    hs_route_set(srv, "/none", &(hs_route){.status = 307});
    hs_route_set(srv, "/notmod", &(hs_route){.status = 304});
    add_queue("q", 0, 0, 0, 0);
    got *g = run1("q", mkhttp("POST", "/moved"));
    ck_assert_int_eq(g->outcome, EX_UNEXPECTED);
    ck_assert_int_eq(g->status, 302);
    ck_assert_msg(strstr(g->error, "unexpected redirect (HTTP 302 to portal.example.net)") &&
                      strstr(g->error, "not followed"), "%s", g->error);
    ck_assert_msg(strstr(g->error, "S3CRET") == NULL && strstr(g->error, "/login") == NULL,
                  "%s", g->error);
    ck_assert_int_eq(ex_classify(&(ex_result){.outcome = g->outcome, .response.status = 302}),
                     EX_FAIL);
    ck_assert_uint_eq(hs_hits(srv, "/moved"), 1); /* not followed */
    g = run1("q", mkhttp("GET", "/rel"));
    ck_assert_int_eq(g->outcome, EX_UNEXPECTED);
    ck_assert_msg(strstr(g->error, "HTTP 301 to 127.0.0.1") && !strstr(g->error, "S3CRET"),
                  "%s", g->error);
    g = run1("q", mkhttp("GET", "/none"));
    ck_assert_int_eq(g->outcome, EX_UNEXPECTED);
    ck_assert_msg(strstr(g->error, "HTTP 307 to no Location") != NULL, "%s", g->error);
    g = run1("q", mkhttp("GET", "/notmod")); /* not a redirect */
    ck_assert_int_eq(g->outcome, EX_RESPONSE);
}
END_TEST

/* A captive portal's 200 HTML page used to be handed to a JSON parser.  A request whose
 * Accept names no HTML type gets EX_UNEXPECTED (retried by the normal policy); a request
 * without Accept still gets the answer (Slack's webhooks answer "ok" as text/html). */
START_TEST(html_page_instead_of_api_answer)
{
    const char *html[] = {"Content-Type", "text/html; charset=utf-8", NULL};
    hs_route_set(srv, "/portal", &(hs_route){.body = "<html><form>Log in</form></html>",
                                             .headers = html});
    add_queue("q", 0, 0, 0, 0);
    static const struct {
        const char *accept; /* NULL: no Accept header */
        ex_outcome want;
    } cases[] = {{"application/json", EX_UNEXPECTED},
                 {"application/xml, text/xml;q=0.9", EX_UNEXPECTED},
                 {NULL, EX_RESPONSE},
                 {"text/html", EX_RESPONSE},
                 {"application/json, */*;q=0.1", EX_RESPONSE}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        oh_request *req = mkhttp("GET", "/portal");
        if (cases[i].accept != NULL)
            ck_assert_int_eq(host_request_header(req, "Accept", cases[i].accept, 0), 0);
        got *g = run1("q", req);
        ck_assert_msg(g->outcome == cases[i].want, "Accept %s: outcome %d (%s)",
                      cases[i].accept ? cases[i].accept : "(none)", g->outcome, g->error);
        if (g->outcome == EX_UNEXPECTED) {
            ck_assert_msg(strstr(g->error, "HTML page instead of an API answer") &&
                              strstr(g->error, "captive portal or proxy?"), "%s", g->error);
            ck_assert_int_eq(ex_classify(&(ex_result){.outcome = g->outcome,
                                                      .response.status = g->status}),
                             EX_RETRY);
        }
    }
    oh_response r = {.status = 200, .headers = &(oh_header){"content-type", "TEXT/HTML", 0},
                     .header_count = 1};
    ck_assert(ex_is_html_answer(&r));
    r.status = 503;
    ck_assert(!ex_is_html_answer(&r));
}
END_TEST

int main(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    setenv("no_proxy", "*", 1); /* loopback only, whatever the environment says */
    log_setup("check_executor", 0, OH_LOG_ERROR);

    Suite *s = suite_create("executor");
    TCase *http = tcase_create("http");
    tcase_add_checked_fixture(http, setup, teardown);
    tcase_set_timeout(http, 30);
    tcase_add_test(http, get_200_body_and_headers);
    tcase_add_test(http, post_body_and_headers_arrive_as_sent);
    tcase_add_test(http, retry_after_seconds);
    tcase_add_test(http, retry_after_http_date);
    tcase_add_test(http, body_over_cap_is_too_large);
    tcase_add_test(http, header_block_too_large_says_so);
    tcase_add_test(http, redirect_reported_with_host_only);
    tcase_add_test(http, html_page_instead_of_api_answer);
    tcase_add_test(http, connect_refused_is_network);
    tcase_add_test(http, total_timeout);
    tcase_add_test(http, connection_reused);
    tcase_add_test(http, tls_verified_unless_insecure);
    tcase_add_test(http, secrets_never_logged);
    suite_add_tcase(s, http);

    TCase *limits = tcase_create("limits");
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_set_timeout(limits, 30);
    tcase_add_test(limits, concurrency_limit_honoured);
    tcase_add_test(limits, rate_limit_honoured);
    tcase_add_test(limits, isolation_dead_carrier_never_delays_payments);
    suite_add_tcase(s, limits);

    TCase *other = tcase_create("file_smtp_lifecycle");
    tcase_add_checked_fixture(other, setup, teardown);
    tcase_set_timeout(other, 30);
    tcase_add_test(other, file_append_in_order);
    tcase_add_test(other, file_append_errors);
    tcase_add_test(other, smtp_message_delivered);
    tcase_add_test(other, destroy_cancels_pending_and_in_flight_once);
    tcase_add_test(other, gated_request_leaves_only_when_opened);
    tcase_add_test(other, submit_and_queue_errors);
    suite_add_tcase(s, other);

    TCase *pure = tcase_create("pure");
    tcase_add_test(pure, classify_table);
    tcase_add_test(pure, backoff_bounds);
    tcase_add_test(pure, logged_urls_hide_userinfo_and_query);
    suite_add_tcase(s, pure);

    int rc = tu_run(s);
    curl_global_cleanup();
    return rc;
}
