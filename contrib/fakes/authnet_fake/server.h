/* server.h - HTTP side of orderhub-fake-authnet (libmicrohttpd, loopback only). */
#ifndef AUTHNET_FAKE_SERVER_H
#define AUTHNET_FAKE_SERVER_H

#include "gateway.h"

typedef struct fa_server fa_server;

/* Listen on 127.0.0.1:cfg->port (0 = any); NULL on failure.  cfg outlives the server. */
fa_server *fa_server_start(const gw_config *cfg);
uint16_t fa_server_port(const fa_server *s);
/* Answers whatever still waits, stops MHD and the timer, frees everything. */
void fa_server_stop(fa_server *s);

#endif
