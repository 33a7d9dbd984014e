/*
 * auth - who is calling (bearer tokens from the configuration, failed attempts limited per
 * client) and what that caller may see and do.
 */
#ifndef OH_API_AUTH_H
#define OH_API_AUTH_H

#include "api/api_types.h"

/* api_authenticate - 0 with *who filled, or the HTTP status to answer (401, 429). */
int api_authenticate(api *a, struct MHD_Connection *c, principal *who);
/* api_may_see - whether `who` may see `order` (a snapshot). */
int api_may_see(const principal *who, const json_t *order);
/* api_role_in - whether who's role is one of `roles` (ROLE() bits of cfg_role). */
int api_role_in(const principal *who, unsigned roles);

#endif
