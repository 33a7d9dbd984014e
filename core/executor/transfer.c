/*
 * transfer - one request on one curl easy handle: setup per scheme, response capture
 * (headers as sent, body under the size cap), outcome.  Executor thread only.
 */
#include "config.h"

#include "transfer.h"

#include "answer.h"
#include "classify.h"
#include "file_append.h"
#include "queue.h"
#include "result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Schemes curl may ever speak for us; file:// never reaches curl.  The _STR options need
 * curl 7.85; configure accepts 7.68, so older versions get the (since deprecated) masks. */
#if LIBCURL_VERSION_NUM >= 0x075500
#define EX_OPT_PROTOCOLS CURLOPT_PROTOCOLS_STR
#define EX_OPT_REDIR_PROTOCOLS CURLOPT_REDIR_PROTOCOLS_STR
#define EX_CURL_PROTOCOLS "http,https,smtp,smtps"
#define EX_CURL_REDIR_PROTOCOLS "http,https"
#else
#define EX_OPT_PROTOCOLS CURLOPT_PROTOCOLS
#define EX_OPT_REDIR_PROTOCOLS CURLOPT_REDIR_PROTOCOLS
#define EX_CURL_PROTOCOLS \
    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_SMTP | CURLPROTO_SMTPS)
#define EX_CURL_REDIR_PROTOCOLS (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)
#endif

ex_scheme ex_scheme_of(const char *url)
{
    static const struct {
        const char *prefix;
        ex_scheme scheme;
    } map[] = {{"http://", EXS_HTTP}, {"https://", EXS_HTTP}, {"smtp://", EXS_SMTP},
               {"smtps://", EXS_SMTP}, {"file://", EXS_FILE}};
    for (size_t i = 0; url != NULL && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strncasecmp(url, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].scheme;
    }
    return EXS_BAD;
}

/* An HTTP method must be a token (RFC 9110 5.6.2): nothing that could break the line. */
static int is_token(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s) != NULL))
            return 0;
    }
    return 1;
}

/* ---- response capture ------------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    ex_job *job = userdata;
    size_t n = size * nmemb;
    if (n > job->max_body - job->body_len) {
        job->too_large = 1;
        return 0; /* aborts the transfer */
    }
    if (job->body == NULL || job->body_len + n > job->body_cap) {
        size_t cap = job->body_cap < 4096 ? 4096 : job->body_cap;
        while (cap < job->body_len + n)
            cap = cap > job->max_body / 2 ? job->max_body : cap * 2;
        if (cap > job->max_body)
            cap = job->max_body;
        char *b = realloc(job->body, cap + 1);
        if (b == NULL) {
            job->oom = 1;
            return 0;
        }
        job->body = b;
        job->body_cap = cap;
    }
    memcpy(job->body + job->body_len, data, n);
    job->body_len += n;
    job->body[job->body_len] = '\0';
    return n;
}

static void clear_headers(ex_job *job)
{
    for (size_t i = 0; i < job->header_count; i++) {
        free(job->headers[i].name);
        free(job->headers[i].value);
    }
    job->header_count = 0;
}

/* Trim spaces, tabs, CR and LF from both ends of [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && strchr(" \t\r\n", (*s)[0]) != NULL) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && strchr(" \t\r\n", (*s)[*len - 1]) != NULL)
        (*len)--;
}

/* obs-fold: a line starting with whitespace continues the previous header's value. */
static int fold_into_last(ex_job *job, const char *s, size_t len)
{
    oh_header *h = &job->headers[job->header_count - 1];
    size_t old = strlen(h->value);
    char *v = realloc(h->value, old + 1 + len + 1);
    if (v == NULL)
        return -1;
    v[old] = ' ';
    memcpy(v + old + 1, s, len);
    v[old + 1 + len] = '\0';
    h->value = v;
    return 0;
}

static int add_header(ex_job *job, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line)
        return 0; /* not a header line: ignore */
    if (job->header_count >= EX_MAX_RESPONSE_HEADERS) {
        job->headers_over = 1;
        return -1;
    }
    if (job->header_count == job->header_cap) {
        size_t cap = job->header_cap ? job->header_cap * 2 : 16;
        oh_header *h = realloc(job->headers, cap * sizeof(*h));
        if (h == NULL)
            goto oom;
        job->headers = h;
        job->header_cap = cap;
    }
    const char *val = colon + 1;
    size_t name_len = (size_t)(colon - line), val_len = len - name_len - 1;
    trim(&val, &val_len);
    oh_header *h = &job->headers[job->header_count];
    h->name = strndup(line, name_len);
    h->value = strndup(val, val_len);
    h->flags = 0;
    if (h->name == NULL || h->value == NULL) {
        free(h->name);
        free(h->value);
        goto oom;
    }
    job->header_count++;
    return 0;
