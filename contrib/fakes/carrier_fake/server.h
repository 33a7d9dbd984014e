/*
 * server.h - the HTTP side of orderhub-fake-carrier: libmicrohttpd with an internal epoll
 * thread pool (no thread per connection), routing to the carrier renderers, error and
 * latency injection, /fake/stats. Latency never parks a thread: the connection is
 * suspended and a timer thread resumes it when due.
 */
#ifndef CARRIER_FAKE_SERVER_H
#define CARRIER_FAKE_SERVER_H

#include "fake.h"

#include <stdint.h>

typedef struct fk_server fk_server;

/* Starts listening on 127.0.0.1:cfg->port (0 = any); NULL with a reason on stderr.
 * cfg must outlive the server. */
fk_server *fk_server_start(const fk_config *cfg);
uint16_t fk_server_port(const fk_server *s);
/* Resumes every suspended connection, stops MHD and the timer, frees everything. */
void fk_server_stop(fk_server *s);

#endif
