#include "config.h"

#include "request.h"

#include <stdlib.h>
#include <string.h>

oh_request *host_request_new(void)
{
    oh_request *req = calloc(1, sizeof(*req));
    if (req != NULL)
        req->struct_size = (uint32_t)sizeof(*req);
    return req;
}

void host_request_free(oh_request *req)
{
    if (req == NULL)
        return;
    for (size_t i = 0; i < req->header_count; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    for (size_t i = 0; i < req->mail_rcpt_count; i++)
        free(req->mail_rcpt[i]);
    free(req->headers);
    free(req->mail_rcpt);
    free(req->method);
    free(req->url);
    free(req->body);
    free(req->mail_from);
    free(req);
}

/* Header names and values must not smuggle a line break into the request. */
static int has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

int host_request_set(oh_request *req, const char *method, const char *url)
{
    if (req == NULL || url == NULL || *url == '\0' || has_crlf(url) ||
        (method != NULL && (has_crlf(method) || *method == '\0')))
        return -1;
    char *m = method ? strdup(method) : NULL;
    char *u = strdup(url);
    if (u == NULL || (method != NULL && m == NULL)) {
        free(m);
        free(u);
        return -1;
    }
    free(req->method);
    free(req->url);
    req->method = m;
    req->url = u;
    return 0;
}

int host_request_header(oh_request *req, const char *name, const char *value, unsigned flags)
{
    if (req == NULL || name == NULL || value == NULL || *name == '\0' || has_crlf(name) ||
        has_crlf(value) || strchr(name, ':') != NULL || req->header_count >= HOST_MAX_HEADERS)
        return -1;
    oh_header *h = realloc(req->headers, (req->header_count + 1) * sizeof(*h));
    if (h == NULL)
        return -1;
    req->headers = h;
    oh_header *slot = &h[req->header_count];
    slot->name = strdup(name);
    slot->value = strdup(value);
    slot->flags = flags;
    if (slot->name == NULL || slot->value == NULL) {
        free(slot->name);
        free(slot->value);
        return -1;
    }
    req->header_count++;
    return 0;
}

int host_request_body(oh_request *req, const void *data, size_t len)
{
    if (req == NULL || (data == NULL && len > 0) || len > HOST_PARSE_MAX_BYTES)
        return -1;
    char *b = malloc(len + 1);
    if (b == NULL)
        return -1;
    if (len > 0)
        memcpy(b, data, len);
    b[len] = '\0';
    free(req->body);
    req->body = b;
    req->body_len = len;
    return 0;
}

int host_request_mail(oh_request *req, const char *from, const char *const *rcpt, size_t n)
{
    if (req == NULL || from == NULL || has_crlf(from) || n == 0 || n > HOST_MAX_RCPT)
        return -1;
    char **list = calloc(n, sizeof(*list));
    char *f = strdup(from);
    int ok = list != NULL && f != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = rcpt[i] != NULL && !has_crlf(rcpt[i]) && (list[i] = strdup(rcpt[i])) != NULL;
    if (!ok) {
        for (size_t i = 0; list != NULL && i < n; i++)
            free(list[i]);
        free(list);
        free(f);
        return -1;
    }
    for (size_t i = 0; i < req->mail_rcpt_count; i++)
        free(req->mail_rcpt[i]);
    free(req->mail_rcpt);
    free(req->mail_from);
    req->mail_from = f;
    req->mail_rcpt = list;
    req->mail_rcpt_count = n;
    return 0;
}

int host_url_encode(const char *in, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                   (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = keep ? 1 : 3;
        if (o + need >= outlen)
            return -1;
        if (keep) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (outlen == 0)
        return -1;
    out[o] = '\0';
    return (int)o;
}