oom:
    job->oom = 1;
    return -1;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    ex_job *job = userdata;
    size_t n = size * nmemb;
    if (job->scheme != EXS_HTTP)
        return n; /* SMTP reply lines: only the code matters (CURLINFO_RESPONSE_CODE) */
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        clear_headers(job); /* a new answer (after a 1xx): keep only the final one's */
        job->header_bytes = n;
        job->headers_ended = 0;
        return n;
    }
    job->header_bytes += n;
    if (job->header_bytes > EX_MAX_RESPONSE_HEADER_BYTES) {
        job->headers_over = 1;
        return 0; /* aborts the transfer */
    }
    const char *s = data;
    size_t len = n;
    int folded = len > 0 && (s[0] == ' ' || s[0] == '\t');
    trim(&s, &len);
    if (len == 0) {
        job->headers_ended = 1; /* the blank line (a 1xx's too: its successor resets it) */
        return n;
    }
    int rc = folded && job->header_count > 0 ? fold_into_last(job, s, len)
                                             : add_header(job, s, len);
    if (rc != 0 && !job->headers_over)
        job->oom = 1;
    return rc == 0 ? n : 0;
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *userdata)
{
    ex_job *job = userdata;
    size_t left = job->req->body_len - job->upload_off;
    size_t n = size * nmemb < left ? size * nmemb : left;
    if (n > 0)
        memcpy(buf, job->req->body + job->upload_off, n);
    job->upload_off += n;
    return n;
}

/* ---- setup ----------------------------------------------------------------------------- */

#define SETOPT(opt, val)                                \
    do {                                                \
        if (rc == CURLE_OK)                             \
            rc = curl_easy_setopt(e, (opt), (val));     \
    } while (0)

static int append_line(struct curl_slist **list, const char *line)
{
    struct curl_slist *n = curl_slist_append(*list, line);
    if (n == NULL)
        return -1;
    *list = n;
    return 0;
}

/* The plugin's headers, then only: no "Expect: 100-continue", and no Accept / Content-Type
 * of curl's own when the plugin did not set them. */
static int build_headers(ex_job *job, int has_body)
{
    const oh_request *req = job->req;
    for (size_t i = 0; i < req->header_count; i++) {
        const oh_header *h = &req->headers[i];
        char *line = NULL;
        /* "Name;" is curl's way to send a header with an empty value. */
        int len = *h->value ? asprintf(&line, "%s: %s", h->name, h->value)
                            : asprintf(&line, "%s;", h->name);
        if (len < 0)
            return -1;
        int rc = append_line(&job->req_headers, line);
        free(line);
        if (rc != 0)
            return -1;
    }
    if (append_line(&job->req_headers, "Expect:") != 0)
        return -1;
    if (oh_header_find(req->headers, req->header_count, "Accept") == NULL &&
        append_line(&job->req_headers, "Accept:") != 0)
        return -1;
    if (has_body && oh_header_find(req->headers, req->header_count, "Content-Type") == NULL &&
        append_line(&job->req_headers, "Content-Type:") != 0)
        return -1;
    return 0;
}

