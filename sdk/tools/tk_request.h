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

#endif
