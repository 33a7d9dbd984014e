/*
 * stripe.h - what the files of payment_stripe share: the instance state (read-only after
 * init, so operations need no lock), the request builders, the answer readers and the
 * webhook pair.  Every function follows the SDK's conventions: OH_OK / OH_RETRY / OH_FAIL
 * with the reason in `err`, never a secret in a message.
 */
#ifndef PAYMENT_STRIPE_H
#define PAYMENT_STRIPE_H

#include <orderhub/orderhub.h>

typedef struct stripe {
    const oh_host_api *host;
    oh_instance *self;
    const char *base_url;       /* owned by the host's settings, no trailing '/' needed */
    const char *secret_key;     /* sensitive */
    const char *api_version;    /* "" = the account's default version */
    const char *webhook_secret; /* sensitive; "" = webhooks refused */
    int64_t webhook_tolerance_s;
    char auth[512];             /* "Bearer <secret_key>", built once */
} stripe;

/* stripe_build.c: one request per operation (form-encoded POST). */
int stripe_authorize_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err);
int stripe_capture_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err);
int stripe_void_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err);
int stripe_refund_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err);

/* stripe_amount.c: orderhub minor units (ISO 4217) <-> the unit Stripe counts in. */
int stripe_amount_to_wire(const char *currency, int64_t amount, int64_t *out, oh_error *err);
int64_t stripe_amount_from_wire(const char *currency, int64_t amount);

/* stripe_parse.c: the four answers; authorize, capture and void answer a PaymentIntent,
 * refund a Refund, any of them Stripe's error object. */
int stripe_authorize_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                           oh_payment_result *out, oh_error *err);
int stripe_capture_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                         oh_payment_result *out, oh_error *err);
int stripe_void_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                      oh_payment_result *out, oh_error *err);
int stripe_refund_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                        oh_payment_result *out, oh_error *err);
/*
 * stripe_object_result - a PaymentIntent, Refund or Charge object (already parsed) into
 * `out`; shared with webhook_parse.  OH_OK, or OH_FAIL naming what was missing.
 */
int stripe_object_result(const json_t *obj, oh_payment_result *out, oh_error *err);

/* stripe_webhook.c */
int stripe_webhook_verify(void *st, const oh_inbound *in, int64_t now_unix, oh_error *err);
int stripe_webhook_parse(void *st, const oh_inbound *in, oh_payment_event *out, oh_error *err);

#endif