static CURLcode setup_http(ex_job *job, CURL *e, ex_result *res)
{
    const oh_request *req = job->req;
    const char *m = req->method != NULL ? req->method : "GET";
    if (!is_token(m)) {
        ex_result_set(res, EX_LOCAL, "invalid HTTP method");
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    int has_body = req->body != NULL || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
                   strcmp(m, "PATCH") == 0;
    if (build_headers(job, has_body) != 0) {
        ex_result_set(res, EX_LOCAL, "out of memory building the request headers");
        return CURLE_OUT_OF_MEMORY;
    }
    CURLcode rc = CURLE_OK;
    SETOPT(CURLOPT_HTTPHEADER, job->req_headers);
    if (strcmp(m, "HEAD") == 0 && req->body == NULL) {
        SETOPT(CURLOPT_NOBODY, 1L);
    } else if (has_body) {
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        SETOPT(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        if (strcmp(m, "POST") != 0)
            SETOPT(CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET") != 0) {
        SETOPT(CURLOPT_CUSTOMREQUEST, m);
    } else {
        SETOPT(CURLOPT_HTTPGET, 1L);
    }
    return rc;
}

static CURLcode setup_smtp(ex_job *job, CURL *e, ex_result *res)
{
    const oh_request *req = job->req;
    if (req->mail_from == NULL || req->mail_rcpt_count == 0) {
        ex_result_set(res, EX_LOCAL, "smtp request without envelope (mail_from, mail_rcpt)");
        return CURLE_BAD_FUNCTION_ARGUMENT;
    }
    for (size_t i = 0; i < req->mail_rcpt_count; i++) {
        if (append_line(&job->rcpt, req->mail_rcpt[i]) != 0) {
            ex_result_set(res, EX_LOCAL, "out of memory building the recipient list");
            return CURLE_OUT_OF_MEMORY;
        }
    }
    CURLcode rc = CURLE_OK;
    SETOPT(CURLOPT_MAIL_FROM, req->mail_from);
    SETOPT(CURLOPT_MAIL_RCPT, job->rcpt);
    SETOPT(CURLOPT_UPLOAD, 1L);
    SETOPT(CURLOPT_READFUNCTION, on_read);
    SETOPT(CURLOPT_READDATA, job);
    SETOPT(CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
    /* smtp://: STARTTLS when the server offers it (verified like any TLS); smtps://: TLS. */
    SETOPT(CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    return rc;
}

static CURLcode setup_common(executor *ex, ex_job *job, CURL *e)
{
    const ex_limits *lim = &job->lim;
    long total = job->req->timeout_ms > 0 ? job->req->timeout_ms : lim->total_timeout_ms;
    long verify = lim->insecure_tls ? 0L : 1L;
    CURLcode rc = CURLE_OK;
    SETOPT(CURLOPT_PRIVATE, (void *)job);
    SETOPT(CURLOPT_URL, job->req->url);
    SETOPT(EX_OPT_PROTOCOLS, EX_CURL_PROTOCOLS);
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(EX_OPT_REDIR_PROTOCOLS, EX_CURL_REDIR_PROTOCOLS);
    SETOPT(CURLOPT_SHARE, ex->share);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_ERRORBUFFER, job->errbuf);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, lim->connect_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, total);
    SETOPT(CURLOPT_SSL_VERIFYPEER, verify);
    SETOPT(CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, (void *)job);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, (void *)job);
    /* max_response_bytes <= SIZE_MAX / 4 (exq_resolve_limits): fits a curl_off_t. */
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_response_bytes);
    return rc;
}

static int finish_file(ex_job *job, ex_result *res)
{
    const oh_request *req = job->req;
    char err[sizeof(res->error)];
    if (req->method == NULL || strcmp(req->method, "APPEND") != 0)
        ex_result_set(res, EX_LOCAL, "file:// supports only the method APPEND");
    else if (ex_file_append(req->url, req->body, req->body_len, err, sizeof(err)) != 0)
        ex_result_set(res, EX_LOCAL, "%s", err);
    else
        res->response.status = 200;
    return -1;
}

int ext_start(executor *ex, ex_job *job, ex_result *res)
{
    ex_result_init(res);
    job->scheme = ex_scheme_of(job->req->url);
    job->max_body = job->lim.max_response_bytes;
    if (job->scheme == EXS_FILE)
        return finish_file(job, res);
    if (job->scheme == EXS_BAD) {
        ex_result_set(res, EX_LOCAL, "unsupported URL scheme (http, https, smtp, smtps, file)");
        return -1;
    }
    CURL *e = job->easy = curl_easy_init();
    if (e == NULL) {
        ex_result_set(res, EX_LOCAL, "curl_easy_init failed");
        return -1;
    }
    CURLcode rc = setup_common(ex, job, e);
    if (rc == CURLE_OK)
        rc = job->scheme == EXS_HTTP ? setup_http(job, e, res) : setup_smtp(job, e, res);
    if (rc != CURLE_OK) {
        if (res->outcome == EX_RESPONSE) /* setup_* did not say why */
            ex_result_set(res, EX_LOCAL, "cannot set the request up: %s", curl_easy_strerror(rc));
        return -1;
    }
    CURLMcode mc = curl_multi_add_handle(ex->multi, e);
    if (mc != CURLM_OK) {
        ex_result_set(res, EX_LOCAL, "cannot start the transfer: %s", curl_multi_strerror(mc));
        return -1;
    }
    return 0;
}

/* ---- outcome --------------------------------------------------------------------------- */

static int is_local_error(CURLcode rc)
{
    return rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT ||
           rc == CURLE_NOT_BUILT_IN || rc == CURLE_BAD_FUNCTION_ARGUMENT ||
           rc == CURLE_OUT_OF_MEMORY || rc == CURLE_UNKNOWN_OPTION;
}

static void set_curl_error(ex_job *job, CURLcode rc, ex_outcome outcome, ex_result *res)
{
    size_t n = strlen(job->errbuf);
    while (n > 0 && (job->errbuf[n - 1] == '\n' || job->errbuf[n - 1] == '\r'))
        job->errbuf[--n] = '\0';
    if (n > 0)
        ex_result_set(res, outcome, "%s", job->errbuf);
    else
        ex_result_set(res, outcome, "%s", curl_easy_strerror(rc));
}

/* curl refuses a single header line over its own limit (CURL_MAX_HTTP_HEADER, 100 KiB)
 * before our callback sees it: curl 7.88 says CURLE_OUT_OF_MEMORY (its header buffer may
 * not grow further), later ones CURLE_TOO_LARGE or an error text naming the header. */
static int curl_refused_headers(const ex_job *job, CURLcode rc)
{
    return (rc == CURLE_OUT_OF_MEMORY && !job->oom) || strstr(job->errbuf, "header") != NULL ||
           strstr(job->errbuf, "Header") != NULL;
}

void ext_result(ex_job *job, CURLcode rc, ex_result *res)
{
    ex_result_init(res);
    long code = 0;
    curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK || (job->scheme == EXS_SMTP && code >= 400 && !job->oom)) {
        /* An answer; for SMTP a refusal (4xx/5xx reply) is an answer too. */
        res->outcome = EX_RESPONSE;
        res->response.status = (int)code;
        res->response.headers = job->headers;
        res->response.header_count = job->header_count;
        res->response.body = job->body != NULL ? job->body : "";
        res->response.body_len = job->body_len;
        const char *ra = oh_header_find(job->headers, job->header_count, "Retry-After");
        if (ra != NULL)
            res->retry_after_ms = ex_retry_after_ms(ra, time(NULL));
        if (rc != CURLE_OK)
            set_curl_error(job, rc, EX_RESPONSE, res);
        else if (job->scheme == EXS_HTTP)
            ex_refuse_unexpected(job->req, res);
    } else if (job->headers_over) {
        ex_result_set(res, EX_TOO_LARGE, "response header block too large: over %d bytes or "
                      "%d lines (the executor's limit for an answer's headers)",
                      EX_MAX_RESPONSE_HEADER_BYTES, EX_MAX_RESPONSE_HEADERS);
    } else if (job->scheme == EXS_HTTP && !job->headers_ended && rc != CURLE_OK &&
               curl_refused_headers(job, rc)) {
        ex_result_set(res, EX_TOO_LARGE, "response header block too large: a header line "
                      "over curl's 100 KiB limit (the executor's limit for the block is %d "
                      "bytes)", EX_MAX_RESPONSE_HEADER_BYTES);
    } else if (job->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        ex_result_set(res, EX_TOO_LARGE, "answer over %zu bytes (max_response_bytes)",
                      job->max_body);
    } else if (job->oom) {
        ex_result_set(res, EX_LOCAL, "out of memory capturing the answer");
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        set_curl_error(job, rc, EX_TIMEOUT, res);
    } else {
        set_curl_error(job, rc, is_local_error(rc) ? EX_LOCAL : EX_NETWORK, res);
    }
}

void ext_cleanup(executor *ex, ex_job *job)
{
    if (job->easy != NULL) {
        curl_multi_remove_handle(ex->multi, job->easy); /* OK when it was never added */
        curl_easy_cleanup(job->easy);
        job->easy = NULL;
    }
    curl_slist_free_all(job->req_headers);
    curl_slist_free_all(job->rcpt);
    job->req_headers = job->rcpt = NULL;
    clear_headers(job);
    free(job->headers);
    free(job->body);
    job->headers = NULL;
    job->body = NULL;
}
