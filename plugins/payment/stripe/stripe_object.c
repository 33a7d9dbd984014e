/*
 * stripe_object - what a Stripe object says about the money: a PaymentIntent (answers to
 * authorize, capture, void; payment_intent.* webhooks), a Refund (answer to refund;
 * refund webhooks) or a Charge (charge.refunded).  Shared by the answer parser and
 * webhook_parse so a webhook and an answer about the same state read the same.
 */
#include "stripe.h"

#include <ctype.h>
#include <string.h>

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* An optional non-negative integer member; -1 when absent or null, -2 when malformed. */
static json_int_t amount_member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL || json_is_null(v))
        return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -2;
    return json_integer_value(v);
}

/* Currency (Stripe sends it lower case) and amount, converted to orderhub's units. */
static int money(const json_t *obj, const char *amount_key, oh_payment_result *out,
                 oh_error *err)
{
    const char *c = str(obj, "currency");
    if (c != NULL) {
        if (strlen(c) != 3 || !isalpha((unsigned char)c[0]) || !isalpha((unsigned char)c[1]) ||
            !isalpha((unsigned char)c[2]))
            return oh_error_set(err, OH_FAIL, "currency '%.8s' is not a three-letter code", c);
        for (int i = 0; i < 3; i++)
            out->currency[i] = (char)toupper((unsigned char)c[i]);
        out->currency[3] = '\0';
    }
    json_int_t a = amount_member(obj, amount_key);
    if (a == -2)
        return oh_error_set(err, OH_FAIL, "%s is not a non-negative integer", amount_key);
    out->amount = a < 0 ? 0 : stripe_amount_from_wire(out->currency, a);
    return OH_OK;
}

/* The decline Stripe recorded on a PaymentIntent (or an error object of the same shape). */
static void copy_error(const json_t *e, oh_payment_result *out)
{
    OH_STRLCPY(out->code, str(e, "code"));
    OH_STRLCPY(out->decline_code, str(e, "decline_code"));
    OH_STRLCPY(out->message, str(e, "message"));
}

static int payment_intent(const json_t *pi, oh_payment_result *out, oh_error *err)
{
    const char *status = str(pi, "status");
    const json_t *lpe = json_object_get(pi, "last_payment_error");
    if (status == NULL)
        return oh_error_set(err, OH_FAIL, "PaymentIntent has no status");
    const char *amount_key = "amount";
    if (strcmp(status, "requires_capture") == 0) {
        out->status = OH_PAYMENT_AUTHORIZED;
        amount_key = "amount_capturable"; /* what is held now */
    } else if (strcmp(status, "succeeded") == 0) {
        out->status = OH_PAYMENT_CAPTURED;
        amount_key = "amount_received";
    } else if (strcmp(status, "canceled") == 0) {
        out->status = OH_PAYMENT_CANCELED;
    } else if (strcmp(status, "requires_action") == 0) {
        out->status = OH_PAYMENT_REQUIRES_ACTION;
    } else if (strcmp(status, "processing") == 0) {
        out->status = OH_PAYMENT_PROCESSING;
    } else if (strcmp(status, "requires_payment_method") == 0 && json_is_object(lpe)) {
        out->status = OH_PAYMENT_DECLINED; /* confirmation failed: Stripe wants a new method */
        copy_error(lpe, out);
    } else if (strcmp(status, "requires_payment_method") == 0 ||
               strcmp(status, "requires_confirmation") == 0) {
        /* Never confirmed: not a decline, and asking again the same way changes nothing. */
        out->status = OH_PAYMENT_ERROR;
        OH_STRLCPY(out->code, status);
        OH_STRLCPY(out->message, "the PaymentIntent was not confirmed");
    } else {
        return oh_error_set(err, OH_FAIL, "unknown PaymentIntent status '%.40s'", status);
    }
    return money(pi, amount_key, out, err);
}

static int refund(const json_t *re, oh_payment_result *out, oh_error *err)
{
    const char *status = str(re, "status");
    if (status == NULL)
        return oh_error_set(err, OH_FAIL, "Refund has no status");
    if (strcmp(status, "succeeded") == 0) {
        out->status = OH_PAYMENT_REFUNDED;
    } else if (strcmp(status, "pending") == 0 || strcmp(status, "requires_action") == 0) {
        out->status = OH_PAYMENT_PROCESSING; /* settles later: refund.updated / charge.refunded */
    } else if (strcmp(status, "failed") == 0 || strcmp(status, "canceled") == 0) {
        out->status = OH_PAYMENT_ERROR;
        const char *reason = str(re, "failure_reason");
        OH_STRLCPY(out->code, reason ? reason : strcmp(status, "failed") == 0
                                                    ? "refund_failed" : "refund_canceled");
        OH_STRLCPY(out->message, strcmp(status, "failed") == 0 ? "the refund failed"
                                                               : "the refund was canceled");
    } else {
        return oh_error_set(err, OH_FAIL, "unknown Refund status '%.40s'", status);
    }
    /* The order keeps the PaymentIntent's id (later refunds name it), not the re_ id. */
    const char *pi = str(re, "payment_intent");
    OH_STRLCPY(out->transaction_id, pi ? pi : str(re, "id"));
    return money(re, "amount", out, err);
}

/* A Charge (charge.* webhooks): refunded, captured, held or failed, in that order. */
static int charge(const json_t *ch, oh_payment_result *out, oh_error *err)
{
    const char *status = str(ch, "status");
    json_int_t refunded = amount_member(ch, "amount_refunded");
    const char *amount_key = "amount";
    if (refunded > 0) {
        out->status = OH_PAYMENT_REFUNDED;
        amount_key = "amount_refunded";
    } else if (status != NULL && strcmp(status, "failed") == 0) {
        out->status = OH_PAYMENT_DECLINED;
        OH_STRLCPY(out->code, str(ch, "failure_code"));
        OH_STRLCPY(out->message, str(ch, "failure_message"));
        OH_STRLCPY(out->decline_code, str(json_object_get(ch, "outcome"), "reason"));
    } else if (status != NULL && strcmp(status, "succeeded") == 0) {
        int captured = json_is_true(json_object_get(ch, "captured"));
        out->status = captured ? OH_PAYMENT_CAPTURED : OH_PAYMENT_AUTHORIZED;
        amount_key = captured ? "amount_captured" : "amount";
    } else if (status != NULL && strcmp(status, "pending") == 0) {
        out->status = OH_PAYMENT_PROCESSING;
    } else {
        return oh_error_set(err, OH_FAIL, "Charge status '%.40s' not understood",
                            status ? status : "(none)");
    }
    const char *pi = str(ch, "payment_intent");
    OH_STRLCPY(out->transaction_id, pi ? pi : str(ch, "id"));
    return money(ch, amount_key, out, err);
}

int stripe_object_result(const json_t *obj, oh_payment_result *out, oh_error *err)
{
    const char *kind = str(obj, "object");
    const char *id = str(obj, "id");
    if (!json_is_object(obj) || kind == NULL || id == NULL || id[0] == '\0')
        return oh_error_set(err, OH_FAIL, "answer is not a Stripe object (no \"object\" and "
                            "\"id\")");
    if (strcmp(kind, "payment_intent") == 0) {
        OH_STRLCPY(out->transaction_id, id);
        return payment_intent(obj, out, err);
    }
    if (strcmp(kind, "refund") == 0)
        return refund(obj, out, err);
    if (strcmp(kind, "charge") == 0)
        return charge(obj, out, err);
    return oh_error_set(err, OH_FAIL, "unexpected Stripe object '%.40s'", kind);
}
