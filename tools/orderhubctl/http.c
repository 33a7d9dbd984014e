#include "config.h"

#include "http.h"
#include "output.h"

#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_ANSWER (16 * 1024 * 1024) /* a list page of 200 orders is far below */
#define MAX_TOKEN 4096

/* ---- settings resolved on the first request --------------------------------------- */

static int bad_setting(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_setting(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("orderhubctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CTL_USAGE;
}

/* A token is one line of visible ASCII (RFC 6750 b64token is a subset). */
static int token_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > MAX_TOKEN)
        return 0;
    for (; *t; t++) {
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
            return 0;
    }
    return 1;
}

static int read_token_file(const char *path, char **out)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return bad_setting("--token-file %s: %s", path, strerror(errno));
    char *buf = malloc(MAX_TOKEN + 3);
    if (buf == NULL) {
        fclose(f);
        return bad_setting("out of memory");
    }
    if (fgets(buf, MAX_TOKEN + 3, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
                     buf[n - 1] == '\t'))
        buf[--n] = '\0';
    if (!token_ok(buf)) {
        /* The message describes the problem, never the text. */
        free(buf);
        return bad_setting("--token-file %s: the first line must be the token (1 to %d "
                           "visible ASCII characters, no spaces)", path, MAX_TOKEN);
    }
    *out = buf;
    return 0;
}

static int resolve(ctl *c)
{
    if (c->resolved)
        return 0;
    const char *url, *src;
    if (c->opt_url != NULL)
        url = c->opt_url, src = "--url";
    else if ((url = getenv("ORDERHUB_URL")) != NULL && *url != '\0')
        src = "ORDERHUB_URL";
    else
        url = CTL_DEFAULT_URL, src = "the default URL";
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    const char *host = NULL;
    if (strncasecmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        host = url + 8;
    if (host == NULL || host >= url + n || *host == '/')
        return bad_setting("%s: expected http://HOST[:PORT] or https://HOST[:PORT]", src);
    for (const char *p = url; p < url + n; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '?' || *p == '#')
            return bad_setting("%s: no spaces, controls, query or fragment allowed", src);
    }
    if ((c->url = strndup(url, n)) == NULL)
        return bad_setting("out of memory");

    if (c->opt_token && c->token_file)
        return bad_setting("give --token or --token-file, not both");
    if (c->token_file) {
        int rc = read_token_file(c->token_file, &c->token);
        if (rc != 0)
            return rc;
    } else {
        const char *t, *tsrc;
        if (c->opt_token != NULL)
            t = c->opt_token, tsrc = "--token";
        else if ((t = getenv("ORDERHUB_TOKEN")) != NULL && *t != '\0')
            tsrc = "ORDERHUB_TOKEN";
        else
            t = NULL, tsrc = "";
        if (t != NULL && !token_ok(t))
            return bad_setting("%s: a token is 1 to %d visible ASCII characters, no spaces",
                               tsrc, MAX_TOKEN);
        if (t != NULL && (c->token = strdup(t)) == NULL)
            return bad_setting("out of memory");
    }
    c->resolved = 1;
    return 0;
}

/* The base URL without any user:password@ part, for messages. */
static void shown_url(const char *url, char *buf, size_t n)
{
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    const char *end = auth + strcspn(auth, "/"), *at = memchr(auth, '@', (size_t)(end - auth));
    if (at == NULL)
        snprintf(buf, n, "%s", url);
    else
        snprintf(buf, n, "%.*s%s", (int)(auth - url), url, at + 1);
}

/* ---- paths ---------------------------------------------------------------------- */

static int append_escaped(char **s, size_t *len, const char *seg)
{
    size_t add = strlen(seg) * 3 + 2;
    char *p = realloc(*s, *len + add + 1);
    if (p == NULL)
        return -1;
    *s = p;
    for (const unsigned char *q = (const unsigned char *)seg; *q; q++) {
        if (isalnum(*q) || *q == '-' || *q == '.' || *q == '_' || *q == '~')
            p[(*len)++] = (char)*q;
        else
            *len += (size_t)sprintf(p + *len, "%%%02X", *q);
    }
    p[*len] = '\0';
    return 0;
}

