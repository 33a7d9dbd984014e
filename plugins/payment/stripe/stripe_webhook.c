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

#include "../../common/signed_webhook.h"

#include <stdlib.h>
#include <string.h>

int stripe_webhook_verify(void *st, const oh_inbound *in, int64_t now_unix, oh_error *err)
{
    const stripe *sp = st;
    return signed_webhook_verify(sp->host, in, "Stripe-Signature", sp->webhook_secret,
                                 sp->webhook_tolerance_s, now_unix, err);
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
