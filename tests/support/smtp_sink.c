/*
 * smtp_sink - see smtp_sink.h.
 */
#include "config.h"

#include "smtp_sink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define SS_MAX_LINE 4096
#define SS_MAX_DATA ((size_t)16 * 1024 * 1024)
#define SS_MAX_CONN 64

typedef struct conn {
    ss_sink *sink;
    int fd;
    char buf[SS_MAX_LINE];
    size_t len;
} conn;

struct ss_sink {
    int listen_fd;
    unsigned short port;
    atomic_int stopping;
    pthread_t acceptor;
    pthread_mutex_t mu;
    int reject_code;
    pthread_t threads[SS_MAX_CONN];
    size_t thread_count;
    ss_message **msgs;
    size_t count, cap;
};

static void free_message(ss_message *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->rcpt_count; i++)
        free(m->rcpt[i]);
    free(m->rcpt);
    free(m->from);
    free(m->data);
    free(m);
}

static int send_str(conn *c, const char *s)
{
    size_t len = strlen(s), off = 0;
    while (off < len) {
        ssize_t n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* Read one line (CRLF or LF stripped) into out; 0, or -1 on EOF, error, stop. */
static int read_line(conn *c, char *out, size_t outlen)
{
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - c->buf);
            size_t keep = n > 0 && c->buf[n - 1] == '\r' ? n - 1 : n;
            if (keep >= outlen)
                keep = outlen - 1;
            memcpy(out, c->buf, keep);
            out[keep] = '\0';
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            return 0;
        }
        if (c->len == sizeof(c->buf))
            return -1; /* line too long */
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 100);
        if (atomic_load(&c->sink->stopping))
            return -1;
        if (pr <= 0)
            continue;
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        c->len += (size_t)n;
    }
}

static char *arg_of(const char *line, const char *verb)
{
    size_t n = strlen(verb);
    if (strncasecmp(line, verb, n) != 0)
        return NULL;
    const char *a = line + n;
    while (*a == ' ')
        a++;
    return strdup(a);
}

/* DATA: lines until ".", dot-unstuffed, CRLF restored.  0 / -1. */
static int read_data(conn *c, ss_message *m)
{
    char line[SS_MAX_LINE];
    for (;;) {
        if (read_line(c, line, sizeof(line)) != 0)
            return -1;
        if (strcmp(line, ".") == 0)
            return 0;
        const char *l = line[0] == '.' ? line + 1 : line;
        size_t n = strlen(l);
        if (m->data_len + n + 2 > SS_MAX_DATA)
            return -1;
        char *d = realloc(m->data, m->data_len + n + 3);
        if (d == NULL)
            return -1;
        memcpy(d + m->data_len, l, n);
        memcpy(d + m->data_len + n, "\r\n", 3);
        m->data = d;
        m->data_len += n + 2;
    }
}

static int add_rcpt(ss_message *m, char *rcpt)
{
    char **v = realloc(m->rcpt, (m->rcpt_count + 1) * sizeof(*v));
    if (v == NULL) {
        free(rcpt);
        return -1;
    }
    m->rcpt = v;
    m->rcpt[m->rcpt_count++] = rcpt;
    return 0;
}

static int store(ss_sink *s, ss_message *m)
{
    pthread_mutex_lock(&s->mu);
    int ok = 1;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        ss_message **v = realloc(s->msgs, cap * sizeof(*v));
        ok = v != NULL;
        if (ok) {
            s->msgs = v;
            s->cap = cap;
        }
    }
    if (ok)
        s->msgs[s->count++] = m;
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

static int reject_code(ss_sink *s)
{
    pthread_mutex_lock(&s->mu);
    int code = s->reject_code;
    pthread_mutex_unlock(&s->mu);
    return code;
}

