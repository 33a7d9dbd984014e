/*
 * result - filling an ex_result (transfer.c, answer.c, executor.c) and copies of one that
 * outlive its completion (the engine's).
 */
#include "config.h"

#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ex_result_init(ex_result *res)
{
    memset(res, 0, sizeof(*res));
    res->response.struct_size = (uint32_t)sizeof(res->response);
    res->response.body = "";
    res->retry_after_ms = -1;
}

void ex_result_set(ex_result *res, ex_outcome outcome, const char *fmt, ...)
{
    res->outcome = outcome;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof(res->error), fmt, ap);
    va_end(ap);
}

ex_result *ex_result_dup(const ex_result *res)
{
    ex_result *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    *c = *res; /* scalars and the error text; the pointers are replaced below */
    c->response.headers = NULL;
    c->response.header_count = 0;
    const oh_response *r = &res->response;
    char *body = malloc(r->body_len + 1);
    oh_header *h = r->header_count ? calloc(r->header_count, sizeof(*h)) : NULL;
    if (body == NULL || (r->header_count && h == NULL)) {
        free(body);
        free(h);
        free(c);
        return NULL;
    }
    if (r->body_len)
        memcpy(body, r->body, r->body_len);
    body[r->body_len] = '\0';
    c->response.body = body;
    c->response.headers = h;
    for (size_t i = 0; i < r->header_count; i++) {
        h[i].flags = r->headers[i].flags;
        h[i].name = strdup(r->headers[i].name ? r->headers[i].name : "");
        h[i].value = strdup(r->headers[i].value ? r->headers[i].value : "");
        c->response.header_count = i + 1;
        if (h[i].name == NULL || h[i].value == NULL) {
            ex_result_free(c);
            return NULL;
        }
    }
    return c;
}

void ex_result_free(ex_result *res)
{
    if (res == NULL)
        return;
    /* The copy's strings are its own (ex_result_dup): the const is the plugin's view. */
    oh_header *h = (oh_header *)res->response.headers;
    for (size_t i = 0; i < res->response.header_count; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
    free((char *)res->response.body);
    free(res);
}
