#include "config.h"

#include "tk_payment.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tk_payment_input_empty(tk_payment_input *out)
{
    memset(out, 0, sizeof(*out));
    out->in.struct_size = (uint32_t)sizeof(out->in);
}

void tk_payment_input_free(tk_payment_input *p)
{
    json_decref(p->doc);
    memset(p, 0, sizeof(*p));
}

/* A string member or null; -1 (printed) for any other type. */
static int string_member(const char *path, json_t *doc, const char *key, const char **out)
{
    json_t *v = json_object_get(doc, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        fprintf(stderr, "orderhub-plugin: %s: \"%s\" must be a string or null\n", path, key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int tk_payment_input_load(const char *path, tk_payment_input *out)
{
    static const char *const known[] = {"order_id", "payment_token", "transaction_id",
                                        "idempotency_key", "amount", "currency",
                                        "description"};
    tk_payment_input_empty(out);
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL || !json_is_object(doc)) {
        fprintf(stderr, "orderhub-plugin: %s: %s\n", path,
                doc ? "not a JSON object" : je.text);
        json_decref(doc);
        return -1;
    }
    out->doc = doc;
    const char *key;
    json_t *v;
    int bad = 0;
    json_object_foreach(doc, key, v) {
        size_t i = 0, n = sizeof(known) / sizeof(known[0]);
        while (i < n && strcmp(known[i], key) != 0)
            i++;
        if (i == n) {
            fprintf(stderr, "orderhub-plugin: %s: unknown member \"%s\" (an oh_payment_input "
                    "has order_id, payment_token, transaction_id, idempotency_key, amount, "
                    "currency, description)\n", path, key);
            bad = 1;
        }
    }
    oh_payment_input *in = &out->in;
    const char *currency = NULL;
    bad |= string_member(path, doc, "order_id", &in->order_id) != 0;
    bad |= string_member(path, doc, "payment_token", &in->payment_token) != 0;
    bad |= string_member(path, doc, "transaction_id", &in->transaction_id) != 0;
    bad |= string_member(path, doc, "idempotency_key", &in->idempotency_key) != 0;
    bad |= string_member(path, doc, "description", &in->description) != 0;
    bad |= string_member(path, doc, "currency", &currency) != 0;
    if (currency != NULL && strlen(currency) > 3) {
        fprintf(stderr, "orderhub-plugin: %s: \"currency\" must be an ISO 4217 code\n", path);
        bad = 1;
    } else if (currency != NULL) {
        OH_STRLCPY(in->currency, currency);
    }
    json_t *amount = json_object_get(doc, "amount");
    if (amount != NULL && !json_is_integer(amount)) {
        fprintf(stderr, "orderhub-plugin: %s: \"amount\" must be an integer (minor units)\n",
                path);
        bad = 1;
    } else if (amount != NULL) {
        in->amount = json_integer_value(amount);
    }
    if (bad) {
        tk_payment_input_free(out);
        return -1;
    }
    return 0;
}

int tk_payment_operation(const char *name)
{
    static const char *const ops[] = {"authorize", "capture", "void", "refund"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, ops[i]) == 0)
            return i;
    return -1;
}

const char *tk_payment_status_name(oh_payment_status s)
{
    static const char *const names[] = {
        [OH_PAYMENT_UNSET] = "unset",         [OH_PAYMENT_AUTHORIZED] = "authorized",
        [OH_PAYMENT_CAPTURED] = "captured",   [OH_PAYMENT_DECLINED] = "declined",
        [OH_PAYMENT_ERROR] = "error",         [OH_PAYMENT_REQUIRES_ACTION] = "requires_action",
        [OH_PAYMENT_PROCESSING] = "processing", [OH_PAYMENT_CANCELED] = "canceled",
        [OH_PAYMENT_REFUNDED] = "refunded",   [OH_PAYMENT_HELD_FOR_REVIEW] = "held_for_review"};
    return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* A fixed char field: its text, or null when empty (the plugin said nothing). */
static json_t *text_or_null(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == 0)
        return json_null();
    json_t *j = json_stringn(s, n);
    return j ? j : json_string("(not UTF-8)");
}

json_t *tk_payment_result_json(const oh_payment_result *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "status", json_string(tk_payment_status_name(r->status)));
    json_object_set_new(j, "transaction_id",
                        text_or_null(r->transaction_id, sizeof(r->transaction_id)));
    json_object_set_new(j, "amount", json_integer((json_int_t)r->amount));
    json_object_set_new(j, "currency", text_or_null(r->currency, sizeof(r->currency)));
    json_object_set_new(j, "code", text_or_null(r->code, sizeof(r->code)));
    json_object_set_new(j, "decline_code",
                        text_or_null(r->decline_code, sizeof(r->decline_code)));
    json_object_set_new(j, "message", text_or_null(r->message, sizeof(r->message)));
    json_object_set_new(j, "retryable", json_boolean(r->retryable != 0));
    return j;
}
