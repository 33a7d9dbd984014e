/*
 * stripe_parse - Stripe's answers to the four requests.  A 2xx carries the object (a
 * PaymentIntent, or a Refund for refunds); anything else carries
 * {"error":{type, code, decline_code, message, payment_intent, ...}}.
 *
 * A decline is an answer, not a failure: card_error gives status "declined" with Stripe's
 * code, decline_code and message.  Other errors give status "error", retryable when a later
 * attempt with the same idempotency key can succeed.  Only what no retry and no order state
 * can fix returns OH_FAIL: refused credentials (401) and answers that are not Stripe's.
 */
#include "stripe.h"

#include <string.h>
#include <strings.h>

typedef enum { WANT_INTENT, WANT_REFUND } want_kind;

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Whether Stripe's retry hint (if any) says yes; -1 when it gave none. */
static int should_retry(const oh_response *resp)
{
    const char *v = oh_header_find(resp->headers, resp->header_count, "Stripe-Should-Retry");
    if (v == NULL)
        return -1;
    return strcasecmp(v, "true") == 0 ? 1 : strcasecmp(v, "false") == 0 ? 0 : -1;
}

static int replayed(const oh_response *resp)
{
    const char *v = oh_header_find(resp->headers, resp->header_count, "Idempotent-Replayed");
    return v != NULL && strcasecmp(v, "true") == 0;
}

/*
 * Transient by nature: rate limits (429), a request still running under the same key
 * (409), a failed dependency (424), Stripe's own failures (5xx, api_error) and the
 * connection errors Stripe's libraries report as api_connection_error.
 */
static int transient(int http, const char *type)
{
    if (strcmp(type, "idempotency_error") == 0) /* same key, other parameters: never */
        return 0;
    return http == 429 || http == 409 || http == 424 || http >= 500 ||
           strcmp(type, "rate_limit_error") == 0 || strcmp(type, "api_connection_error") == 0 ||
           strcmp(type, "api_error") == 0;
}

/*
 * `done_status`: the PaymentIntent status the operation leads to ("canceled" for void,
 * "succeeded" for capture).  Stripe refuses to cancel a canceled intent (or capture a
 * captured one) with payment_intent_unexpected_state and the intent attached: the money is
 * where it was asked to be (canceled from the Dashboard, after 7 days uncaptured, by an
 * earlier attempt), so that is the result, not an error.
 */
static int error_answer(const json_t *e, const oh_response *resp, const char *done_status,
                        oh_payment_result *out, oh_error *err)
{
    const char *type = str(e, "type");
    if (type == NULL)
        return oh_error_set(err, resp->status >= 500 ? OH_RETRY : OH_FAIL,
                            "Stripe error object without a type (HTTP %d)", resp->status);
    if (resp->status == 401) /* never echo the message: it quotes part of the key */
        return oh_error_set(err, OH_FAIL, "Stripe refused the secret_key (HTTP 401, %.40s)",
                            type);
    OH_STRLCPY(out->code, str(e, "code") ? str(e, "code") : type);
    OH_STRLCPY(out->decline_code, str(e, "decline_code"));
    OH_STRLCPY(out->message, str(e, "message"));
    const json_t *pi = json_object_get(e, "payment_intent");
    const char *code = str(e, "code");
    if (json_is_object(pi) && done_status != NULL && code != NULL &&
        strcmp(code, "payment_intent_unexpected_state") == 0 && str(pi, "status") != NULL &&
        strcmp(str(pi, "status"), done_status) == 0) {
        memset(out->code, 0, sizeof(out->code));
        memset(out->message, 0, sizeof(out->message));
        return stripe_object_result(pi, out, err);
    }
    if (json_is_object(pi)) {
        oh_payment_result tmp = {.struct_size = out->struct_size};
        oh_error ignored = {{0}};
        OH_STRLCPY(out->transaction_id, str(pi, "id"));
        if (stripe_object_result(pi, &tmp, &ignored) == OH_OK) {
            out->amount = tmp.amount;
            memcpy(out->currency, tmp.currency, sizeof(out->currency));
        }
    }
    if (strcmp(type, "card_error") == 0) {
        out->status = OH_PAYMENT_DECLINED;
        return OH_OK;
    }
    out->status = OH_PAYMENT_ERROR;
    int hint = should_retry(resp);
    out->retryable = hint >= 0 ? hint : transient(resp->status, type);
    /* A 500 Stripe replays from its idempotency record stays a 500 for this key. */
    if (replayed(resp) && resp->status >= 500)
        out->retryable = 0;
    return OH_OK;
}

static int parse(const stripe *sp, want_kind want, const char *op, const oh_payment_input *in,
                 const oh_response *resp, oh_payment_result *out, oh_error *err)
{
    oh_error perr = {{0}};
    json_t *j = sp->host->json_parse(resp->body, resp->body_len, &perr);
    if (j == NULL) {
        if (resp->status == 401)
            return oh_error_set(err, OH_FAIL, "Stripe refused the secret_key (HTTP 401)");
        if (resp->status == 429 || resp->status >= 500) {
            out->status = OH_PAYMENT_ERROR;
            out->retryable = 1;
            return oh_error_set(err, OH_RETRY, "Stripe answered HTTP %d without a JSON body",
                                resp->status);
        }
        return oh_error_set(err, OH_FAIL, "%s answer (HTTP %d) is not JSON: %s", op,
                            resp->status, perr.message);
    }
    int rc;
    const json_t *e = json_object_get(j, "error");
    if (json_is_object(e)) {
        const char *done = strcmp(op, "void") == 0      ? "canceled"
                           : strcmp(op, "capture") == 0 ? "succeeded" : NULL;
        rc = error_answer(e, resp, done, out, err);
    } else if (resp->status < 200 || resp->status > 299) {
        rc = oh_error_set(err, resp->status >= 500 ? OH_RETRY : OH_FAIL,
                          "%s answer: HTTP %d without an error object", op, resp->status);
    } else {
        const char *kind = str(j, "object");
        const char *expect = want == WANT_INTENT ? "payment_intent" : "refund";
        if (kind == NULL || strcmp(kind, expect) != 0) {
            rc = oh_error_set(err, OH_FAIL, "%s answer is a '%.40s', not a %s", op,
                              kind ? kind : "(no object)", expect);
        } else {
            rc = stripe_object_result(j, out, err);
            /* Our metadata names the order: an answer for another one is a key collision. */
            const char *order = str(json_object_get(j, "metadata"), "order_id");
            if (rc == OH_OK && order != NULL && in != NULL && in->order_id != NULL &&
                in->order_id[0] != '\0' && strcmp(order, in->order_id) != 0)
                rc = oh_error_set(err, OH_FAIL, "%s answer is for order '%.64s', not '%.64s'",
                                  op, order, in->order_id);
        }
    }
    json_decref(j);
    return rc;
}

int stripe_authorize_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                           oh_payment_result *out, oh_error *err)
{
    return parse(st, WANT_INTENT, "authorize", in, resp, out, err);
}

int stripe_capture_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                         oh_payment_result *out, oh_error *err)
{
    return parse(st, WANT_INTENT, "capture", in, resp, out, err);
}

int stripe_void_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                      oh_payment_result *out, oh_error *err)
{
    return parse(st, WANT_INTENT, "void", in, resp, out, err);
}

int stripe_refund_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                        oh_payment_result *out, oh_error *err)
{
    return parse(st, WANT_REFUND, "refund", in, resp, out, err);
}
