/*
 * anet.h - internals of payment_authorizenet, the Authorize.Net XML API plugin: the
 * instance state, request building (anet_build.c), answer parsing (anet_parse.c) and the
 * tables of the gateway's codes (anet_codes.c).  Not an SDK header.
 */
#ifndef PAYMENT_AUTHORIZENET_ANET_H
#define PAYMENT_AUTHORIZENET_ANET_H

#include <orderhub/orderhub.h>

/* The namespace of every request and answer element (a relative URI: libxml2 warns). */
#define ANET_NS "AnetApi/xml/v1/schema/AnetApiSchema.xsd"
/* XSD limits (AnetApiSchema.xsd): refId and invoiceNumber 20, name 25, transactionKey 16,
 * order description 255. */
#define ANET_REFID_MAX 20
#define ANET_INVOICE_MAX 20
#define ANET_LOGIN_MAX 25
#define ANET_KEY_MAX 16
#define ANET_DESCRIPTION_MAX 255

typedef enum anet_op { ANET_AUTHORIZE, ANET_CAPTURE, ANET_VOID, ANET_REFUND } anet_op;

typedef struct anet {
    const oh_host_api *host;
    oh_instance *self;
    const char *base_url;        /* owned by the host's settings, like the strings below */
    const char *login;           /* api_login_id: sensitive */
    const char *key;             /* transaction_key: sensitive */
    const char *currency;        /* the merchant account's currency */
    int64_t duplicate_window_s;  /* sent as transactionSettings/duplicateWindow */
} anet;

/* anet_build - fill `req` for `op`.  OH_OK, or OH_FAIL with err naming the bad input. */
int anet_build(const anet *a, anet_op op, const oh_payment_input *in, oh_request *req,
               oh_error *err);

/* anet_parse - read a createTransactionResponse (or ErrorResponse) into `out`. */
int anet_parse(const anet *a, anet_op op, const oh_payment_input *in, const oh_response *resp,
               oh_payment_result *out, oh_error *err);

/* anet_refid - the refId for an idempotency key: 20 lower-case hex digits of its
 * HMAC-SHA256 under the fixed key "orderhub-refid" (see README: why not a truncation). */
int anet_refid(const anet *a, const char *idempotency_key, char out[ANET_REFID_MAX + 1]);

/* anet_invoice - the invoiceNumber for an order id: the id itself when it fits 20
 * characters, else "oh-" and 17 hex digits of its digest (the full id goes in the order's
 * description). */
int anet_invoice(const anet *a, const char *order_id, char out[ANET_INVOICE_MAX + 1]);

/* anet_split_id - split our transaction id "TRANSID[:LAST4]" into the gateway's transId
 * and the card's last four digits ("" when unknown).  -1 when it is not of that shape. */
int anet_split_id(const char *id, char *trans_id, size_t trans_len, char last4[5]);

/* Reason codes of transactionResponse/errors/error/errorCode (anet_codes.c). */
const char *anet_decline_name(const char *error_code); /* "insufficient_funds", or NULL */
int anet_error_retryable(const char *error_code);       /* processing errors: try again */
/* Codes of messages/message/code with no transactionResponse. */
int anet_message_retryable(const char *code);           /* E00001 and kin */
int anet_message_auth(const char *code);                /* E00007 and kin: credentials */

#endif