/* One command; 0 to go on, 1 after QUIT, -1 on error.  *m is the message being built. */
static int command(conn *c, const char *line, ss_message **m)
{
    char *arg;
    if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0)
        return send_str(c, "250 sink\r\n");
    if ((arg = arg_of(line, "MAIL FROM:")) != NULL) {
        free_message(*m);
        *m = calloc(1, sizeof(**m));
        if (*m == NULL) {
            free(arg);
            return -1;
        }
        (*m)->from = arg;
        return send_str(c, "250 ok\r\n");
    }
    if ((arg = arg_of(line, "RCPT TO:")) != NULL) {
        int code = reject_code(c->sink);
        if (*m == NULL || code != 0) {
            free(arg);
            char reply[64];
            snprintf(reply, sizeof(reply), "%d no such user\r\n", *m == NULL ? 503 : code);
            return send_str(c, reply);
        }
        return add_rcpt(*m, arg) != 0 ? -1 : send_str(c, "250 ok\r\n");
    }
    if (strcasecmp(line, "DATA") == 0) {
        if (*m == NULL || (*m)->rcpt_count == 0)
            return send_str(c, "503 need RCPT\r\n");
        if (send_str(c, "354 go on\r\n") != 0 || read_data(c, *m) != 0)
            return -1;
        if ((*m)->data == NULL && ((*m)->data = calloc(1, 1)) == NULL)
            return -1;
        if (store(c->sink, *m) != 0)
            return -1;
        *m = NULL;
        return send_str(c, "250 queued\r\n");
    }
    if (strcasecmp(line, "RSET") == 0) {
        free_message(*m);
        *m = NULL;
        return send_str(c, "250 ok\r\n");
    }
    if (strcasecmp(line, "NOOP") == 0)
        return send_str(c, "250 ok\r\n");
    if (strcasecmp(line, "QUIT") == 0)
        return send_str(c, "221 bye\r\n") == 0 ? 1 : -1;
    return send_str(c, "500 unknown command\r\n");
}

static void *serve(void *arg)
{
    conn *c = arg;
    ss_message *m = NULL;
    char line[SS_MAX_LINE];
    if (send_str(c, "220 sink ESMTP\r\n") == 0) {
        while (read_line(c, line, sizeof(line)) == 0 && command(c, line, &m) == 0)
            ;
    }
    free_message(m);
    close(c->fd);
    free(c);
    return NULL;
}

static void *accept_loop(void *arg)
{
    ss_sink *s = arg;
    while (!atomic_load(&s->stopping)) {
        struct pollfd pfd = {.fd = s->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        conn *c = calloc(1, sizeof(*c));
        pthread_mutex_lock(&s->mu);
        int ok = c != NULL && s->thread_count < SS_MAX_CONN;
        if (ok) {
            c->sink = s;
            c->fd = fd;
            ok = pthread_create(&s->threads[s->thread_count], NULL, serve, c) == 0;
            if (ok)
                s->thread_count++;
        }
        pthread_mutex_unlock(&s->mu);
        if (!ok) {
            close(fd);
            free(c);
        }
    }
    return NULL;
}

ss_sink *ss_start(void)
{
    ss_sink *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(s->listen_fd, 16) != 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&sa, &len) != 0 ||
        pthread_mutex_init(&s->mu, NULL) != 0) {
        if (s->listen_fd >= 0)
            close(s->listen_fd);
        free(s);
        return NULL;
    }
    s->port = ntohs(sa.sin_port);
    if (pthread_create(&s->acceptor, NULL, accept_loop, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        close(s->listen_fd);
        free(s);
        return NULL;
    }
    return s;
}

void ss_stop(ss_sink *s)
{
    if (s == NULL)
        return;
    atomic_store(&s->stopping, 1);
    pthread_join(s->acceptor, NULL);
    for (size_t i = 0; i < s->thread_count; i++) /* the acceptor is gone: no new ones */
        pthread_join(s->threads[i], NULL);
    close(s->listen_fd);
    for (size_t i = 0; i < s->count; i++)
        free_message(s->msgs[i]);
    free(s->msgs);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

unsigned short ss_port(const ss_sink *s)
{
    return s->port;
}

void ss_reject_rcpt(ss_sink *s, int code)
{
    pthread_mutex_lock(&s->mu);
    s->reject_code = code;
    pthread_mutex_unlock(&s->mu);
}

size_t ss_count(ss_sink *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

const ss_message *ss_message_at(ss_sink *s, size_t i)
{
    pthread_mutex_lock(&s->mu);
    const ss_message *m = i < s->count ? s->msgs[i] : NULL;
    pthread_mutex_unlock(&s->mu);
    return m;
}
