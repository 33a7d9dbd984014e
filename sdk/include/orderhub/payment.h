/*
 * orderhub/payment.h - operations of a payment gateway plugin (kind OH_KIND_PAYMENT).
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * A payment plugin translates four operations - authorize, capture, void, refund - each as a
 * build/parse pair (see http.h), and may verify and parse the gateway's inbound webhooks.
 *
 * All four pairs are mandatory: the loader refuses a payment plugin missing one.  The two
 * webhook operations are optional but come together (both or neither).
 *
 * AMOUNTS are integers in the currency's minor unit (cents); CURRENCY is an upper-case ISO
 * 4217 code.  The host never hands a plugin a floating-point amount.
 */
#ifndef ORDERHUB_PAYMENT_H
#define ORDERHUB_PAYMENT_H

#include <orderhub/abi.h>
#include <orderhub/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Normalised outcome of a gateway operation (names as printed by orderhub-plugin). */
typedef enum oh_payment_status {
    OH_PAYMENT_UNSET = 0,        /**< the plugin did not say: the host treats it as error */
    OH_PAYMENT_AUTHORIZED,       /**< "authorized": funds held, not yet captured */
    OH_PAYMENT_CAPTURED,         /**< "captured" */
    OH_PAYMENT_DECLINED,         /**< "declined": the issuer or gateway said no */
    OH_PAYMENT_ERROR,            /**< "error": the request failed (see code, retryable) */
    OH_PAYMENT_REQUIRES_ACTION,  /**< "requires_action": buyer must authenticate (3-DS) */
    OH_PAYMENT_PROCESSING,       /**< "processing": the outcome will come by webhook */
    OH_PAYMENT_CANCELED,         /**< "canceled": the authorization was voided */
    OH_PAYMENT_REFUNDED,         /**< "refunded" (fully or partly: see amount) */
    OH_PAYMENT_HELD_FOR_REVIEW   /**< "held_for_review": gateway fraud review */
} oh_payment_status;

/*
 * oh_payment_input - what the host asks of the gateway (since 1.0).  Borrowed: every pointer
 * is owned by the host and valid during the call only.
 */
typedef struct oh_payment_input {
    uint32_t struct_size;
    const char *order_id;        /**< orderhub order id */
    const char *payment_token;   /**< buyer's payment method token (authorize) */
    const char *transaction_id;  /**< gateway id from authorize (capture/void/refund) or NULL */
    const char *idempotency_key; /**< stable across retries of this action: send it */
    int64_t amount;              /**< minor units; for refund, the amount to refund: always
                                      > 0 and within what remains refundable (the host
                                      reserved it before calling), often less than the
                                      order's total - a partial refund, never "0 = all" */
    char currency[4];            /**< ISO 4217, upper case */
    const char *description;     /**< human text for the statement, may be NULL */
} oh_payment_input;

/*
 * oh_payment_result - what the plugin read from the gateway's answer (since 1.0).  The host
 * zeroes it before parse; the plugin fills the fields it knows (fixed arrays: OH_STRLCPY).
 */
typedef struct oh_payment_result {
    uint32_t struct_size;
    oh_payment_status status;
    char transaction_id[128]; /**< gateway's id of the payment / charge / refund */
    int64_t amount;           /**< minor units the gateway confirmed */
    char currency[4];
    char code[64];            /**< gateway error code ("card_declined", "E00027") */
    char decline_code[64];    /**< issuer decline code ("insufficient_funds") */
    char message[256];        /**< gateway's human message, safe to show a buyer */
    int retryable;            /**< nonzero: the same request may succeed later */
} oh_payment_result;

/** oh_payment_event - a parsed inbound gateway webhook (since 1.0). */
typedef struct oh_payment_event {
    uint32_t struct_size;
    char event_id[128];       /**< gateway's event id, used to drop duplicates */
    char event_type[64];      /**< gateway's name, e.g. "payment_intent.succeeded" */
    char order_id[64];        /**< orderhub order id when the gateway echoes it, else "" */
    oh_payment_result result; /**< the payment's state after the event */
} oh_payment_event;

/*
 * Build: fill `req` (through the host table) for operation `in`.  Parse: read `resp` into
 * `out`.  Both return an oh_result: OH_OK, OH_RETRY (transient: 5xx, 429, network) or
 * OH_FAIL with err set.  A decline is not a failure: parse returns OH_OK with status
 * OH_PAYMENT_DECLINED.
 */
typedef int (*oh_payment_build_fn)(void *state, const oh_payment_input *in, oh_request *req,
                                   oh_error *err);
typedef int (*oh_payment_parse_fn)(void *state, const oh_payment_input *in,
                                   const oh_response *resp, oh_payment_result *out,
                                   oh_error *err);

/*
 * oh_payment_ops - the operations table of a payment plugin (since 1.0).  Static storage of
 * the plugin; struct_size = sizeof(oh_payment_ops) (OH_OPS_INIT does it).
 */
typedef struct oh_payment_ops {
    uint32_t struct_size;
    oh_payment_build_fn authorize_build; /**< mandatory */
    oh_payment_parse_fn authorize_parse; /**< mandatory */
    oh_payment_build_fn capture_build;   /**< mandatory */
    oh_payment_parse_fn capture_parse;   /**< mandatory */
    oh_payment_build_fn void_build;      /**< mandatory */
    oh_payment_parse_fn void_parse;      /**< mandatory */
    oh_payment_build_fn refund_build;    /**< mandatory */
    oh_payment_parse_fn refund_parse;    /**< mandatory */
    /**
     * Optional.  Check the signature of an inbound webhook.  `now_unix` is the host's clock
     * (fixed by tests) for timestamp tolerance.  OH_OK when authentic, OH_FAIL with the
     * reason otherwise.  Called before anything of the request is stored.
     */
    int (*webhook_verify)(void *state, const oh_inbound *in, int64_t now_unix, oh_error *err);
    /** Optional (with webhook_verify).  Parse a verified webhook into `out`. */
    int (*webhook_parse)(void *state, const oh_inbound *in, oh_payment_event *out,
                         oh_error *err);
} oh_payment_ops;

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_PAYMENT_H */
