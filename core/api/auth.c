/*
 * auth - bearer tokens from the configuration, compared in constant time; roles; who may
 * see which order; and a limit on failed attempts per client address.
 */
#include "config.h"

#include "api_int.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FAIL_LIMIT 10          /* failed attempts ... */
#define FAIL_WINDOW_MS 60000   /* ... within this window block the address ... */
#define BLOCK_MS 60000         /* ... for this long */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t client_addr(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL || info->client_addr->sa_family != AF_INET)
        return 1; /* anything not IPv4 shares one slot */
    return ((const struct sockaddr_in *)info->client_addr)->sin_addr.s_addr;
}

static limit_slot *slot_of(api *a, uint32_t addr)
{
    limit_slot *free_slot = NULL, *oldest = &a->limits[0];
    for (size_t i = 0; i < API_LIMIT_SLOTS; i++) {
        limit_slot *s = &a->limits[i];
        if (s->addr == addr)
            return s;
        if (s->addr == 0 && free_slot == NULL)
            free_slot = s;
        if (s->window_start_ms < oldest->window_start_ms)
            oldest = s;
    }
    limit_slot *s = free_slot ? free_slot : oldest;
    memset(s, 0, sizeof(*s));
    s->addr = addr;
    return s;
}

static int blocked(api *a, uint32_t addr)
{
    pthread_mutex_lock(&a->limit_lock);
    int64_t now = now_ms();
    int b = 0;
    for (size_t i = 0; i < API_LIMIT_SLOTS && !b; i++)
        b = a->limits[i].addr == addr && a->limits[i].blocked_until_ms > now;
    pthread_mutex_unlock(&a->limit_lock);
    return b;
}

static void record_failure(api *a, uint32_t addr)
{
    pthread_mutex_lock(&a->limit_lock);
    int64_t now = now_ms();
    limit_slot *s = slot_of(a, addr);
    if (now - s->window_start_ms > FAIL_WINDOW_MS) {
        s->window_start_ms = now;
        s->failures = 0;
    }
    if (++s->failures >= FAIL_LIMIT)
        s->blocked_until_ms = now + BLOCK_MS;
    pthread_mutex_unlock(&a->limit_lock);
}

/* Digests, not the tokens, are compared (CRYPTO_memcmp on equal lengths): neither the
 * content nor the length of a configured token leaks through timing.  The configured
 * digests were computed once, when the file was loaded. */
static int token_matches(const unsigned char presented[32], const cfg_token *t)
{
    return CRYPTO_memcmp(presented, t->digest, 32) == 0;
}

int api_authenticate(api *a, struct MHD_Connection *c, principal *who)
{
    uint32_t addr = client_addr(c);
    if (blocked(a, addr))
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
        record_failure(a, addr);
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
