/*
 * ingest_ceiling - the ceiling for order ingest over HTTP: a bare libmicrohttpd responder
 * with the same threading model as orderhubd's API (core/api/api.c: one internal polling
 * thread using epoll, suspend/resume allowed, 30 s connection timeout, at most 1024
 * connections).  See bench/README.md.
 *
 *   ingest_ceiling [--listen HOST:PORT] [--max-seconds T]
 *
 * POST /v1/orders: the body is accumulated the way api.c does it (realloc per chunk, at most
 * 64 KiB), parsed with jansson (json_loadb, JSON_REJECT_DUPLICATES), checked to be an object
 * with a string "id", and answered 201 {"id":...,"state":"accepted"}.  Nothing is
 * authenticated, validated further or stored: what is left is HTTP, the JSON parse and the
 * answer, which is the most any HTTP intake on this server model can do.
 *
 * Port 0 picks a free port; the address is printed on stderr as "API on HOST:PORT", as
 * orderhubd logs it.  Runs until SIGTERM or SIGINT, or --max-seconds (default 900) as a
 * safety net, then prints its counts and exits 0.
 */
#include "config.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BODY (64 * 1024)

typedef struct body {
    char *data;
    size_t len;
    int too_big;
} body;

static atomic_ulong n_requests, n_created, n_refused;

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    atomic_fetch_add(&n_requests, 1);
    atomic_fetch_add(status == 201 ? &n_created : &n_refused, 1);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    body *b = *con_cls;
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        if (b == NULL)
            return MHD_NO;
        *con_cls = b;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (b->len + *upload_size > MAX_BODY) {
            b->too_big = 1;
        } else if (!b->too_big) {
            char *d = realloc(b->data, b->len + *upload_size + 1);
            if (d == NULL)
                return MHD_NO;
            memcpy(d + b->len, upload, *upload_size);
            b->data = d;
            b->len += *upload_size;
            d[b->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/v1/orders") != 0)
        return answer(conn, 404, "{\"error\":\"no such resource\"}");
    if (strcmp(method, "POST") != 0)
        return answer(conn, 405, "{\"error\":\"use POST\"}");
    if (b->too_big)
        return answer(conn, 413, "{\"error\":\"request body over 64 KiB\"}");
    json_error_t je;
    json_t *order = json_loadb(b->data ? b->data : "", b->len, JSON_REJECT_DUPLICATES, &je);
    const char *id = json_string_value(json_object_get(order, "id"));
    if (!json_is_object(order) || id == NULL || *id == '\0') {
        json_decref(order);
        return answer(conn, 400, "{\"error\":\"the body must be a JSON object with an id\"}");
    }
    json_t *reply = json_pack("{s:s, s:s}", "id", id, "state", "accepted");
    char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
    json_decref(reply);
    json_decref(order);
    enum MHD_Result rc = text ? answer(conn, 201, text)
                              : answer(conn, 500, "{\"error\":\"out of memory\"}");
    free(text);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    body *b = *con_cls;
    if (b == NULL)
        return;
    free(b->data);
    free(b);
    *con_cls = NULL;
}

static int parse_listen(const char *text, struct sockaddr_in *addr)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof(host))
        return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
        return -1;
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: ingest_ceiling [--listen HOST:PORT] [--max-seconds T]\n"
            "  --listen HOST:PORT  IPv4 address to listen on (default 127.0.0.1:0, a free "
            "port)\n"
            "  --max-seconds T     exit after T seconds even without a signal (default 900)\n");
    exit(status);
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:0";
    double max_seconds = 900;
    static const struct option longs[] = {{"listen", required_argument, NULL, 'l'},
                                          {"max-seconds", required_argument, NULL, 't'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "l:t:h", longs, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 't': max_seconds = atof(optarg); break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    struct sockaddr_in addr;
    if (optind != argc || max_seconds <= 0 || parse_listen(listen, &addr) != 0)
        usage(2);

    /* Signals are blocked before MHD's thread exists, then taken by sigtimedwait below. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        /* The same model as core/api/api.c: one internal thread using poll(). */
        MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "ingest_ceiling: cannot listen on %s (address in use?)\n", listen);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof(host));
    fprintf(stderr, "ingest_ceiling: API on %s:%u\n", host, info ? info->port : 0u);
    fflush(stderr);

    struct timespec limit = {.tv_sec = (time_t)max_seconds,
                             .tv_nsec = (long)((max_seconds - (double)(time_t)max_seconds) *
                                               1e9)};
    int sig;
    while ((sig = sigtimedwait(&set, NULL, &limit)) < 0 && errno == EINTR)
        ;
    MHD_stop_daemon(d);
    fprintf(stderr, "ingest_ceiling: %s; %lu requests, %lu answered 201, %lu refused\n",
            sig < 0 ? "--max-seconds reached" : "stopping on a signal",
            atomic_load(&n_requests), atomic_load(&n_created), atomic_load(&n_refused));
    return 0;
}
