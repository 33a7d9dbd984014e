/*
 * auth_limit - failed authentications per client, and the clients they block.
 *
 * A client is an address (client_addr.c says which one: the peer, or the address a trusted
 * proxy forwarded).  `limit` failures within `window_s` block the client for `block_s`.
 *
 * The table holds `clients` entries and a flood of other clients must not buy a blocked one
 * its freedom: a blocked entry is never reclaimed before its block ends.  When the table is
 * full a new failing client takes the place of the unblocked entry with the fewest failures
 * (then the oldest); when every entry is blocked the new client is not tracked at all (its
 * failures are counted, and logged, as untracked).
 */
#ifndef OH_API_AUTH_LIMIT_H
#define OH_API_AUTH_LIMIT_H

#include "config/config_file.h"

#include <stddef.h>

/* An IPv6 address, or an IPv4 one mapped into IPv6 (::ffff:a.b.c.d). */
typedef struct client_key {
    unsigned char b[16];
} client_key;

typedef struct auth_limit auth_limit;

/* auth_limit_new - an empty table sized by `limits`.  0, or -1 with err set. */
int auth_limit_new(const cfg_api_limits *limits, auth_limit **out, char *err, size_t errlen);
void auth_limit_free(auth_limit *t);

/* auth_limit_blocked - whether `k` is blocked now. */
int auth_limit_blocked(auth_limit *t, const client_key *k);

/* auth_limit_failed - count a failed authentication of `k` (it may become blocked). */
void auth_limit_failed(auth_limit *t, const client_key *k);

/* client_key_text - `k` as text (dotted IPv4 when mapped). */
void client_key_text(const client_key *k, char *buf, size_t len);

#endif
