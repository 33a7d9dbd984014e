/*
 * objects - PaymentIntent, Refund and error objects in the shapes Stripe's API sends: the
 * same member names and nesting, null where Stripe says null, amounts as integers in the
 * smallest unit, currencies lower case.
 */
#include "config.h"

#include "bank_int.h"

#include <stdio.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *last_payment_error(const sf_intent *pi)
{
    if (pi->lpe.code == NULL)
        return json_null();
    char doc[160];
    snprintf(doc, sizeof(doc), "https://stripe.com/docs/error-codes/%s", pi->lpe.code);
    for (char *p = doc + 36; *p; p++)
        if (*p == '_')
            *p = '-';
    return json_pack("{s:o, s:s, s:o, s:s, s:s, s:{s:s, s:s, s:s}, s:s}", "charge",
                     str_or_null(pi->charge_id), "code", pi->lpe.code, "decline_code",
                     str_or_null(pi->lpe.decline_code), "doc_url", doc, "message",
                     pi->lpe.message, "payment_method", "id", pi->payment_method, "object",
                     "payment_method", "type", "card", "type", "card_error");
}

static json_t *next_action(const sf_intent *pi)
{
    if (!pi->three_ds || strcmp(pi->status, "requires_action") != 0)
        return json_null();
    char url[160];
    snprintf(url, sizeof(url), "https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=%s",
             pi->id);
    return json_pack("{s:s, s:{s:s, s:n}}", "type", "redirect_to_url", "redirect_to_url",
                     "url", url, "return_url");
}

json_t *sf_intent_json(const sf_intent *pi)
{
    char secret[64];
    snprintf(secret, sizeof(secret), "%s_secret_fake%.16s", pi->id, pi->id + 3);
    json_t *meta = json_object();
    if (pi->order_id[0] != '\0')
        json_object_set_new(meta, "order_id", json_string(pi->order_id));
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(pi->id));
    json_object_set_new(j, "object", json_string("payment_intent"));
    json_object_set_new(j, "amount", json_integer(pi->amount));
    json_object_set_new(j, "amount_capturable", json_integer(pi->amount_capturable));
    json_object_set_new(j, "amount_details", json_pack("{s:{}}", "tip"));
    json_object_set_new(j, "amount_received", json_integer(pi->amount_received));
    json_object_set_new(j, "application", json_null());
    json_object_set_new(j, "application_fee_amount", json_null());
    json_object_set_new(j, "automatic_payment_methods",
                        json_pack("{s:s, s:b}", "allow_redirects", "never", "enabled", 1));
    json_object_set_new(j, "canceled_at",
                        pi->canceled_at ? json_integer(pi->canceled_at) : json_null());
    json_object_set_new(j, "cancellation_reason", str_or_null(pi->cancellation_reason));
    json_object_set_new(j, "capture_method", json_string(pi->capture_method));
    json_object_set_new(j, "client_secret", json_string(secret));
    json_object_set_new(j, "confirmation_method", json_string("automatic"));
    json_object_set_new(j, "created", json_integer(pi->created));
    json_object_set_new(j, "currency", json_string(pi->currency));
    json_object_set_new(j, "customer", json_null());
    json_object_set_new(j, "description", str_or_null(pi->description));
    json_object_set_new(j, "invoice", json_null());
    json_object_set_new(j, "last_payment_error", last_payment_error(pi));
    json_object_set_new(j, "latest_charge", str_or_null(pi->charge_id));
    json_object_set_new(j, "livemode", json_false());
    json_object_set_new(j, "metadata", meta);
    json_object_set_new(j, "next_action", next_action(pi));
    json_object_set_new(j, "on_behalf_of", json_null());
    json_object_set_new(j, "payment_method", str_or_null(pi->payment_method));
    json_object_set_new(j, "payment_method_types", json_pack("[s]", "card"));
    json_object_set_new(j, "processing", json_null());
    json_object_set_new(j, "receipt_email", json_null());
    json_object_set_new(j, "review", json_null());
    json_object_set_new(j, "setup_future_usage", json_null());
    json_object_set_new(j, "shipping", json_null());
    json_object_set_new(j, "statement_descriptor", json_null());
    json_object_set_new(j, "statement_descriptor_suffix", json_null());
    json_object_set_new(j, "status", json_string(pi->status));
    json_object_set_new(j, "transfer_data", json_null());
    json_object_set_new(j, "transfer_group", json_null());
    return j;
}

json_t *sf_refund_json(const sf_refund *re)
{
    json_t *meta = json_object();
    if (re->order_id[0] != '\0')
        json_object_set_new(meta, "order_id", json_string(re->order_id));
    char txn[40];
    snprintf(txn, sizeof(txn), "txn_%s", re->id + 3);
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:{s:{s:s, s:s, s:s}, s:s}, s:o, "
                     "s:s, s:n, s:n, s:n, s:s, s:n}",
                     "id", re->id, "object", "refund", "amount", (json_int_t)re->amount,
                     "balance_transaction", txn, "charge", re->charge_id, "created",
                     (json_int_t)re->created, "currency", re->currency, "destination_details",
                     "card", "reference_status", "pending", "reference_type",
                     "acquirer_reference_number", "type", "refund", "type", "card", "metadata",
                     meta, "payment_intent", re->intent, "reason", "receipt_number",
                     "source_transfer_reversal", "status", "succeeded", "transfer_reversal");
}

json_t *sf_error_json(const char *type, const char *code, const char *decline_code,
                      const char *message, const char *param, const sf_intent *pi)
{
    json_t *e = json_object();
    if (pi != NULL && pi->charge_id[0] != '\0' && strcmp(type, "card_error") == 0)
        json_object_set_new(e, "charge", json_string(pi->charge_id));
    if (code != NULL) {
        char doc[160];
        snprintf(doc, sizeof(doc), "https://stripe.com/docs/error-codes/%s", code);
        for (char *p = doc + 36; *p; p++)
            if (*p == '_')
                *p = '-';
        json_object_set_new(e, "code", json_string(code));
        if (decline_code != NULL)
            json_object_set_new(e, "decline_code", json_string(decline_code));
        json_object_set_new(e, "doc_url", json_string(doc));
    }
    json_object_set_new(e, "message", json_string(message));
    if (param != NULL)
        json_object_set_new(e, "param", json_string(param));
    if (pi != NULL)
        json_object_set_new(e, "payment_intent", sf_intent_json(pi));
    if (pi != NULL && strcmp(type, "card_error") == 0)
        json_object_set_new(e, "payment_method",
                            json_pack("{s:s, s:s, s:s}", "id", pi->payment_method, "object",
                                      "payment_method", "type", "card"));
    json_object_set_new(e, "request_log_url",
                        json_string("https://dashboard.stripe.com/test/logs/req_fake"));
    json_object_set_new(e, "type", json_string(type));
    return json_pack("{s:o}", "error", e);
}
