/*
 * client_addr - which client is calling: the peer, or the address a trusted proxy
 * forwarded.
 */
#ifndef OH_API_CLIENT_ADDR_H
#define OH_API_CLIENT_ADDR_H

#include "api/api_types.h"

/* api_client_of - the client a failed authentication is counted against. */
void api_client_of(const api *a, struct MHD_Connection *c, client_key *out);

#endif
