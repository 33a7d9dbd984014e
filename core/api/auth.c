/*
 * auth - bearer tokens from the configuration, compared in constant time; roles; who may
 * see which order.  Failed attempts are limited per client (auth_limit.c, client_addr.c).
 */
#include "config.h"

#include "auth.h"

#include "client_addr.h"
#include "intake_codes.h"
#include "reply.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Digests, not the tokens, are compared (CRYPTO_memcmp on equal lengths): neither the
 * content nor the length of a configured token leaks through timing.  The configured
 * digests were computed once, when the file was loaded. */
static int token_matches(const unsigned char presented[32], const cfg_token *t)
{
    return CRYPTO_memcmp(presented, t->digest, 32) == 0;
}

int api_authenticate(api *a, struct MHD_Connection *c, principal *who)
{
    client_key client;
    api_client_of(a, c, &client);
    if (auth_limit_blocked(a->auth_limit, &client))
        return 429;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    /* The scheme is case-insensitive (RFC 7235), the token is not. */
    const char *presented = h && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
    unsigned char digest[32];
    unsigned int dlen = 0;
    if (presented != NULL &&
        (EVP_Digest(presented, strlen(presented), digest, &dlen, EVP_sha256(), NULL) != 1 ||
         dlen != sizeof(digest)))
        presented = NULL;
    rt_gen *g = api_current(a);
    int found = 0;
    /* Every token is compared, match or not: the time taken says nothing. */
    for (size_t i = 0; g != NULL && presented != NULL && i < g->cfg->token_count; i++) {
        const cfg_token *t = &g->cfg->tokens[i];
        if (token_matches(digest, t) && !found) {
            found = 1;
            snprintf(who->name, sizeof(who->name), "%s", t->name);
            who->role = t->role;
            snprintf(who->seller_id, sizeof(who->seller_id), "%s",
                     t->seller_id ? t->seller_id : "");
        }
    }
    rt_gen_unref(g);
    if (!found) {
        auth_limit_failed(a->auth_limit, &client);
        return 401;
    }
    return 0;
}

int api_role_in(const principal *who, unsigned roles)
{
    return (roles & ROLE(who->role)) != 0;
}

int api_may_see(const principal *who, const json_t *order)
{
    switch (who->role) {
    case CFG_ROLE_ADMIN:
    case CFG_ROLE_SUPPORT:
        return 1;
    case CFG_ROLE_SELLER: {
        const char *seller = json_string_value(
            json_object_get(json_object_get(order, "seller"), "id"));
        return seller != NULL && strcmp(seller, who->seller_id) == 0;
    }
    case CFG_ROLE_STOREFRONT: {
        const char *by = json_string_value(json_object_get(order, "created_by"));
        return by != NULL && strcmp(by, who->name) == 0;
    }
    }
    return 0;
}

const char *api_seller_scope(req_ctx *ctx, const char *what, enum MHD_Result *answered)
{
    const char *named =
        MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "seller");
    char why[160];
    if (ctx->who.role == CFG_ROLE_SELLER) {
        if (named != NULL && strcmp(named, ctx->who.seller_id) != 0) {
            snprintf(why, sizeof(why), "a seller token %s of its own seller only", what);
            *answered = api_send_error(ctx, 403, why, "seller");
            return NULL;
        }
        return ctx->who.seller_id;
    }
    if (ctx->who.role != CFG_ROLE_ADMIN) {
        snprintf(why, sizeof(why), "only a seller or admin token %s", what);
        *answered = api_send_error(ctx, 403, why, "");
        return NULL;
    }
    if (named == NULL) {
        *answered = api_send_error(ctx, 400, "seller is required with an admin token",
                                   "seller");
        return NULL;
    }
    if (!intake_id_ok(named)) {
        *answered = api_send_error(ctx, 400, "seller must be 1 to 63 of [A-Za-z0-9_-]",
                                   "seller");
        return NULL;
    }
    return named;
}
