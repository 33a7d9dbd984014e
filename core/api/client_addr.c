/*
 * client_addr - who is calling, for the failed-authentication limit: the peer's address,
 * or - only when the peer is a configured trusted proxy - the address that proxy forwarded.
 *
 * X-Forwarded-For is a list each proxy appends its peer to, so only its right end is
 * written by proxies we trust; everything to the left may be the client's own invention.
 * The client is therefore the rightmost address that is not a trusted proxy.  A header
 * from a peer that is not a trusted proxy is ignored: anybody can send one.
 */
#include "config.h"

#include "client_addr.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Entries kept from the right end of X-Forwarded-For: more than any chain of our proxies. */
#define XFF_KEEP 16

typedef struct xff_tail {
    client_key addr[XFF_KEEP];
    int valid[XFF_KEEP];
    size_t count;              /* entries seen in all (only the last XFF_KEEP kept) */
} xff_tail;

static void key_from_v4(uint32_t be_addr, client_key *k)
{
    memset(k->b, 0, sizeof(k->b));
    k->b[10] = k->b[11] = 0xff;
    memcpy(k->b + 12, &be_addr, 4);
}

/* One list entry: "1.2.3.4" or "2001:db8::1", with spaces around.  0 if it is neither. */
static int parse_entry(const char *s, size_t n, client_key *k)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char buf[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    struct in_addr v4;
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        key_from_v4(v4.s_addr, k);
        return 1;
    }
    return inet_pton(AF_INET6, buf, k->b) == 1;
}

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    xff_tail *t = cls;
    if (key == NULL || value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
        return MHD_YES;
    /* Repeated headers are one list, in the order received (RFC 9110 5.3). */
    for (const char *p = value;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        size_t slot = t->count++ % XFF_KEEP;
        t->valid[slot] = parse_entry(p, n, &t->addr[slot]);
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return MHD_YES;
}

static int is_trusted(const api *a, const client_key *k)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(k->b, mapped, sizeof(mapped)) != 0)
        return 0; /* trusted proxies are IPv4: the API listens on IPv4 only */
    for (size_t i = 0; i < a->limits.trusted_proxy_count; i++)
        if (memcmp(k->b + 12, &a->limits.trusted_proxies[i], 4) == 0)
            return 1;
    return 0;
}

void api_client_of(const api *a, struct MHD_Connection *c, client_key *out)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (sa != NULL && sa->sa_family == AF_INET)
        key_from_v4(((const struct sockaddr_in *)sa)->sin_addr.s_addr, out);
    else
        memset(out->b, 0, sizeof(out->b)); /* not IPv4 (cannot happen): one shared key */
    if (a->limits.trusted_proxy_count == 0 || !is_trusted(a, out))
        return;
    xff_tail t = {.count = 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_xff, &t);
    size_t kept = t.count < XFF_KEEP ? t.count : XFF_KEEP;
    for (size_t i = 0; i < kept; i++) {
        size_t slot = (t.count - 1 - i) % XFF_KEEP;
        if (!t.valid[slot])
            return; /* not written by a proxy we trust: nothing left of it is either */
        if (!is_trusted(a, &t.addr[slot])) {
            *out = t.addr[slot];
            return;
        }
    }
    /* No header, or only trusted proxies in it: the request is the proxy's own. */
}
