/*
 * bank - the fake account: four endpoints answering as Stripe's do, an idempotency layer
 * that records and replays answers by Idempotency-Key, and the ledger tests count charges
 * with.  The outcome of a confirmation is decided by the payment method token (README):
 * Stripe's own test tokens (pm_card_visa, pm_card_chargeDeclined...) plus pm_fake_* ones
 * for failures Stripe cannot be asked for (a 500, a flaky 500, a broken body, a slow answer).
 */
#include "config.h"

#include "bank.h"
#include "bank_int.h"
#include "form.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct idem_rec {
    char *key;
    char *endpoint;      /* "POST /v1/payment_intents" */
    char *params;        /* canonical form of the first request */
    int saved;           /* an answer is recorded (else: only the flaky count) */
    int status;
    char *body;
    size_t len;
    int64_t done_ns;     /* before this, the first request is still "in progress" */
    int flaky;           /* pm_fake_flaky failures served under this key */
} idem_rec;

struct sf_bank {
    const sf_config *cfg;
    pthread_mutex_t lock;
    sf_intent **intents;
    size_t nintents;
    sf_refund **refunds;
    size_t nrefunds;
    idem_rec *recs;
    size_t nrecs;
    uint64_t next_id;
    struct {
        uint64_t requests, replays, conflicts, in_progress, declines, injected, flaky;
    } n;
};

/* ---- helpers ------------------------------------------------------------------------- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_s(const sf_bank *b)
{
    return b->cfg->clock_s ? b->cfg->clock_s : (int64_t)time(NULL);
}

/* A Stripe-looking id: prefix + 24 base62 characters, unique per account. */
static void new_id(sf_bank *b, const char *prefix, char out[32])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t z = ++b->next_id + b->cfg->seed * 0x9e3779b97f4a7c15ull;
    char suffix[25];
    for (int i = 0; i < 24; i++) {
        z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
        suffix[i] = digits[(z >> 17) % 62];
    }
    /* The counter in the last 5 characters keeps ids unique whatever the mix gives. */
    uint64_t c = b->next_id;
    for (int i = 23; i >= 19; i--, c /= 62)
        suffix[i] = digits[c % 62];
    suffix[24] = '\0';
    snprintf(out, 32, "%s_3Fk%.21s", prefix, suffix + 3);
}

static int reply_json(sf_reply *out, int status, json_t *j, int save)
{
    out->status = status;
    out->save = save;
    out->body = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (out->body == NULL) {
        out->status = 500;
        out->body = strdup("{\"error\":{\"message\":\"out of memory\",\"type\":\"api_error\"}}");
        out->save = 0;
    }
    out->len = out->body ? strlen(out->body) : 0;
    return 0;
}

/* A refused request: validation errors are not saved (Stripe checks before executing). */
static int invalid(sf_reply *out, int status, const char *code, const char *param,
                    const char *message, const sf_intent *pi, int save)
{
    return reply_json(out, status, sf_error_json("invalid_request_error", code, NULL, message,
                                                 param, pi), save);
}

static sf_intent *find_intent(sf_bank *b, const char *id, size_t n)
{
    for (size_t i = 0; i < b->nintents; i++)
        if (strlen(b->intents[i]->id) == n && strncmp(b->intents[i]->id, id, n) == 0)
            return b->intents[i];
    return NULL;
}

/* Every parameter must be one the endpoint knows (prefix entries end in '['). */
static int unknown_param(const sf_form *f, const char *const *known, sf_reply *out)
{
    for (size_t i = 0; i < f->count; i++) {
        const char *k = f->pairs[i].key;
        int ok = 0;
        for (const char *const *p = known; *p && !ok; p++) {
            size_t n = strlen(*p);
            ok = (*p)[n - 1] == '[' ? strncmp(k, *p, n) == 0 : strcmp(k, *p) == 0;
        }
        if (!ok) {
            char msg[300];
            snprintf(msg, sizeof(msg), "Received unknown parameter: %.200s", k);
            invalid(out, 400, "parameter_unknown", k, msg, NULL, 0);
            return 1;
        }
    }
    return 0;
}

