/*
 * stripe_webhook - Stripe's signed events.
 *
 * Verify: the header "Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...][,v0=...]" where
 * each v1 is the hex HMAC-SHA256, keyed with the endpoint's whole signing secret
 * (webhook_secret, "whsec_..."), of "<t>.<raw body>".  Any v1 may match (Stripe signs with
 * both secrets while one is being rolled); other schemes (v0) are ignored; every candidate
 * is compared in constant time; t must lie within webhook_tolerance_s of the host clock
 * (both ways: a far-future stamp is as suspect as a stale one).
 *
 * Parse: the Event envelope {id, object:"event", type, data:{object:{...}}}.  The order is
 * the object's metadata.order_id (set by authorize and refund); the result is what the
 * object says (stripe_object.c), the same as an answer to a request would say.
 */
#include "stripe.h"

#include <stdlib.h>
#include <string.h>

#define SIG_HEX 64

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

/* Expected signature of body at timestamp t, as lower-case hex in hex[65]. */
static int expected(const stripe *sp, const char *t, size_t tlen, const oh_inbound *in,
                    char hex[SIG_HEX + 1])
{
    size_t len = tlen + 1 + in->body_len;
    char *text = malloc(len);
    if (text == NULL)
        return -1;
    memcpy(text, t, tlen);
    text[tlen] = '.';
    memcpy(text + tlen + 1, in->body, in->body_len);
    unsigned char mac[32];
    int rc = sp->host->hmac_sha256(sp->webhook_secret, strlen(sp->webhook_secret), text, len,
                                   mac);
    free(text);
    for (int i = 0; rc == 0 && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    return rc;
}

int stripe_webhook_verify(void *st, const oh_inbound *in, int64_t now_unix, oh_error *err)
{
    const stripe *sp = st;
    if (sp->webhook_secret[0] == '\0')
        return oh_error_set(err, OH_FAIL, "webhooks are not configured (webhook_secret)");
    const char *sig = oh_header_find(in->headers, in->header_count, "Stripe-Signature");
    if (sig == NULL)
        return oh_error_set(err, OH_FAIL, "no Stripe-Signature header");
    /* One pass over "k=v" items: the first t, every v1. */
    const char *t = NULL, *v1[16];
    size_t tlen = 0, nv1 = 0;
    for (const char *p = sig; *p;) {
        size_t n = strcspn(p, ",");
        const char *eq = memchr(p, '=', n);
        if (eq != NULL) {
            size_t klen = (size_t)(eq - p);
            if (klen == 1 && p[0] == 't' && t == NULL) {
                t = eq + 1;
                tlen = n - 2;
            } else if (klen == 2 && p[0] == 'v' && p[1] == '1' && nv1 < 16 &&
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
        return oh_error_set(err, OH_FAIL, "Stripe-Signature has no t= timestamp");
    if (nv1 == 0)
        return oh_error_set(err, OH_FAIL, "Stripe-Signature has no v1 signature");
    if (now_unix - ts > sp->webhook_tolerance_s || ts - now_unix > sp->webhook_tolerance_s)
        return oh_error_set(err, OH_FAIL, "timestamp outside the %lld s tolerance",
                            (long long)sp->webhook_tolerance_s);
    char hex[SIG_HEX + 1];
    if (expected(sp, t, tlen, in, hex) != 0)
        return oh_error_set(err, OH_RETRY, "cannot compute the signature");
    unsigned match = 0;
    for (size_t i = 0; i < nv1; i++) /* all of them, whatever matched before */
        match |= diff64(v1[i], hex) == 0;
    return match ? OH_OK : oh_error_set(err, OH_FAIL, "no v1 signature matches");
}

int stripe_webhook_parse(void *st, const oh_inbound *in, oh_payment_event *out, oh_error *err)
{
    const stripe *sp = st;
    json_t *j = sp->host->json_parse(in->body, in->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *kind = json_string_value(json_object_get(j, "object"));
    const json_t *obj = json_object_get(json_object_get(j, "data"), "object");
    int rc = OH_OK;
    if (id == NULL || type == NULL || kind == NULL || strcmp(kind, "event") != 0 ||
        !json_is_object(obj)) {
        rc = oh_error_set(err, OH_FAIL, "not a Stripe event (needs id, type, object "
                          "\"event\" and data.object)");
    } else {
        OH_STRLCPY(out->event_id, id);
        OH_STRLCPY(out->event_type, type);
        const char *order = json_string_value(
            json_object_get(json_object_get(obj, "metadata"), "order_id"));
        OH_STRLCPY(out->order_id, order);
        const char *okind = json_string_value(json_object_get(obj, "object"));
        /* Events about other objects (customers, payouts, ...) say nothing about an
         * order's money: parsed, with no status, so the host acknowledges and ignores them. */
        if (okind != NULL && (strcmp(okind, "payment_intent") == 0 ||
                              strcmp(okind, "refund") == 0 || strcmp(okind, "charge") == 0))
            rc = stripe_object_result(obj, &out->result, err);
    }
    json_decref(j);
    return rc;
}
