/*
 * ka_payment - the payment kind's adapter: authorize, capture, void and refund.  Its
 * inputs are the order's payment token and transaction, total, currency and description;
 * its answer becomes payment_authorized, payment_declined, payment_captured,
 * payment_voided or a refund input (docs/architecture.md §6).
 */
#include "config.h"

#include "ka.h"

#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int needs_order(const action_run *r)
{
    (void)r;
    return 1; /* token, transaction, amount */
}

static int fill(action_run *r, const char **why)
{
    oh_payment_input *pay = calloc(1, sizeof(*pay));
    if (pay == NULL) {
        *why = "out of memory";
        return -1;
    }
    const json_t *o = r->order, *payment = json_object_get(o, "payment");
    /* A refund gives back what its unit reserved (es_money), never the whole total. */
    const json_t *refund = json_object_get(json_object_get(r->payload, "data"), "refund");
    const char *currency = str(o, "currency");
    json_int_t amount = json_integer_value(json_object_get(o, "total"));
    if (strcmp(r->a.operation, "refund") == 0 && json_is_object(refund)) {
        amount = json_integer_value(json_object_get(refund, "amount"));
        currency = str(refund, "currency");
    }
    *pay = (oh_payment_input){.struct_size = sizeof(*pay), .order_id = r->a.order_id,
                              .payment_token = str(payment, "token"),
                              .transaction_id = str(payment, "transaction_id"),
                              .idempotency_key = r->a.idem_key,
                              .amount = amount, .description = str(o, "description")};
    OH_STRLCPY(pay->currency, currency);
    r->in = pay;
    return 0;
}

static void release(void *in)
{
    free(in);
}

static int build(action_run *r, oh_request *req, oh_error *err)
{
    const oh_payment_ops *p = &r->inst->module->ops.payment;
    const char *op = r->a.operation;
    oh_payment_build_fn fn = strcmp(op, "authorize") == 0 ? p->authorize_build
                             : strcmp(op, "capture") == 0 ? p->capture_build
                             : strcmp(op, "void") == 0    ? p->void_build
                             : strcmp(op, "refund") == 0  ? p->refund_build
                                                          : NULL;
    return fn ? fn(r->inst->state, r->in, req, err)
              : oh_error_set(err, OH_FAIL, "payment plugin %s has no %s operation",
                             r->inst->module->desc.name, op);
}

/* The gateway's result as the input's data: only what it said (an empty field must not
 * erase a known one); a refund's id kept apart from the authorization's transaction. */
static json_t *result_data(const oh_payment_result *out)
{
    json_t *data = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "transaction_id",
                             out->transaction_id, "amount", (json_int_t)out->amount,
                             "currency", out->currency, "code", out->code, "decline_code",
                             out->decline_code, "message", out->message);
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(data, tmp, key, value) {
        if (json_is_string(value) && json_string_length(value) == 0)
            json_object_del(data, key);
    }
    if (data != NULL && out->status == OH_PAYMENT_REFUNDED) {
        /* A refund has its own id at the gateway; the payment's transaction stays the
         * authorization's, which a later partial refund (or capture) must reference. */
        json_t *id = json_object_get(data, "transaction_id");
        if (id != NULL) {
            json_object_set(data, "refund_id", id);
            json_object_del(data, "transaction_id");
        }
    }
    return data;
}

static void parse(action_run *r, const ex_result *res)
{
    const oh_payment_ops *p = &r->inst->module->ops.payment;
    const char *op = r->a.operation;
    oh_payment_parse_fn fn = strcmp(op, "authorize") == 0 ? p->authorize_parse
                             : strcmp(op, "capture") == 0 ? p->capture_parse
                             : strcmp(op, "void") == 0    ? p->void_parse
                                                          : p->refund_parse;
    oh_payment_result out = {.struct_size = sizeof(out)};
    oh_error err = {{0}};
    int rc = fn(r->inst->state, r->in, &res->response, &out, &err);
    if (rc != OH_OK) {
        eng_run_finish(r, rc, NULL, NULL, err.message, r->retry_after_ms);
        return;
    }
    static const char *const inputs[] = {
        [OH_PAYMENT_AUTHORIZED] = "payment_authorized", [OH_PAYMENT_DECLINED] = "payment_declined",
        [OH_PAYMENT_CAPTURED] = "payment_captured", [OH_PAYMENT_CANCELED] = "payment_voided",
        [OH_PAYMENT_REFUNDED] = "refund"};
    if (out.status == OH_PAYMENT_ERROR || out.status == OH_PAYMENT_UNSET) {
        eng_run_finish(r, out.retryable ? OH_RETRY : OH_FAIL, NULL, NULL,
                       out.message[0] ? out.message : "gateway error", r->retry_after_ms);
        return;
    }
    const char *input = (size_t)out.status < sizeof(inputs) / sizeof(inputs[0])
                            ? inputs[out.status] : NULL;
    const char *event = str(r->payload, "event");
    json_t *data = result_data(&out);
    if (out.status == OH_PAYMENT_REFUNDED && event != NULL) {
        /* The refund settles what asked for it: a return, or an unconfirmed delivery; after
         * a dispute (already resolved) it is journaled as payment.refunded only. */
        const char *rid = str(json_object_get(r->payload, "data"), "return_id");
        if (strcmp(event, "return.inspected") == 0 && rid != NULL) {
            input = "return.refund";
            json_object_set_new(data, "return_id", json_string(rid));
        } else if (strcmp(event, "delivery.unconfirmed") != 0) {
            input = "payment_refunded"; /* journaled, the order's state kept */
        }
    }
    /* requires_action, processing, held_for_review: the answer comes later by webhook. */
    eng_run_finish(r, OH_OK, input, data, NULL, r->retry_after_ms);
}

const ka_adapter ka_payment = {.kind = OH_KIND_PAYMENT, .needs_order = needs_order,
                               .fill = fill, .release = release, .build = build,
                               .parse = parse};