/* A positive integer parameter; 0 absent, -1 malformed. */
static int64_t int_param(const sf_form *f, const char *key)
{
    const char *v = sf_form_get(f, key);
    if (v == NULL)
        return 0;
    char *end;
    long long n = strtoll(v, &end, 10);
    return (*end != '\0' || end == v || n <= 0 || n > 99999999999LL) ? -1 : n;
}

/* ---- payment method tokens ------------------------------------------------------------ */

typedef enum { TOK_UNKNOWN, TOK_APPROVE, TOK_DECLINE, TOK_3DS, TOK_SERVER_ERROR, TOK_FLAKY,
               TOK_MALFORMED, TOK_SLOW } tok_kind;

static const struct {
    const char *token;
    tok_kind kind;
    sf_decline decline;
} tokens[] = {
    {"pm_card_visa", TOK_APPROVE, {0}},
    {"pm_card_visa_debit", TOK_APPROVE, {0}},
    {"pm_card_mastercard", TOK_APPROVE, {0}},
    {"pm_card_amex", TOK_APPROVE, {0}},
    {"pm_card_discover", TOK_APPROVE, {0}},
    {"pm_card_jcb", TOK_APPROVE, {0}},
    {"pm_card_chargeDeclined", TOK_DECLINE,
     {"card_declined", "generic_decline", "Your card was declined."}},
    {"pm_card_chargeDeclinedInsufficientFunds", TOK_DECLINE,
     {"card_declined", "insufficient_funds", "Your card has insufficient funds."}},
    {"pm_card_chargeDeclinedLostCard", TOK_DECLINE,
     {"card_declined", "lost_card", "Your card was declined."}},
    {"pm_card_chargeDeclinedStolenCard", TOK_DECLINE,
     {"card_declined", "stolen_card", "Your card was declined."}},
    {"pm_card_chargeDeclinedExpiredCard", TOK_DECLINE,
     {"expired_card", "expired_card", "Your card has expired."}},
    {"pm_card_chargeDeclinedIncorrectCvc", TOK_DECLINE,
     {"incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."}},
    {"pm_card_chargeDeclinedProcessingError", TOK_DECLINE,
     {"processing_error", "processing_error",
      "An error occurred while processing your card. Try again in a little bit."}},
    {"pm_card_threeDSecure2Required", TOK_3DS, {0}},
    {"pm_card_authenticationRequired", TOK_3DS, {0}},
    {"pm_fake_server_error", TOK_SERVER_ERROR, {0}},
    {"pm_fake_flaky", TOK_FLAKY, {0}},
    {"pm_fake_malformed", TOK_MALFORMED, {0}},
    {"pm_fake_slow", TOK_SLOW, {0}},
};

static size_t token_index(const char *pm)
{
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        if (strcmp(tokens[i].token, pm) == 0)
            return i;
    return (size_t)-1;
}

/* ---- endpoints ------------------------------------------------------------------------ */

static const char *const create_params[] = {
    "amount", "currency", "payment_method", "confirm", "capture_method", "description",
    "return_url", "receipt_email", "statement_descriptor_suffix", "payment_method_types[",
    "automatic_payment_methods[enabled]", "automatic_payment_methods[allow_redirects]",
    "metadata[", NULL};

static idem_rec *find_rec(sf_bank *b, const char *key);

