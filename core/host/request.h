/*
 * request - building a plugin's outgoing request (oh_request).
 */
#ifndef OH_HOST_REQUEST_H
#define OH_HOST_REQUEST_H

#include "host/host_types.h"

/* Requests: host_request_new returns a zeroed request; host_request_free frees all of it. */
oh_request *host_request_new(void);
void host_request_free(oh_request *req);

/* The oh_host_api functions that build a request (orderhub/host.h has their contracts). */
int host_request_set(oh_request *req, const char *method, const char *url);
int host_request_header(oh_request *req, const char *name, const char *value, unsigned flags);
int host_request_body(oh_request *req, const void *data, size_t len);
int host_request_mail(oh_request *req, const char *from, const char *const *rcpt, size_t n);
int host_url_encode(const char *in, char *out, size_t outlen);

#endif
