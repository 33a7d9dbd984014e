/*
 * stripe_build - the four requests, form-encoded as Stripe's API takes them (nested keys
 * in brackets: metadata[order_id]=...).  Every one is a POST that moves money, so every one
 * carries the host's Idempotency-Key: a retried request is then answered from Stripe's
 * record of the first instead of charging again.  No key, no request.
 */
#include "stripe.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Stripe's documented ceiling for Idempotency-Key. */
#define IDEM_MAX 255
/* Longest value we encode (description); Stripe's own limit is lower. */
#define VALUE_MAX 1024

typedef struct form {
    char *text;
    size_t len, cap;
    int failed;
} form;

/* Append "key=value" (value percent-encoded; keys are our own literals). */
static void form_add(const stripe *sp, form *f, const char *key, const char *value)
{
    char enc[3 * VALUE_MAX + 1];
    if (f->failed)
        return;
    if (strlen(value) > VALUE_MAX || sp->host->url_encode(value, enc, sizeof(enc)) < 0) {
        f->failed = 1;
        return;
    }
    size_t need = f->len + strlen(key) + strlen(enc) + 3;
    if (need > f->cap) {
        size_t cap = need * 2;
        char *t = realloc(f->text, cap);
        if (t == NULL) {
            f->failed = 1;
            return;
        }
        f->text = t;
        f->cap = cap;
    }
    f->len += (size_t)sprintf(f->text + f->len, "%s%s=%s", f->len ? "&" : "", key, enc);
}

static void form_add_int(const stripe *sp, form *f, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%lld", (long long)v);
    form_add(sp, f, key, num);
}

/* Stripe's ids (pi_..., re_...) are letters, digits and '_': anything else would change
 * the path it is put in. */
static int id_ok(const char *id)
{
    if (id == NULL || id[0] == '\0' || strlen(id) > 100)
        return 0;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return 0;
    return 1;
}

static int currency_ok(const char *c)
{
    return strlen(c) == 3 && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]) &&
           isupper((unsigned char)c[2]);
}

/* Method, URL, headers and body of one POST; frees the form. */
static int send_form(const stripe *sp, const oh_payment_input *in, const char *path,
                     form *f, oh_request *req, oh_error *err)
{
    const oh_host_api *h = sp->host;
    char url[1024];
    const char *idem = in->idempotency_key;
    int rc = OH_OK;
    int n = snprintf(url, sizeof(url), "%s%s%s", sp->base_url,
                     sp->base_url[strlen(sp->base_url) - 1] == '/' ? "" : "/", path);
    if (f->failed)
        rc = oh_error_set(err, OH_FAIL, "cannot encode the request (a value over %d bytes?)",
                          VALUE_MAX);
    else if (idem == NULL || idem[0] == '\0')
        rc = oh_error_set(err, OH_FAIL, "no idempotency key: a retried Stripe request "
                          "without one may charge twice");
    else if (strlen(idem) > IDEM_MAX || strpbrk(idem, "\r\n") != NULL)
        rc = oh_error_set(err, OH_FAIL, "idempotency key longer than %d characters or with "
                          "a line break", IDEM_MAX);
    else if (n < 0 || (size_t)n >= sizeof(url))
        rc = oh_error_set(err, OH_FAIL, "request URL too long");
    else if (h->request_set(req, "POST", url) != 0 ||
             h->request_header(req, "Authorization", sp->auth, OH_HEADER_SENSITIVE) != 0 ||
             h->request_header(req, "Content-Type", "application/x-www-form-urlencoded", 0) != 0 ||
             h->request_header(req, "Idempotency-Key", idem, 0) != 0 ||
             (sp->api_version[0] != '\0' &&
              h->request_header(req, "Stripe-Version", sp->api_version, 0) != 0) ||
             h->request_body(req, f->text ? f->text : "", f->len) != 0)
        rc = oh_error_set(err, OH_FAIL, "cannot build the request (out of memory)");
    free(f->text);
    return rc;
}

/*
 * POST /v1/payment_intents: create and confirm at once, capture later (manual).  Card
 * payments only: allow_redirects=never, or Stripe refuses a server-side confirmation
 * without a return_url (redirect-based methods enabled on the account would need one).
 */