char *ctl_path(const char *first, ...)
{
    va_list ap;
    char *s = NULL;
    size_t len = 0;
    va_start(ap, first);
    for (const char *seg = first; seg; seg = va_arg(ap, const char *)) {
        if (append_escaped(&s, &len, "") != 0) /* room for the '/' */
            goto oom;
        s[len++] = '/';
        s[len] = '\0';
        if (append_escaped(&s, &len, seg) != 0)
            goto oom;
    }
    va_end(ap);
    return s ? s : strdup("/");
oom:
    va_end(ap);
    free(s);
    return NULL;
}

int ctl_query_add(char **path, const char *key, const char *value)
{
    if (value == NULL)
        return 0;
    size_t len = strlen(*path);
    char sep[2] = {strchr(*path, '?') ? '&' : '?', '\0'};
    if (append_escaped(path, &len, "") != 0)
        return -1;
    char *p = realloc(*path, len + strlen(key) + 3);
    if (p == NULL)
        return -1;
    *path = p;
    len += (size_t)sprintf(p + len, "%s%s=", sep, key);
    return append_escaped(path, &len, value);
}

/* ---- the request ---------------------------------------------------------------- */

static const char *reason(long status)
{
    static const struct {
        long code;
        const char *text;
    } t[] = {{200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
             {301, "Moved Permanently"}, {302, "Found"}, {303, "See Other"},
             {304, "Not Modified"}, {307, "Temporary Redirect"}, {308, "Permanent Redirect"},
             {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"},
             {404, "Not Found"}, {405, "Method Not Allowed"}, {406, "Not Acceptable"},
             {408, "Request Timeout"}, {409, "Conflict"}, {410, "Gone"},
             {411, "Length Required"}, {413, "Content Too Large"},
             {415, "Unsupported Media Type"}, {422, "Unprocessable Content"},
             {429, "Too Many Requests"}, {500, "Internal Server Error"},
             {501, "Not Implemented"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
             {504, "Gateway Timeout"}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (t[i].code == status)
            return t[i].text;
    }
    return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "";
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    ctl_resp *r = arg;
    size_t n = size * nmemb;
    if (r->len + n > MAX_ANSWER)
        return 0; /* CURLE_WRITE_ERROR */
    char *b = realloc(r->body, r->len + n + 1);
    if (b == NULL)
        return 0;
    memcpy(b + r->len, data, n);
    r->body = b;
    r->len += n;
    b[r->len] = '\0';
    return n;
}

static void header_value(const char *line, size_t n, size_t namelen, char *out, size_t outlen)
{
    const char *v = line + namelen;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    snprintf(out, outlen, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *arg)
{
    ctl_resp *r = arg;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) { /* a new answer (after a 1xx) */
        r->retry_after[0] = '\0';
        r->location[0] = '\0';
    } else if (n > 12 && strncasecmp(line, "Retry-After:", 12) == 0) {
        header_value(line, n, 12, r->retry_after, sizeof(r->retry_after));
    } else if (n > 9 && strncasecmp(line, "Location:", 9) == 0) {
        header_value(line, n, 9, r->location, sizeof(r->location));
    }
    return n;
}

/* Pid of an orderhubd process on this host (as seen in /proc), or 0. */
static long daemon_pid(void)
{
    DIR *d = opendir("/proc");
    long pid = 0;
    if (d == NULL)
        return 0;
    struct dirent *e;
    while (pid == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], comm[64] = "";
        snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(comm, sizeof(comm), f) == NULL)
            comm[0] = '\0';
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        if (strcmp(comm, "orderhubd") == 0 || strcmp(comm, "lt-orderhubd") == 0)
            pid = strtol(e->d_name, NULL, 10);
    }
    closedir(d);
    return pid;
}

static int loopback_url(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *end = h + strcspn(h, "/"), *at = memchr(h, '@', (size_t)(end - h));
    if (at)
        h = at + 1;
    if (strncasecmp(h, "localhost", 9) == 0 && (h[9] == ':' || h[9] == '/' || h[9] == '\0'))
        return 1;
    return strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0;
}

/* "; orderhubd is not running on this host" and the like. */
static void daemon_hint(const char *url, char *buf, size_t n)
{
    if (!loopback_url(url)) {
        snprintf(buf, n, "; is orderhubd running there and listening on that address?");
        return;
    }
    long pid = daemon_pid();
    if (pid == 0)
        snprintf(buf, n, "; orderhubd is not running on this host");
    else
        snprintf(buf, n, "; orderhubd runs on this host (pid %ld) but does not answer at this "
                         "address: compare --url / ORDERHUB_URL with 'listen' in its "
                         "configuration", pid);
}

static int transport_error(ctl *c, CURL *h, CURLcode res, const char *method,
                           const char *errbuf)
{
    char url[512], hint[256] = "";
    shown_url(c->url, url, sizeof(url));
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(res);
    curl_off_t connect_us = 0;
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    if (res == CURLE_COULDNT_CONNECT && os_errno != 0)
        why = strerror((int)os_errno); /* "Connection refused" */
    if (c->verbose)
        fprintf(stderr, "orderhubctl: < no answer\n");
    switch (res) {
    case CURLE_COULDNT_CONNECT:
        daemon_hint(c->url, hint, sizeof(hint));
        fprintf(stderr, "orderhubctl: cannot connect to %s: %s%s\n", url, why, hint);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        fprintf(stderr, "orderhubctl: cannot connect to %s: %s\n", url, why);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        if (connect_us == 0) {
            daemon_hint(c->url, hint, sizeof(hint));
            fprintf(stderr, "orderhubctl: cannot connect to %s within %.3g s%s\n", url,
                    c->timeout_ms / 1000.0, hint);
        } else {
            fprintf(stderr, "orderhubctl: %s: no answer within %.3g s (--timeout)%s\n", url,
                    c->timeout_ms / 1000.0,
                    strcmp(method, "GET") != 0 ? "; the request may still take effect" : "");
        }
        break;
    case CURLE_WRITE_ERROR:
        fprintf(stderr, "orderhubctl: %s: the answer is larger than %d MiB\n", url,
                MAX_ANSWER >> 20);
        return CTL_REFUSED;
    default:
        fprintf(stderr, "orderhubctl: %s: %s%s\n", url, why,
                connect_us && strcmp(method, "GET") != 0
                    ? " (connection lost; the request may still take effect)"
                    : "");
        break;
    }
    return CTL_CONNECT;
}

int ctl_request(ctl *c, const char *method, const char *path, const char *body, size_t len,
                const char *idem_key, ctl_resp *r)
{
    memset(r, 0, sizeof(*r));
    int rc = resolve(c);
    if (rc != 0)
        return rc;
    if (c->curl == NULL) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
            (c->curl = curl_easy_init()) == NULL) {
            fprintf(stderr, "orderhubctl: cannot initialize libcurl\n");
            return CTL_CONNECT;
        }
    }
    CURL *h = c->curl;
    size_t ulen = strlen(c->url) + strlen(path) + 1;
    char *url = malloc(ulen);
    if (url == NULL) {
        fprintf(stderr, "orderhubctl: out of memory\n");
        return CTL_CONNECT;
    }
    snprintf(url, ulen, "%s%s", c->url, path);

    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    if (body != NULL)
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
    if (idem_key != NULL) {
        char line[160];
        snprintf(line, sizeof(line), "Idempotency-Key: %s", idem_key);
        hdr = curl_slist_append(hdr, line);
    }
    if (c->token != NULL) {
        size_t an = strlen(c->token) + 32;
        char *auth = malloc(an);
        if (auth != NULL) {
            snprintf(auth, an, "Authorization: Bearer %s", c->token);
            hdr = curl_slist_append(hdr, auth);
            explicit_bzero(auth, an);
            free(auth);
        }
    }

    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* the API is local: never hand it to a proxy */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "orderhubctl/" PACKAGE_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    char shown[600];
    shown_url(url, shown, sizeof(shown));
    if (c->verbose)
        fprintf(stderr, "orderhubctl: > %s %s\n", method, shown);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CURLcode res = curl_easy_perform(h);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdr);
    free(url);
    if (res != CURLE_OK) {
        rc = transport_error(c, h, res, method, errbuf);
        ctl_resp_free(r);
        return rc;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (c->verbose) {
        long ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
        fprintf(stderr, "orderhubctl: < %ld %s (%ld ms)\n", r->status, reason(r->status), ms);
    }
    if (r->body == NULL && (r->body = strdup("")) == NULL) {
        fprintf(stderr, "orderhubctl: out of memory\n");
        return CTL_REFUSED;
    }
    r->json = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
    return 0;
}

