/*
 * http_server - a scriptable HTTP server for tests (libmicrohttpd), on 127.0.0.1 with an
 * ephemeral port.
 *
 * Each connection gets its own thread (MHD_USE_THREAD_PER_CONNECTION), so a slow or hanging
 * route never blocks another.  Routes match a path PREFIX (the longest one wins); a request
 * no route matches gets 404 "no route".  Every received request is recorded (method, path,
 * headers as the client spelled them, body, client port) and counted per route, with the
 * number of requests being handled at once on that route (to check concurrency limits).
 *
 * THREADING: every function is thread-safe.  Records are immutable once visible and stay
 * valid until hs_stop.
 *
 * OWNERSHIP: hs_route_set copies everything it is given.  Strings returned by hs_url are
 * the caller's (free them); record pointers belong to the server.
 *
 * TYPICAL USE
 *     hs_server *s = hs_start();
 *     const char *hdrs[] = {"Retry-After", "2", NULL};
 *     hs_route_set(s, "/busy", &(hs_route){.status = 503, .body = "busy", .headers = hdrs});
 *     char *url = hs_url(s, "/busy/1");  ...  free(url);
 *     ck_assert_uint_eq(hs_hits(s, "/busy"), 1);
 *     hs_stop(s);
 */
#ifndef OH_TEST_HTTP_SERVER_H
#define OH_TEST_HTTP_SERVER_H

#include <stddef.h>

typedef struct hs_server hs_server;

/* What a route answers. */
typedef struct hs_route {
    int status;                 /* 0 = 200 */
    const char *body;           /* NULL = empty */
    size_t body_len;            /* 0 = strlen(body) */
    const char *const *headers; /* NULL, or {"Name", "value", ..., NULL} */
    unsigned delay_ms;          /* wait this long before answering (cut short by hs_stop) */
    int hang;                   /* never answer; the connection is closed by hs_stop */
    int chunked;                /* chunked transfer encoding (no Content-Length) */
} hs_route;

typedef struct hs_header {
    char *name;
    char *value;
} hs_header;

/* One received request. */
typedef struct hs_request {
    char *method;
    char *path; /* without the query string */
    hs_header *headers;
    size_t header_count;
    char *body; /* body_len bytes + NUL */
    size_t body_len;
    unsigned short client_port; /* the same port twice = the connection was reused */
} hs_request;

/* hs_start - start a server with no routes; NULL on failure. */
hs_server *hs_start(void);

/* hs_start_tls - the same over HTTPS with this PEM certificate and key (copied); NULL on
 * failure, also when libmicrohttpd was built without TLS. */
hs_server *hs_start_tls(const char *cert_pem, const char *key_pem);

/* hs_stop - release hanging and delayed handlers, stop, free everything.  NULL is a no-op. */
void hs_stop(hs_server *s);

/* hs_port - the bound port. */
unsigned short hs_port(const hs_server *s);

/* hs_url - "http://127.0.0.1:PORT" + path ("https://" for a TLS server; malloc'd; NULL
 * when out of memory). */
char *hs_url(const hs_server *s, const char *path);

/* hs_route_set - create or replace the route for path prefix `prefix`.  0 / -1. */
int hs_route_set(hs_server *s, const char *prefix, const hs_route *route);

/* hs_hits - requests received on the route `prefix` (exact prefix as given to
 * hs_route_set; "" counts the unrouted ones).  Counted when the request is complete,
 * before any delay or hang. */
size_t hs_hits(hs_server *s, const char *prefix);

/* hs_max_concurrent - the most requests of route `prefix` handled at once so far. */
size_t hs_max_concurrent(hs_server *s, const char *prefix);

/* hs_wait_hits - wait until hs_hits(prefix) >= n: 0, or -1 after timeout_ms. */
int hs_wait_hits(hs_server *s, const char *prefix, size_t n, unsigned timeout_ms);

/* hs_request_count / hs_request_at - the records, in arrival order. */
size_t hs_request_count(hs_server *s);
const hs_request *hs_request_at(hs_server *s, size_t i);

/* hs_last - the latest request whose path starts with `path_prefix`, or NULL. */
const hs_request *hs_last(hs_server *s, const char *path_prefix);

/* hs_header_get - the first header `name` (case-insensitive) of a record, or NULL. */
const char *hs_header_get(const hs_request *r, const char *name);

#endif