static int create_intent(sf_bank *b, const sf_form *f, const char *idem, sf_reply *out)
{
    if (unknown_param(f, create_params, out))
        return 0;
    int64_t amount = int_param(f, "amount");
    const char *currency = sf_form_get(f, "currency");
    const char *pm = sf_form_get(f, "payment_method");
    const char *capture = sf_form_get(f, "capture_method");
    const char *confirm = sf_form_get(f, "confirm");
    const char *apm = sf_form_get(f, "automatic_payment_methods[enabled]");
    const char *redirects = sf_form_get(f, "automatic_payment_methods[allow_redirects]");
    int confirming = confirm != NULL && strcmp(confirm, "true") == 0;
    int has_types = 0;
    for (size_t i = 0; i < f->count; i++)
        has_types |= strncmp(f->pairs[i].key, "payment_method_types[", 21) == 0;
    if (amount == 0)
        return invalid(out, 400, "parameter_missing", "amount",
                       "Missing required param: amount.", NULL, 0);
    if (amount < 0)
        return invalid(out, 400, "parameter_invalid_integer", "amount",
                       "Invalid integer: amount must be a positive integer", NULL, 0);
    if (currency == NULL)
        return invalid(out, 400, "parameter_missing", "currency",
                       "Missing required param: currency.", NULL, 0);
    if (strlen(currency) != 3 || currency[0] < 'a' || currency[0] > 'z' ||
        currency[1] < 'a' || currency[1] > 'z' || currency[2] < 'a' || currency[2] > 'z')
        return invalid(out, 400, "parameter_invalid_string", "currency",
                       "Invalid currency: the currency must be a three-letter ISO code in "
                       "lowercase.", NULL, 0);
    if (capture != NULL && strcmp(capture, "manual") != 0 && strcmp(capture, "automatic") != 0 &&
        strcmp(capture, "automatic_async") != 0)
        return invalid(out, 400, "parameter_invalid_empty", "capture_method",
                       "Invalid capture_method: must be one of automatic, automatic_async, "
                       "or manual", NULL, 0);
    /* Automatic payment methods are on by default; confirming on the server with redirect
     * methods allowed needs a return_url, as Stripe answers. */
    if (confirming && !has_types && (apm == NULL || strcmp(apm, "true") == 0) &&
        (redirects == NULL || strcmp(redirects, "never") != 0) &&
        sf_form_get(f, "return_url") == NULL)
        return invalid(out, 400, NULL, NULL,
                       "A `return_url` must be specified because this Payment Intent is "
                       "configured to automatically accept the payment methods enabled in "
                       "the Dashboard, some of which may require a full page redirect to "
                       "succeed. If you do not want to accept redirect-based payment "
                       "methods, set `automatic_payment_methods[enabled]` to `true` and "
                       "`automatic_payment_methods[allow_redirects]` to `never` when "
                       "creating Setup Intents and Payment Intents.", NULL, 0);
    size_t t = pm ? token_index(pm) : (size_t)-1;
    if (pm != NULL && t == (size_t)-1) {
        char msg[200];
        snprintf(msg, sizeof(msg), "No such PaymentMethod: '%.100s'", pm);
        return invalid(out, 400, "resource_missing", "payment_method", msg, NULL, 0);
    }
    tok_kind kind = t == (size_t)-1 ? TOK_UNKNOWN : tokens[t].kind;
    if (confirming && kind == TOK_FLAKY) {
        idem_rec *r = idem ? find_rec(b, idem) : NULL;
        int *count = r ? &r->flaky : NULL;
        if (count != NULL && *count < b->cfg->flaky_failures) {
            (*count)++;
            b->n.flaky++;
            out->should_retry = 1; /* failed in front of the API: nothing recorded */
            return reply_json(out, 500, sf_error_json("api_error", NULL, NULL,
                              "An unknown error occurred", NULL, NULL), 0);
        }
    }
    if (confirming && kind == TOK_SERVER_ERROR) /* began executing: recorded and replayed */
        return reply_json(out, 500, sf_error_json("api_error", NULL, NULL,
                          "An unknown error occurred", NULL, NULL), 1);
    sf_intent *pi = calloc(1, sizeof(*pi));
    sf_intent **list = realloc(b->intents, (b->nintents + 1) * sizeof(*list));
    if (pi == NULL || list == NULL) {
        free(pi);
        return reply_json(out, 500, NULL, 0);
    }
    b->intents = list;
    new_id(b, "pi", pi->id);
    pi->idem_key = idem ? strdup(idem) : NULL;
    memcpy(pi->currency, currency, 4);
    snprintf(pi->capture_method, sizeof(pi->capture_method), "%s", capture ? capture : "automatic");
    snprintf(pi->payment_method, sizeof(pi->payment_method), "%s", pm ? pm : "");
    const char *order = sf_form_get(f, "metadata[order_id]");
    snprintf(pi->order_id, sizeof(pi->order_id), "%s", order ? order : "");
    const char *desc = sf_form_get(f, "description");
    pi->description = desc ? strdup(desc) : NULL;
    pi->amount = amount;
    pi->created = now_s(b);
    int status = 200;
    if (!confirming) {
        snprintf(pi->status, sizeof(pi->status), pm ? "requires_confirmation"
                                                    : "requires_payment_method");
    } else if (pm == NULL) {
        free(pi->idem_key);
        free(pi->description);
        free(pi);
        return invalid(out, 400, "parameter_missing", "payment_method",
                       "You cannot confirm this PaymentIntent because it's missing a payment "
                       "method. To confirm the PaymentIntent with a new payment method, pass "
                       "a `payment_method`.", NULL, 0);
    } else if (kind == TOK_DECLINE) {
        new_id(b, "ch", pi->charge_id);
        pi->lpe = tokens[t].decline;
        snprintf(pi->status, sizeof(pi->status), "requires_payment_method");
        b->n.declines++;
        status = 402;
    } else if (kind == TOK_3DS) {
        pi->three_ds = 1;
        snprintf(pi->status, sizeof(pi->status), "requires_action");
    } else { /* approved by the "network" */
        new_id(b, "ch", pi->charge_id);
        pi->charged = 1;
        if (strcmp(pi->capture_method, "manual") == 0) {
            snprintf(pi->status, sizeof(pi->status), "requires_capture");
            pi->amount_capturable = amount;
        } else {
            snprintf(pi->status, sizeof(pi->status), "succeeded");
            pi->amount_received = amount;
        }
        if (kind == TOK_SLOW)
            out->latency_ms = b->cfg->slow_ms;
    }
    b->intents[b->nintents++] = pi;
    if (kind == TOK_MALFORMED && confirming) {
        /* A body cut in half, as a dropped proxy connection leaves it: nothing recorded. */
        reply_json(out, 200, sf_intent_json(pi), 0);
        out->len /= 2;
        out->body[out->len] = '\0';
        return 0;
    }
    if (status == 402)
        return reply_json(out, 402, sf_error_json("card_error", pi->lpe.code,
                          pi->lpe.decline_code, pi->lpe.message, NULL, pi), 1);
    return reply_json(out, status, sf_intent_json(pi), 1);
}

