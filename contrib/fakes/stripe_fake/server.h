/*
 * server.h - the HTTP side of orderhub-fake-stripe: libmicrohttpd with an internal epoll
 * thread pool (no thread per connection), bearer-key authentication, error injection in
 * front of the API, /fake/ledger and /fake/reset.  Latency never parks a thread: the
 * connection is suspended and a timer thread resumes it when due.
 */
#ifndef STRIPE_FAKE_SERVER_H
#define STRIPE_FAKE_SERVER_H

#include "fake.h"

typedef struct sf_server sf_server;

/* Listens on 127.0.0.1:cfg->port (0 = any); NULL on failure.  cfg must outlive it. */
sf_server *sf_server_start(const sf_config *cfg);
uint16_t sf_server_port(const sf_server *s);
/* Resumes every suspended connection, stops MHD and the timer, frees everything. */
void sf_server_stop(sf_server *s);

#endif
