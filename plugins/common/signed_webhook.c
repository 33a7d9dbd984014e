#include "signed_webhook.h"

#include <stdlib.h>
#include <string.h>

#define SIG_HEX 64
#define MAX_V1 16

/* 0 when the 64 hex digits at a equal those at b, without an early exit. */
static unsigned diff64(const char *a, const char *b)
{
    unsigned d = 0;
    for (int i = 0; i < SIG_HEX; i++)
        d |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return d;
}

static int parse_timestamp(const char *v, size_t n, int64_t *t)
{
    int64_t x = 0;
    if (n == 0 || n > 12)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    *t = x;
    return 0;
}

/* The expected signature of the body at timestamp t, as lower-case hex in hex[65]. */
static int expected(const oh_host_api *host, const char *secret, const char *t, size_t tlen,
                    const oh_inbound *in, char hex[SIG_HEX + 1])
{
    size_t len = tlen + 1 + in->body_len;
    char *text = malloc(len);
    if (text == NULL)
        return -1;
    memcpy(text, t, tlen);
    text[tlen] = '.';
    memcpy(text + tlen + 1, in->body, in->body_len);
    unsigned char mac[32];
    int rc = host->hmac_sha256(secret, strlen(secret), text, len, mac);
    free(text);
    for (int i = 0; rc == 0 && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    return rc;
}

int signed_webhook_verify(const oh_host_api *host, const oh_inbound *in, const char *header,
                          const char *secret, int64_t tolerance_s, int64_t now_unix,
                          oh_error *err)
{
    if (secret == NULL || secret[0] == '\0')
        return oh_error_set(err, OH_FAIL, "webhooks are not configured (webhook_secret)");
    const char *sig = oh_header_find(in->headers, in->header_count, header);
    if (sig == NULL)
        return oh_error_set(err, OH_FAIL, "no %s header", header);
    /* One pass over "k=v" items: the first t, every v1. */
    const char *t = NULL, *v1[MAX_V1];
    size_t tlen = 0, nv1 = 0;
    for (const char *p = sig; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (eq != NULL) {
            size_t klen = (size_t)(eq - p);
            if (klen == 1 && p[0] == 't' && t == NULL) {
                t = eq + 1;
                tlen = n - 2;
            } else if (klen == 2 && p[0] == 'v' && p[1] == '1' && nv1 < MAX_V1 &&
                       n - 3 == SIG_HEX) {
                v1[nv1++] = eq + 1;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    int64_t ts;
    if (t == NULL || parse_timestamp(t, tlen, &ts) != 0)
        return oh_error_set(err, OH_FAIL, "%s has no t= timestamp", header);
    if (nv1 == 0)
        return oh_error_set(err, OH_FAIL, "%s has no v1 signature", header);
    if (now_unix - ts > tolerance_s || ts - now_unix > tolerance_s)
        return oh_error_set(err, OH_FAIL, "timestamp outside the %lld s tolerance",
                            (long long)tolerance_s);
    char hex[SIG_HEX + 1];
    if (expected(host, secret, t, tlen, in, hex) != 0)
        return oh_error_set(err, OH_RETRY, "cannot compute the signature");
    unsigned match = 0;
    for (size_t i = 0; i < nv1; i++) /* all of them, whatever matched before */
        match |= diff64(v1[i], hex) == 0;
    return match ? OH_OK : oh_error_set(err, OH_FAIL, "no v1 signature matches");
}