int ctl_report(ctl *c, const ctl_resp *r)
{
    char line[128];
    snprintf(line, sizeof(line), "%ld %s", r->status, reason(r->status));
    const char *error = json_string_value(json_object_get(r->json, "error"));
    const char *field = json_string_value(json_object_get(r->json, "field"));
    const char *state = json_string_value(json_object_get(r->json, "state"));
    char *text = NULL;
    if (r->status >= 300 && r->status < 400)
        text = out_clean(r->location[0] ? r->location : "(no Location)");
    else if (error != NULL)
        text = out_clean(error);
    else if (r->len > 0 && r->json == NULL)
        text = out_clean(r->body);
    if (text != NULL && strlen(text) > 300)
        strcpy(text + 297, "...");
    if (r->status >= 300 && r->status < 400)
        fprintf(stderr, "orderhubctl: %s: redirect to %s not followed (check --url)\n", line,
                text ? text : "");
    else
        fprintf(stderr, "orderhubctl: %s%s%s", line, text && *text ? ": " : "",
                text ? text : "");
    free(text);
    if (r->status >= 300 && r->status < 400)
        return CTL_REFUSED;
    if (field != NULL && *field != '\0') {
        char *f = out_clean(field);
        fprintf(stderr, " (field: %s)", f ? f : "");
        free(f);
    }
    if (r->status == 409 && state != NULL && *state != '\0') {
        char *s = out_clean(state);
        fprintf(stderr, " (order state: %s)", s ? s : "");
        free(s);
    }
    if (r->status == 429 && r->retry_after[0]) {
        char *s = out_clean(r->retry_after);
        fprintf(stderr, " (retry after %s s)", s ? s : "");
        free(s);
    }
    if (r->status == 401 && c->token == NULL)
        fprintf(stderr, "; no token given: use --token-file, --token or ORDERHUB_TOKEN");
    fputc('\n', stderr);
    return CTL_REFUSED;
}