int stripe_authorize_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err)
{
    const stripe *sp = st;
    int64_t amount;
    char currency[4];
    if (!currency_ok(in->currency))
        return oh_error_set(err, OH_FAIL, "currency '%.8s' is not an upper-case ISO 4217 code",
                            in->currency);
    if (in->payment_token == NULL || in->payment_token[0] == '\0')
        return oh_error_set(err, OH_FAIL, "no payment_token (a PaymentMethod id, pm_...)");
    if (stripe_amount_to_wire(in->currency, in->amount, &amount, err) != OH_OK)
        return OH_FAIL;
    if (amount == 0)
        return oh_error_set(err, OH_FAIL, "amount is 0: nothing to authorize");
    for (int i = 0; i < 4; i++)
        currency[i] = (char)tolower((unsigned char)in->currency[i]);
    form f = {0};
    form_add_int(sp, &f, "amount", amount);
    form_add(sp, &f, "currency", currency);
    form_add(sp, &f, "payment_method", in->payment_token);
    form_add(sp, &f, "confirm", "true");
    form_add(sp, &f, "capture_method", "manual");
    form_add(sp, &f, "automatic_payment_methods[enabled]", "true");
    form_add(sp, &f, "automatic_payment_methods[allow_redirects]", "never");
    if (in->order_id != NULL && in->order_id[0] != '\0')
        form_add(sp, &f, "metadata[order_id]", in->order_id);
    if (in->description != NULL && in->description[0] != '\0')
        form_add(sp, &f, "description", in->description);
    return send_form(sp, in, "v1/payment_intents", &f, req, err);
}

/* Capture, cancel: an action on the PaymentIntent named by the authorization. */
static int intent_action(const stripe *sp, const oh_payment_input *in, const char *action,
                         form *f, oh_request *req, oh_error *err)
{
    char path[160];
    if (!id_ok(in->transaction_id)) {
        free(f->text);
        return oh_error_set(err, OH_FAIL, "no usable transaction_id (the PaymentIntent id "
                            "from the authorization) to %s", action);
    }
    snprintf(path, sizeof(path), "v1/payment_intents/%s/%s", in->transaction_id, action);
    return send_form(sp, in, path, f, req, err);
}

int stripe_capture_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err)
{
    const stripe *sp = st;
    form f = {0};
    int64_t amount;
    /* amount 0 means "what was authorized": Stripe's default without amount_to_capture. */
    if (in->amount > 0) {
        if (!currency_ok(in->currency))
            return oh_error_set(err, OH_FAIL, "currency '%.8s' is not an upper-case ISO "
                                "4217 code", in->currency);
        if (stripe_amount_to_wire(in->currency, in->amount, &amount, err) != OH_OK)
            return OH_FAIL;
        form_add_int(sp, &f, "amount_to_capture", amount);
    }
    return intent_action(sp, in, "capture", &f, req, err);
}

int stripe_void_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err)
{
    form f = {0};
    return intent_action(st, in, "cancel", &f, req, err);
}

/* POST /v1/refunds: a refund of the PaymentIntent's charge, full (amount 0) or partial. */
int stripe_refund_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err)
{
    const stripe *sp = st;
    form f = {0};
    int64_t amount;
    if (!id_ok(in->transaction_id))
        return oh_error_set(err, OH_FAIL, "no usable transaction_id (the PaymentIntent id) "
                            "to refund");
    form_add(sp, &f, "payment_intent", in->transaction_id);
    if (in->amount > 0) {
        if (!currency_ok(in->currency) ||
            stripe_amount_to_wire(in->currency, in->amount, &amount, err) != OH_OK) {
            free(f.text);
            if (!currency_ok(in->currency))
                return oh_error_set(err, OH_FAIL, "currency '%.8s' is not an upper-case "
                                    "ISO 4217 code", in->currency);
            return OH_FAIL;
        }
        form_add_int(sp, &f, "amount", amount);
    }
    if (in->order_id != NULL && in->order_id[0] != '\0')
        form_add(sp, &f, "metadata[order_id]", in->order_id);
    return send_form(sp, in, "v1/refunds", &f, req, err);
}
