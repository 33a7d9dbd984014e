/*
 * answer - answers that must not reach a plugin's parser: a redirect (we never follow one
 * for a gateway or a carrier: the credentials would go to wherever it points) and an HTML
 * page where the request asked for something else (a captive portal or a proxy's error
 * page answering 200).  Both become EX_UNEXPECTED with a message that says so, naming at
 * most the redirect's host: a URL may carry a secret in its path or query.
 */
#include "config.h"

#include "answer.h"

#include "result.h"

#include <curl/curl.h>

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Does the media type at `v` (a Content-Type or one Accept entry) start with `type`? */
static int media_is(const char *v, const char *type)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(type);
    return strncasecmp(v, type, n) == 0 &&
           (v[n] == '\0' || v[n] == ';' || v[n] == ',' || v[n] == ' ' || v[n] == '\t');
}

int ex_is_html_answer(const oh_response *r)
{
    if (r == NULL || r->status < 200 || r->status > 299)
        return 0;
    const char *ct = oh_header_find(r->headers, r->header_count, "Content-Type");
    return ct != NULL && (media_is(ct, "text/html") || media_is(ct, "application/xhtml+xml"));
}

/* A request that names what it accepts, none of it HTML, has declared an API answer.  No
 * Accept at all declares nothing: chat webhooks (Slack) answer "ok" as text/html. */
static int accept_excludes_html(const oh_request *req)
{
    const char *accept = oh_header_find(req->headers, req->header_count, "Accept");
    if (accept == NULL || *accept == '\0')
        return 0;
    for (const char *p = accept; p != NULL; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (media_is(p, "text/html") || media_is(p, "application/xhtml+xml") ||
            media_is(p, "text/*") || media_is(p, "*/*"))
            return 0;
    }
    return 1;
}

/* The host a Location points to (resolved against the request's URL), printable only. */
static void location_host(const char *request_url, const char *location, char *out,
                          size_t outlen)
{
    snprintf(out, outlen, "an unparsable location");
    if (location == NULL || *location == '\0') {
        snprintf(out, outlen, "no Location");
        return;
    }
    CURLU *u = curl_url();
    char *host = NULL;
    if (u != NULL && curl_url_set(u, CURLUPART_URL, request_url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != NULL) {
        size_t i = 0;
        for (; host[i] != '\0' && i + 1 < outlen; i++)
            out[i] = isprint((unsigned char)host[i]) ? host[i] : '?';
        out[i] = '\0';
    }
    curl_free(host);
    curl_url_cleanup(u);
}

void ex_refuse_unexpected(const oh_request *req, ex_result *res)
{
    const oh_response *r = &res->response;
    if (r->status >= 300 && r->status <= 399 && r->status != 304) {
        char host[256];
        location_host(req->url, oh_header_find(r->headers, r->header_count, "Location"), host,
                      sizeof(host));
        ex_result_set(res, EX_UNEXPECTED, "unexpected redirect (HTTP %d to %s): redirects "
                      "are not followed for gateways and carriers; check the instance's URL",
                      r->status, host);
    } else if (ex_is_html_answer(r) && accept_excludes_html(req)) {
        ex_result_set(res, EX_UNEXPECTED, "%s", EX_HTML_ANSWER_ERROR);
    }
}