static int unexpected_state(sf_intent *pi, const char *verb, const char *allowed,
                             sf_reply *out)
{
    char msg[400];
    snprintf(msg, sizeof(msg), "This PaymentIntent could not be %s because it has a status "
             "of %s. Only a PaymentIntent with one of the following statuses may be %s: %s.",
             verb, pi->status, verb, allowed);
    return invalid(out, 400, "payment_intent_unexpected_state", NULL, msg, pi, 1);
}

static int capture_intent(sf_bank *b, sf_intent *pi, const sf_form *f, sf_reply *out)
{
    static const char *const known[] = {"amount_to_capture", "metadata[",
                                        "statement_descriptor_suffix", NULL};
    if (unknown_param(f, known, out))
        return 0;
    int64_t atc = int_param(f, "amount_to_capture");
    if (strcmp(pi->status, "requires_capture") != 0)
        return unexpected_state(pi, "captured", "requires_capture", out);
    if (atc < 0 || atc > pi->amount_capturable)
        return invalid(out, 400, "amount_too_large", "amount_to_capture",
                       "The amount_to_capture must be a positive integer no greater than "
                       "the PaymentIntent's amount_capturable.", NULL, 0);
    pi->amount_received = atc ? atc : pi->amount_capturable;
    pi->amount_capturable = 0;
    snprintf(pi->status, sizeof(pi->status), "succeeded");
    (void)b;
    return reply_json(out, 200, sf_intent_json(pi), 1);
}

