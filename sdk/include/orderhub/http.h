/*
 * orderhub/http.h - the requests a plugin builds and the answers it parses.
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * orderhub plugins are sans-I/O translators: they never open a socket.  A build operation
 * fills an oh_request the host hands it; the host sends it on its own curl multi loop (with
 * timeouts, retries, rate limits, TLS verification, connection reuse) and hands the answer to
 * the plugin's parse operation as an oh_response.  Inbound webhooks reach a plugin as an
 * oh_inbound.
 *
 * OWNERSHIP
 *   Every pointer inside these structures is owned by the host.  A plugin sets strings of an
 *   oh_request only through the host table (request_set, request_header, request_body,
 *   request_mail), which copies its arguments; it may assign scalar fields (timeout_ms)
 *   directly.  oh_response and oh_inbound are read-only and valid only during the call that
 *   receives them: copy what must outlive it.
 *
 * THREADING
 *   A given oh_request / oh_response is used by one thread at a time.
 */
#ifndef ORDERHUB_HTTP_H
#define ORDERHUB_HTTP_H

#include <orderhub/abi.h>
#include <string.h>
#include <strings.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The header value is a secret (Authorization, API key): the host prints it as "***". */
#define OH_HEADER_SENSITIVE 0x1u

/** oh_header - one header line (since 1.0).  Both strings are NUL-terminated. */
typedef struct oh_header {
    char *name;     /**< owned by the host; as the plugin or the remote spelled it */
    char *value;    /**< owned by the host */
    unsigned flags; /**< OH_HEADER_SENSITIVE */
} oh_header;

/*
 * oh_request - an outbound request a plugin builds (since 1.0).
 *
 * The host creates it zeroed (struct_size set), passes it to a build operation, then owns it
 * again.  `url` is http://, https://, smtp:// or smtps://.  For SMTP the body is the complete
 * RFC 5322 message and mail_from / mail_rcpt carry the envelope.
 */
typedef struct oh_request {
    uint32_t struct_size;   /**< sizeof(oh_request) of the host that made it */
    char *method;           /**< "GET", "POST", ...; host-owned; NULL for smtp */
    char *url;              /**< host-owned; required */
    oh_header *headers;     /**< host-owned array of header_count entries */
    size_t header_count;
    char *body;             /**< host-owned, body_len bytes plus a NUL; NULL when empty */
    size_t body_len;
    long timeout_ms;        /**< total time limit; 0 means the instance's default */
    char *mail_from;        /**< SMTP envelope sender; host-owned; NULL for http */
    char **mail_rcpt;       /**< SMTP envelope recipients; host-owned array */
    size_t mail_rcpt_count;
    const char *auth_token; /**< read-only: the cached token of the plugin's auth step, or
                                 NULL; put it in a header flagged OH_HEADER_SENSITIVE */
} oh_request;

/*
 * oh_response - the answer to an oh_request (since 1.0).  Read-only for the plugin.
 *
 * `body` is always followed by a NUL byte (not counted in body_len) so text parsers may use
 * it directly, but it may also contain NULs: trust body_len.  The host caps its size (the
 * instance's `max_response_bytes`); an answer over the cap never reaches the plugin.
 */
typedef struct oh_response {
    uint32_t struct_size;     /**< sizeof(oh_response) of the host */
    int status;               /**< HTTP status code; for SMTP the last reply code */
    const oh_header *headers; /**< host-owned, header_count entries */
    size_t header_count;
    const char *body;         /**< host-owned, body_len bytes + NUL; never NULL */
    size_t body_len;
} oh_response;

/*
 * oh_inbound - an inbound webhook request addressed to a plugin instance (since 1.0).
 * Read-only for the plugin, valid during the call.  The body is NUL-terminated like
 * oh_response.body and already capped in size by the host.
 */
typedef struct oh_inbound {
    uint32_t struct_size;
    const char *method;       /**< "POST" */
    const char *path;         /**< path without the query, e.g. "/v1/webhooks/ups" */
    const char *query;        /**< raw query string without '?', or "" */
    const oh_header *headers; /**< host-owned, header_count entries */
    size_t header_count;
    const char *body;         /**< host-owned, body_len bytes + NUL; never NULL */
    size_t body_len;
} oh_inbound;

/*
 * oh_header_find - the value of the first header called `name` (case-insensitive) among
 * `count` headers, or NULL.  The returned pointer belongs to the header array.
 */
static inline const char *oh_header_find(const oh_header *headers, size_t count,
                                         const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (headers[i].name != NULL && strcasecmp(headers[i].name, name) == 0)
            return headers[i].value;
    }
    return NULL;
}

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_HTTP_H */
