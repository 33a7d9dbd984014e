/*
 * http - orderhubctl's HTTP client (libcurl easy interface): one request at a time on
 * one reused handle, a total timeout, no redirects followed, no proxy, the bearer token
 * in a header and nowhere else (never printed, not even with --verbose).
 */
#ifndef OH_CTL_HTTP_H
#define OH_CTL_HTTP_H

#include "ctl.h"

#include <jansson.h>
#include <stddef.h>

/* One answer. */
typedef struct ctl_resp {
    long status;             /* HTTP status */
    char *body;              /* NUL-terminated, owned */
    size_t len;
    json_t *json;            /* the body parsed, or NULL when it is not JSON */
    char retry_after[32];    /* Retry-After header, "" when absent */
    char location[256];      /* Location header (a redirect not followed), "" when absent */
} ctl_resp;

/*
 * ctl_request - METHOD {base URL}{path} with body (NULL: none) and, when idem_key is not
 * NULL, an Idempotency-Key.  0 once an answer arrived, whatever its status (in *r, to free
 * with ctl_resp_free); otherwise the exit status after printing why: CTL_USAGE for a bad
 * URL or token source, CTL_CONNECT when no answer came.
 */
int ctl_request(ctl *c, const char *method, const char *path, const char *body, size_t len,
                const char *idem_key, ctl_resp *r);

/*
 * ctl_call - ctl_request expecting a 2xx answer with a JSON object: 0 with r->json set;
 * otherwise the exit status after printing why (the server's error on stderr, prefixed
 * by the HTTP status: CTL_REFUSED).  body_json (may be NULL) is sent serialized.
 */
int ctl_call(ctl *c, const char *method, const char *path, const json_t *body_json,
             const char *idem_key, ctl_resp *r);

/* ctl_call_raw - ctl_call with the body as given (NULL: none). */
int ctl_call_raw(ctl *c, const char *method, const char *path, const char *body, size_t len,
                 const char *idem_key, ctl_resp *r);

/* How a verb prints a 2xx answer when --json is not given. */
typedef void (*ctl_print_fn)(const json_t *answer);

/*
 * ctl_call_print - ctl_call without idempotency key, then the answer printed: the JSON as
 * is with --json, else by print.  The exit status.
 */
int ctl_call_print(ctl *c, const char *method, const char *path, const json_t *body_json,
                   ctl_print_fn print);

/* ctl_report - print why a non-2xx answer failed; CTL_REFUSED. */
int ctl_report(ctl *c, const ctl_resp *r);

void ctl_resp_free(ctl_resp *r);

/*
 * ctl_path - "/seg1/seg2/..." from NULL-terminated segments, each percent-encoded (all
 * but A-Z a-z 0-9 - . _ ~).  Allocated; NULL when out of memory.
 */
char *ctl_path(const char *first, ...) __attribute__((sentinel));

/* ctl_query_add - append "?k=v" or "&k=v" (v percent-encoded) to *path (reallocated).
 * v NULL: nothing.  -1 when out of memory. */
int ctl_query_add(char **path, const char *key, const char *value);

/* ctl_http_cleanup - free the handle and the resolved settings. */
void ctl_http_cleanup(ctl *c);

#endif
