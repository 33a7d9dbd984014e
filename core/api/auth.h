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

/*
 * api_seller_scope - whose records (stock, ledger) a request is about: a seller token's own
 * seller, or the `seller` query parameter an admin token must give.  A seller token naming
 * another seller is refused (403, not quietly given its own: a tool that meant another
 * seller must learn it reached the wrong one), as is every other role; an admin without a
 * valid seller gets 400.  `what` ends the 403 messages ("reads a ledger").  NULL after
 * answering (the answer in *answered), else the seller id (borrowed from the request).
 */
const char *api_seller_scope(req_ctx *ctx, const char *what, enum MHD_Result *answered);

#endif
