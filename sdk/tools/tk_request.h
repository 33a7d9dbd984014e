/*
 * tk_request - how the SDK test kit shows a request a plugin built: method, URL, headers and
 * body as JSON, with every secret redacted: headers flagged OH_HEADER_SENSITIVE, URL
 * userinfo, and any value of a setting the plugin declares sensitive (raw or URL-encoded),
 * wherever it appears (a USPS USERID rides in the query string).
 */
#ifndef TK_REQUEST_H
#define TK_REQUEST_H

#include "tk_instance.h"

#include <jansson.h>

/* tk_request_json - the redacted request as a new JSON object, or NULL on no memory. */
json_t *tk_request_json(const oh_request *req, const tk_instance *t);

/* A build operation of the instance's plugin, run on a fresh request. */
typedef int (*tk_build_fn)(const tk_instance *t, oh_request *req, oh_error *err, void *arg);

/*
 * tk_print_request - print {"auth_request": ... (when the plugin has an auth step),
 * "request": ...} for what `build` (named `what` in errors) makes, with `token` standing
 * for the auth step's token.  0, or 1 with the reason printed.
 */
int tk_print_request(const tk_instance *t, const char *token, const char *what,
                     tk_build_fn build, void *arg);

/*
 * tk_auth_request - when the plugin has an auth step (OAuth2), add the request its
 * auth_build makes to `out` as "auth_request".  0, or 1 with the reason printed.
 */
int tk_auth_request(const tk_instance *t, json_t *out);

#endif