int ctl_call(ctl *c, const char *method, const char *path, const json_t *body_json,
             const char *idem_key, ctl_resp *r)
{
    char *body = NULL;
    if (strcmp(method, "GET") != 0) {
        body = body_json ? json_dumps(body_json, JSON_COMPACT) : strdup("{}");
        if (body == NULL) {
            fprintf(stderr, "orderhubctl: out of memory\n");
            return CTL_USAGE;
        }
    }
    int rc = ctl_call_raw(c, method, path, body, body ? strlen(body) : 0, idem_key, r);
    free(body);
    return rc;
}

int ctl_call_raw(ctl *c, const char *method, const char *path, const char *body, size_t len,
                 const char *idem_key, ctl_resp *r)
{
    int rc = ctl_request(c, method, path, body, len, idem_key, r);
    if (rc != 0)
        return rc;
    if (r->status < 200 || r->status > 299) {
        rc = ctl_report(c, r);
        ctl_resp_free(r);
        return rc;
    }
    if (!json_is_object(r->json)) {
        fprintf(stderr, "orderhubctl: %ld %s: the answer is not a JSON object\n", r->status,
                reason(r->status));
        ctl_resp_free(r);
        return CTL_REFUSED;
    }
    return 0;
}

int ctl_call_print(ctl *c, const char *method, const char *path, const json_t *body_json,
                   ctl_print_fn print)
{
    ctl_resp r;
    int rc = ctl_call(c, method, path, body_json, NULL, &r);
    if (rc != 0)
        return rc;
    if (c->json)
        out_raw(r.body, r.len);
    else
        print(r.json);
    ctl_resp_free(&r);
    return CTL_OK;
}

void ctl_resp_free(ctl_resp *r)
{
    free(r->body);
    json_decref(r->json);
    r->body = NULL;
    r->json = NULL;
    r->len = 0;
}

void ctl_http_cleanup(ctl *c)
{
    if (c->curl != NULL) {
        curl_easy_cleanup(c->curl);
        curl_global_cleanup();
        c->curl = NULL;
    }
    if (c->token != NULL) {
        explicit_bzero(c->token, strlen(c->token));
        free(c->token);
        c->token = NULL;
    }
    free(c->url);
    c->url = NULL;
    c->resolved = 0;
}
