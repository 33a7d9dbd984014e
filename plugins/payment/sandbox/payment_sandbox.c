/*
 * payment_sandbox - a deterministic payment gateway for the demo and the tests.
 *
 * The outcome of each call is decided here, from the settings, so it is reproducible: the
 * request tells the sandbox gateway (contrib/) what to answer, and parse reads the answer
 * like any real gateway's.  Rules (first match wins):
 *   amount > decline_over              -> declined, code card_declined / insufficient_funds
 *   token  == decline_token            -> declined, code card_declined / generic_decline
 *   otherwise                          -> approved
 */
#include "../../common/signed_webhook.h"

#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>

typedef struct sandbox {
    const oh_host_api *host;
    const char *base_url;     /* owned by the host's settings */
    const char *api_key;
    const char *decline_token;
    int64_t decline_over;
    const char *webhook_secret;
    int64_t webhook_tolerance_s;
} sandbox;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "http://127.0.0.1:8781/sandbox/payments",
     "Root URL of the sandbox gateway", OH_SETTING_HTTP_URL, 0, 0},
    {"api_key", OH_SETTING_STRING, NULL, "Bearer key sent to the gateway",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"decline_over", OH_SETTING_INT, "100000",
     "Amounts above this (minor units) are declined with insufficient_funds", 0, 0,
     INT64_MAX},
    {"decline_token", OH_SETTING_STRING, "tok_decline",
     "Payment token that is always declined", 0, 0, 0},
    {"webhook_secret", OH_SETTING_STRING, "",
     "HMAC-SHA256 secret of inbound webhooks (empty: webhooks refused)", OH_SETTING_SENSITIVE,
     0, 0},
    {"webhook_tolerance_s", OH_SETTING_INT, "300",
     "Largest age of a webhook's timestamp, seconds", 0, 1, 86400},
    OH_SETTINGS_END};

static int sandbox_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    sandbox *sb = calloc(1, sizeof(*sb));
    if (sb == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    sb->host = host;
    sb->base_url = host->setting_string(s, "base_url");
    sb->api_key = host->setting_string(s, "api_key");
    sb->decline_token = host->setting_string(s, "decline_token");
    sb->decline_over = host->setting_int(s, "decline_over");
    sb->webhook_secret = host->setting_string(s, "webhook_secret");
    sb->webhook_tolerance_s = host->setting_int(s, "webhook_tolerance_s");
    *state = sb;
    return OH_OK;
}

static void sandbox_destroy(void *state)
{
    free(state);
}

/* The scripted outcome the gateway is asked to return, from the rules above. */
static const char *scripted_outcome(const sandbox *sb, const oh_payment_input *in)
{
    if (in->amount > sb->decline_over)
        return "decline:insufficient_funds";
    if (in->payment_token != NULL && strcmp(in->payment_token, sb->decline_token) == 0)
        return "decline:generic_decline";
    return "approve";
}

static int build(sandbox *sb, const char *op, const oh_payment_input *in, oh_request *req,
                 oh_error *err)
{
    const oh_host_api *h = sb->host;
    char url[1024], auth[512];
    int nu = snprintf(url, sizeof(url), "%s/%s", sb->base_url, op);
    int na = snprintf(auth, sizeof(auth), "Bearer %s", sb->api_key);
    if (nu < 0 || (size_t)nu >= sizeof(url) || na < 0 || (size_t)na >= sizeof(auth))
        return oh_error_set(err, OH_FAIL, "base_url or api_key too long for a %s request", op);
    json_t *body = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:s, s:s}", "operation", op,
                             "order_id", in->order_id ? in->order_id : "", "token",
                             in->payment_token, "transaction_id", in->transaction_id,
                             "amount", (json_int_t)in->amount, "currency", in->currency,
                             "simulate", strcmp(op, "authorize") == 0
                                             ? scripted_outcome(sb, in) : "approve");
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(body);
    int rc = (text != NULL && h->request_set(req, "POST", url) == 0 &&
              h->request_header(req, "Content-Type", "application/json", 0) == 0 &&
              h->request_header(req, "Authorization", auth, OH_HEADER_SENSITIVE) == 0 &&
              (in->idempotency_key == NULL ||
               h->request_header(req, "Idempotency-Key", in->idempotency_key, 0) == 0) &&
              h->request_body(req, text, strlen(text)) == 0)
                 ? OH_OK
                 : oh_error_set(err, OH_FAIL, "cannot build the %s request", op);
    free(text);
    return rc;
}

/* Answer: {"id":"sbx_...","status":"approved|declined","amount":N,"currency":"USD",
 *          "code":"...","decline_code":"...","message":"..."} */