static int cancel_intent(sf_bank *b, sf_intent *pi, const sf_form *f, sf_reply *out)
{
    static const char *const known[] = {"cancellation_reason", NULL};
    static const char *const cancellable[] = {"requires_payment_method", "requires_capture",
                                              "requires_confirmation", "requires_action",
                                              "processing", NULL};
    if (unknown_param(f, known, out))
        return 0;
    const char *reason = sf_form_get(f, "cancellation_reason");
    if (reason != NULL && strcmp(reason, "duplicate") != 0 && strcmp(reason, "fraudulent") != 0 &&
        strcmp(reason, "requested_by_customer") != 0 && strcmp(reason, "abandoned") != 0)
        return invalid(out, 400, "parameter_invalid_empty", "cancellation_reason",
                       "Invalid cancellation_reason: must be one of duplicate, fraudulent, "
                       "requested_by_customer, or abandoned", NULL, 0);
    int ok = 0;
    for (const char *const *s = cancellable; *s; s++)
        ok |= strcmp(pi->status, *s) == 0;
    if (!ok)
        return unexpected_state(pi, "canceled", "requires_payment_method, requires_capture, "
                                "requires_confirmation, requires_action, processing", out);
    snprintf(pi->status, sizeof(pi->status), "canceled");
    snprintf(pi->cancellation_reason, sizeof(pi->cancellation_reason), "%s",
             reason ? reason : "");
    pi->amount_capturable = 0;
    pi->canceled_at = now_s(b);
    return reply_json(out, 200, sf_intent_json(pi), 1);
}

static int create_refund(sf_bank *b, const sf_form *f, const char *idem, sf_reply *out)
{
    static const char *const known[] = {"payment_intent", "amount", "reason", "metadata[",
                                        NULL};
    if (unknown_param(f, known, out))
        return 0;
    const char *id = sf_form_get(f, "payment_intent");
    int64_t amount = int_param(f, "amount");
    if (id == NULL)
        return invalid(out, 400, "parameter_missing", "payment_intent",
                       "Missing required param: payment_intent.", NULL, 0);
    sf_intent *pi = find_intent(b, id, strlen(id));
    char msg[300];
    if (pi == NULL) {
        snprintf(msg, sizeof(msg), "No such payment_intent: '%.100s'", id);
        return invalid(out, 400, "resource_missing", "payment_intent", msg, NULL, 1);
    }
    if (amount < 0)
        return invalid(out, 400, "parameter_invalid_integer", "amount",
                       "Invalid integer: amount must be a positive integer", NULL, 0);
    if (strcmp(pi->status, "succeeded") != 0) {
        snprintf(msg, sizeof(msg), "This PaymentIntent (%s) does not have a successful charge "
                 "to refund.", pi->id);
        return invalid(out, 400, "charge_not_refundable", "payment_intent", msg, NULL, 1);
    }
    int64_t left = pi->amount_received - pi->amount_refunded;
    if (left == 0) {
        snprintf(msg, sizeof(msg), "Charge %s has already been refunded.", pi->charge_id);
        return invalid(out, 400, "charge_already_refunded", NULL, msg, NULL, 1);
    }
    if (amount > left) {
        snprintf(msg, sizeof(msg), "Refund amount (%lld) is greater than unrefunded amount on "
                 "charge (%lld)", (long long)amount, (long long)left);
        return invalid(out, 400, "amount_too_large", "amount", msg, NULL, 0);
    }
    sf_refund *re = calloc(1, sizeof(*re));
    sf_refund **list = realloc(b->refunds, (b->nrefunds + 1) * sizeof(*list));
    if (re == NULL || list == NULL) {
        free(re);
        return reply_json(out, 500, NULL, 0);
    }
    b->refunds = list;
    new_id(b, "re", re->id);
    memcpy(re->intent, pi->id, sizeof(re->intent));
    memcpy(re->charge_id, pi->charge_id, sizeof(re->charge_id));
    memcpy(re->currency, pi->currency, sizeof(re->currency));
    const char *order = sf_form_get(f, "metadata[order_id]");
    snprintf(re->order_id, sizeof(re->order_id), "%s", order ? order : "");
    re->idem_key = idem ? strdup(idem) : NULL;
    re->amount = amount ? amount : left;
    re->created = now_s(b);
    pi->amount_refunded += re->amount;
    b->refunds[b->nrefunds++] = re;
    return reply_json(out, 200, sf_refund_json(re), 1);
}

