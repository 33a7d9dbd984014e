/*
 * reqlog - the one debug line per request, with secrets redacted: of the URL only the
 * scheme, host and port are shown, userinfo and everything after the host become "***"
 * (APIs put keys in the query - USPS's USERID rides in its XML parameter - and in the path
 * - a Slack incoming-webhook URL is its own secret), header VALUES are never printed
 * (names only; flagged ones as "Name: ***").
 */
#include "config.h"

#include "reqlog.h"

#include "transfer.h"

#include "log/log.h"

#include <stdio.h>
#include <string.h>

const char *ex_outcome_name(ex_outcome o)
{
    switch (o) {
    case EX_RESPONSE: return "response";
    case EX_NETWORK: return "network error";
    case EX_TIMEOUT: return "timeout";
    case EX_TOO_LARGE: return "answer too large";
    case EX_CANCELLED: return "cancelled";
    case EX_LOCAL: return "local error";
    case EX_UNEXPECTED: return "unexpected answer";
    }
    return "?";
}

void ex_redact_url(const char *url, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    if (url == NULL) {
        snprintf(out, outlen, "(no URL)");
        return;
    }
    const char *sep = strstr(url, "://");
    const char *auth = sep != NULL ? sep + 3 : url;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + auth_len; p++) {
        if (*p == '@')
            at = p; /* the last '@' ends the userinfo */
    }
    const char *rest = auth + auth_len; /* path, query, fragment: never printed */
    const char *hidden = *rest != '\0' && strcmp(rest, "/") != 0 ? "/***" : rest;
    if (at == NULL)
        snprintf(out, outlen, "%.*s%s", (int)(rest - url), url, hidden);
    else
        snprintf(out, outlen, "%.*s***%.*s%s", (int)(auth - url), url, (int)(rest - at), at,
                 hidden);
}

/* "Name1, Name2: ***, ..." - never a value. */
static void header_names(const oh_request *req, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < req->header_count && used < outlen; i++) {
        const oh_header *h = &req->headers[i];
        int n = snprintf(out + used, outlen - used, "%s%s%s", i ? ", " : "", h->name,
                         (h->flags & OH_HEADER_SENSITIVE) ? ": ***" : "");
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

void ex_log_request(const char *queue, const oh_request *req, const ex_result *res)
{
    char url[512], names[512];
    ex_redact_url(req->url, url, sizeof(url));
    header_names(req, names, sizeof(names));
    const char *method = req->method != NULL ? req->method
                         : ex_scheme_of(req->url) == EXS_SMTP ? "MAIL" : "GET";
    if (res->outcome == EX_RESPONSE)
        log_debug("executor: [%s] %s %s -> %d in %.1f ms (queued %.1f ms) headers [%s]", queue,
                  method, url, res->response.status, res->elapsed_ms, res->queued_ms, names);
    else
        log_debug("executor: [%s] %s %s -> %s: %s in %.1f ms (queued %.1f ms) headers [%s]",
                  queue, method, url, ex_outcome_name(res->outcome), res->error,
                  res->elapsed_ms, res->queued_ms, names);
}
