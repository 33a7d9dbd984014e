/*
 * bank_int.h - the records of the fake account (bank.c) and their JSON renderings in the
 * shapes Stripe's API returns them (objects.c).
 */
#ifndef STRIPE_FAKE_BANK_INT_H
#define STRIPE_FAKE_BANK_INT_H

#include "fake.h"

#include <jansson.h>
#include <stdint.h>

typedef struct sf_decline {
    const char *code, *decline_code, *message; /* static strings; code NULL = none */
} sf_decline;

typedef struct sf_intent {
    char id[32], charge_id[32];
    char *idem_key;          /* the key that created it, or NULL */
    char currency[4];
    char status[32];         /* Stripe's PaymentIntent status */
    char capture_method[16];
    char payment_method[64];
    char order_id[64];       /* metadata[order_id] */
    char cancellation_reason[32];
    char *description;
    int64_t amount, amount_capturable, amount_received, amount_refunded;
    int64_t created, canceled_at;
    int charged;             /* an authorization reached the card network and was approved */
    int three_ds;            /* next_action is a 3-D Secure redirect */
    sf_decline lpe;          /* last_payment_error */
} sf_intent;

typedef struct sf_refund {
    char id[32], intent[32], charge_id[32], currency[4], order_id[64];
    char *idem_key;
    int64_t amount, created;
} sf_refund;

/* objects.c: new references (NULL on no memory). */
json_t *sf_intent_json(const sf_intent *pi);
json_t *sf_refund_json(const sf_refund *re);
/* {"error":{...}} with the members Stripe sends for this kind of error; pi may be NULL. */
json_t *sf_error_json(const char *type, const char *code, const char *decline_code,
                      const char *message, const char *param, const sf_intent *pi);

#endif