/* ---- the idempotency layer ------------------------------------------------------------ */

static idem_rec *find_rec(sf_bank *b, const char *key)
{
    for (size_t i = 0; i < b->nrecs; i++)
        if (strcmp(b->recs[i].key, key) == 0)
            return &b->recs[i];
    return NULL;
}

static idem_rec *add_rec(sf_bank *b, const char *key, const char *endpoint, const char *params)
{
    idem_rec *recs = realloc(b->recs, (b->nrecs + 1) * sizeof(*recs));
    if (recs == NULL)
        return NULL;
    b->recs = recs;
    idem_rec *r = &b->recs[b->nrecs];
    memset(r, 0, sizeof(*r));
    r->key = strdup(key);
    r->endpoint = strdup(endpoint);
    r->params = strdup(params);
    if (r->key == NULL || r->endpoint == NULL || r->params == NULL) {
        free(r->key);
        free(r->endpoint);
        free(r->params);
        return NULL;
    }
    b->nrecs++;
    return r;
}

/* 1 when the request was answered from (or refused by) the record of its key. */
static int idempotency(sf_bank *b, idem_rec *r, const char *endpoint, const char *params,
                       sf_reply *out)
{
    char msg[600];
    if (r == NULL || !r->saved)
        return 0;
    if (strcmp(r->endpoint, endpoint) != 0) {
        b->n.conflicts++;
        snprintf(msg, sizeof(msg), "Keys for idempotent requests can only be used for the "
                 "same endpoint they were first used for ('%.100s' vs '%.100s'). Try using a "
                 "key other than '%.255s' if you meant to execute a different request.",
                 strchr(r->endpoint, ' ') + 1, strchr(endpoint, ' ') + 1, r->key);
        reply_json(out, 400, sf_error_json("idempotency_error", NULL, NULL, msg, NULL, NULL), 0);
        return 1;
    }
    if (strcmp(r->params, params) != 0) {
        b->n.conflicts++;
        snprintf(msg, sizeof(msg), "Keys for idempotent requests can only be used with the "
                 "same parameters they were first used with. Try using a key other than "
                 "'%.255s' if you meant to execute a different request.", r->key);
        reply_json(out, 400, sf_error_json("idempotency_error", NULL, NULL, msg, NULL, NULL), 0);
        return 1;
    }
    if (mono_ns() < r->done_ns) {
        b->n.in_progress++;
        reply_json(out, 409, sf_error_json("invalid_request_error", "idempotency_key_in_use",
                   NULL, "There is currently another in-progress request using this "
                   "Idempotency-Key. Please try again later.", NULL, NULL), 0);
        return 1;
    }
    b->n.replays++;
    out->status = r->status;
    out->body = malloc(r->len + 1);
    if (out->body == NULL)
        return reply_json(out, 500, NULL, 0), 1;
    memcpy(out->body, r->body, r->len + 1);
    out->len = r->len;
    out->replayed = 1;
    return 1;
}

/* ---- dispatch ------------------------------------------------------------------------- */