static int parse(sandbox *sb, oh_payment_status ok_status, const oh_response *resp,
                 oh_payment_result *out, oh_error *err)
{
    if (resp->status == 429 || resp->status >= 500) {
        out->status = OH_PAYMENT_ERROR;
        out->retryable = 1;
        return oh_error_set(err, OH_RETRY, "sandbox gateway answered HTTP %d", resp->status);
    }
    json_t *j = sb->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *status = NULL, *id = NULL, *currency = NULL, *code = NULL, *decline = NULL,
               *message = NULL;
    json_int_t amount = 0;
    json_error_t je;
    int rc = OH_OK;
    if (json_unpack_ex(j, &je, 0, "{s:s, s?s, s?I, s?s, s?s, s?s, s?s}", "status", &status,
                       "id", &id, "amount", &amount, "currency", &currency, "code", &code,
                       "decline_code", &decline, "message", &message) != 0) {
        rc = oh_error_set(err, OH_FAIL, "sandbox answer: %s", je.text);
    } else if (resp->status >= 200 && resp->status < 300 && strcmp(status, "approved") == 0) {
        out->status = ok_status;
    } else if (strcmp(status, "declined") == 0) {
        out->status = OH_PAYMENT_DECLINED;
    } else {
        rc = oh_error_set(err, OH_FAIL, "sandbox answer: HTTP %d with status '%.32s'",
                          resp->status, status);
    }
    if (rc == OH_OK) {
        OH_STRLCPY(out->transaction_id, id);
        OH_STRLCPY(out->currency, currency);
        OH_STRLCPY(out->code, code);
        OH_STRLCPY(out->decline_code, decline);
        OH_STRLCPY(out->message, message);
        out->amount = amount;
    }
    json_decref(j);
    return rc;
}

#define OPERATION(op, ok_status)                                                          \
    static int op##_build(void *st, const oh_payment_input *in, oh_request *req,          \
                          oh_error *err)                                                  \
    {                                                                                     \
        return build(st, #op, in, req, err);                                              \
    }                                                                                     \
    static int op##_parse(void *st, const oh_payment_input *in, const oh_response *resp,  \
                          oh_payment_result *out, oh_error *err)                          \
    {                                                                                     \
        return parse(st, ok_status, resp, out, err);                                      \
    }

OPERATION(authorize, OH_PAYMENT_AUTHORIZED)
OPERATION(capture, OH_PAYMENT_CAPTURED)
OPERATION(void, OH_PAYMENT_CANCELED)
OPERATION(refund, OH_PAYMENT_REFUNDED)

/* Webhooks, signed like Stripe's under "Sandbox-Signature" (plugins/common/signed_webhook.h). */
static int webhook_verify(void *state, const oh_inbound *in, int64_t now_unix, oh_error *err)
{
    const sandbox *sb = state;
    return signed_webhook_verify(sb->host, in, "Sandbox-Signature", sb->webhook_secret,
                                 sb->webhook_tolerance_s, now_unix, err);
}

/* {"id":"evt_..","type":"payment.captured","order_id":"..","transaction_id":"..",
 *  "amount":N,"currency":"USD","status":"authorized|captured|declined|canceled|refunded"} */
static int webhook_parse(void *state, const oh_inbound *in, oh_payment_event *out,
                         oh_error *err)
{
    const sandbox *sb = state;
    json_t *j = sb->host->json_parse(in->body, in->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *id = NULL, *type = NULL, *order = "", *tx = "", *currency = "", *status = NULL;
    json_int_t amount = 0;
    json_error_t je;
    int rc = OH_OK;
    static const struct {
        const char *name;
        oh_payment_status status;
    } statuses[] = {{"authorized", OH_PAYMENT_AUTHORIZED}, {"captured", OH_PAYMENT_CAPTURED},
                    {"declined", OH_PAYMENT_DECLINED}, {"canceled", OH_PAYMENT_CANCELED},
                    {"refunded", OH_PAYMENT_REFUNDED}};
    if (json_unpack_ex(j, &je, 0, "{s:s, s:s, s?s, s?s, s?I, s?s, s:s}", "id", &id, "type",
                       &type, "order_id", &order, "transaction_id", &tx, "amount", &amount,
                       "currency", &currency, "status", &status) != 0) {
        rc = oh_error_set(err, OH_FAIL, "webhook body: %s", je.text);
    } else {
        size_t k = 0, n = sizeof(statuses) / sizeof(statuses[0]);
        while (k < n && strcmp(statuses[k].name, status) != 0)
            k++;
        if (k == n) {
            rc = oh_error_set(err, OH_FAIL, "unknown status '%.32s'", status);
        } else {
            OH_STRLCPY(out->event_id, id);
            OH_STRLCPY(out->event_type, type);
            OH_STRLCPY(out->order_id, order);
            out->result.status = statuses[k].status;
            OH_STRLCPY(out->result.transaction_id, tx);
            OH_STRLCPY(out->result.currency, currency);
            out->result.amount = amount;
        }
    }
    json_decref(j);
    return rc;
}

static const oh_payment_ops ops = OH_OPS_INIT(oh_payment_ops,
    .authorize_build = authorize_build, .authorize_parse = authorize_parse,
    .capture_build = capture_build, .capture_parse = capture_parse,
    .void_build = void_build, .void_parse = void_parse,
    .refund_build = refund_build, .refund_parse = refund_parse,
    .webhook_verify = webhook_verify, .webhook_parse = webhook_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "payment_sandbox", .version = "0.1.0", .kind = OH_KIND_PAYMENT,
    .description = "Deterministic sandbox payment gateway for demos and tests",
    .settings = settings, .init = sandbox_init, .destroy = sandbox_destroy, .payment = &ops);

OH_PLUGIN_DEFINE(plugin)