/* "/v1/payment_intents/{id}/{action}": id and action split out; 0 when not that shape. */
static int intent_path(const char *path, const char **id, size_t *idlen, const char **action)
{
    static const char prefix[] = "/v1/payment_intents/";
    if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    *id = path + sizeof(prefix) - 1;
    *idlen = strcspn(*id, "/");
    *action = (*id)[*idlen] == '/' ? *id + *idlen + 1 : "";
    return *idlen > 0;
}

static int route(sf_bank *b, const char *method, const char *path, const sf_form *f,
                  const char *idem, sf_reply *out)
{
    const char *id, *action;
    size_t idlen;
    int post = strcmp(method, "POST") == 0;
    if (post && strcmp(path, "/v1/payment_intents") == 0)
        return create_intent(b, f, idem, out);
    if (post && strcmp(path, "/v1/refunds") == 0)
        return create_refund(b, f, idem, out);
    if (intent_path(path, &id, &idlen, &action) &&
        ((post && (strcmp(action, "capture") == 0 || strcmp(action, "cancel") == 0)) ||
         (strcmp(method, "GET") == 0 && action[0] == '\0'))) {
        sf_intent *pi = find_intent(b, id, idlen);
        if (pi == NULL) {
            char msg[200];
            snprintf(msg, sizeof(msg), "No such payment_intent: '%.*s'", (int)(idlen > 100 ? 100 : idlen), id);
            return invalid(out, 404, "resource_missing", "intent", msg, NULL, 1);
        }
        if (!post)
            return reply_json(out, 200, sf_intent_json(pi), 0);
        if (strcmp(action, "capture") == 0)
            return capture_intent(b, pi, f, out);
        return cancel_intent(b, pi, f, out);
    }
    char msg[300];
    snprintf(msg, sizeof(msg), "Unrecognized request URL (%s: %.200s). Please see "
             "https://stripe.com/docs or we can help at https://support.stripe.com/.",
             method, path);
    return invalid(out, 404, NULL, NULL, msg, NULL, 0);
}

void sf_bank_handle(sf_bank *b, const char *method, const char *path, const char *body,
                    const char *idem, sf_reply *out)
{
    sf_form f = {0};
    out->should_retry = -1;
    pthread_mutex_lock(&b->lock);
    b->n.requests++;
    if (sf_form_parse(body, &f) != 0) {
        invalid(out, 400, NULL, NULL, "Invalid request: the body is not valid "
                "application/x-www-form-urlencoded.", NULL, 0);
        goto done;
    }
    int post = strcmp(method, "POST") == 0;
    if (idem != NULL && (idem[0] == '\0' || strlen(idem) > 255)) {
        invalid(out, 400, NULL, NULL, "Invalid Idempotency-Key: keys are 1 to 255 characters.",
                NULL, 0);
        goto done;
    }
    char endpoint[300];
    snprintf(endpoint, sizeof(endpoint), "%s %.280s", method, path);
    char *params = sf_form_canonical(&f);
    if (params == NULL) {
        reply_json(out, 500, NULL, 0);
        goto done;
    }
    idem_rec *r = post && idem ? find_rec(b, idem) : NULL;
    if (!idempotency(b, r, endpoint, params, out)) {
        if (post && idem != NULL && r == NULL)
            r = add_rec(b, idem, endpoint, params); /* also counts pm_fake_flaky failures */
        route(b, method, path, &f, idem, out);
        if (r != NULL && out->save) {
            r->saved = 1;
            r->status = out->status;
            r->body = malloc(out->len + 1);
            if (r->body != NULL) {
                memcpy(r->body, out->body, out->len + 1);
                r->len = out->len;
            } else {
                r->saved = 0;
            }
            int64_t delay = b->cfg->latency_ms + out->latency_ms;
            r->done_ns = mono_ns() + delay * 1000000;
        }
    }
    free(params);
done:
    pthread_mutex_unlock(&b->lock);
    sf_form_free(&f);
}

/* ---- ledger --------------------------------------------------------------------------- */

char *sf_bank_ledger(sf_bank *b)
{
    pthread_mutex_lock(&b->lock);
    json_t *charges = json_array(), *intents = json_array(), *refunds = json_array();
    for (size_t i = 0; i < b->nintents; i++) {
        const sf_intent *pi = b->intents[i];
        json_t *key = pi->idem_key ? json_string(pi->idem_key) : json_null();
        json_array_append_new(intents, json_pack("{s:s, s:O, s:s, s:s, s:I, s:s, s:s}",
                              "id", pi->id, "idempotency_key", key, "order_id", pi->order_id,
                              "payment_method", pi->payment_method, "amount",
                              (json_int_t)pi->amount, "currency", pi->currency, "status",
                              pi->status));
        if (pi->charged)
            json_array_append_new(charges, json_pack(
                "{s:s, s:s, s:O, s:s, s:I, s:s, s:b, s:I, s:I, s:s}", "charge", pi->charge_id,
                "payment_intent", pi->id, "idempotency_key", key, "order_id", pi->order_id,
                "amount", (json_int_t)pi->amount, "currency", pi->currency, "captured",
                pi->amount_received > 0, "amount_captured", (json_int_t)pi->amount_received,
                "amount_refunded", (json_int_t)pi->amount_refunded, "status", pi->status));
        json_decref(key);
    }
    for (size_t i = 0; i < b->nrefunds; i++) {
        const sf_refund *re = b->refunds[i];
        json_array_append_new(refunds, json_pack("{s:s, s:s, s:o, s:I, s:s}", "id", re->id,
                              "payment_intent", re->intent, "idempotency_key",
                              re->idem_key ? json_string(re->idem_key) : json_null(), "amount",
                              (json_int_t)re->amount, "currency", re->currency));
    }
    json_t *doc = json_pack("{s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
                            "charges", charges, "payment_intents", intents, "refunds", refunds,
                            "counters", "requests", (json_int_t)b->n.requests, "replays",
                            (json_int_t)b->n.replays, "idempotency_conflicts",
                            (json_int_t)b->n.conflicts, "in_progress_conflicts",
                            (json_int_t)b->n.in_progress, "declines", (json_int_t)b->n.declines,
                            "flaky_failures", (json_int_t)b->n.flaky, "injected_errors",
                            (json_int_t)b->n.injected, "idempotency_keys",
                            (json_int_t)b->nrecs);
    pthread_mutex_unlock(&b->lock);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    return text;
}

void sf_bank_count_injected(sf_bank *b)
{
    pthread_mutex_lock(&b->lock);
    b->n.injected++;
    pthread_mutex_unlock(&b->lock);
}

/* ---- life ----------------------------------------------------------------------------- */

sf_bank *sf_bank_new(const sf_config *cfg)
{
    sf_bank *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->cfg = cfg;
    pthread_mutex_init(&b->lock, NULL);
    return b;
}

static void clear(sf_bank *b)
{
    for (size_t i = 0; i < b->nintents; i++) {
        free(b->intents[i]->idem_key);
        free(b->intents[i]->description);
        free(b->intents[i]);
    }
    for (size_t i = 0; i < b->nrefunds; i++) {
        free(b->refunds[i]->idem_key);
        free(b->refunds[i]);
    }
    for (size_t i = 0; i < b->nrecs; i++) {
        free(b->recs[i].key);
        free(b->recs[i].endpoint);
        free(b->recs[i].params);
        free(b->recs[i].body);
    }
    free(b->intents);
    free(b->refunds);
    free(b->recs);
    b->intents = NULL;
    b->refunds = NULL;
    b->recs = NULL;
    b->nintents = b->nrefunds = b->nrecs = 0;
    memset(&b->n, 0, sizeof(b->n));
}

void sf_bank_reset(sf_bank *b)
{
    pthread_mutex_lock(&b->lock);
    clear(b);
    pthread_mutex_unlock(&b->lock);
}

void sf_bank_free(sf_bank *b)
{
    if (b == NULL)
        return;
    clear(b);
    pthread_mutex_destroy(&b->lock);
    free(b);
}
