/*
 * payment_authorizenet - Authorize.Net's XML API (createTransactionRequest) as an orderhub
 * payment plugin: authorize = authOnlyTransaction with an Accept.js token (opaqueData),
 * capture = priorAuthCaptureTransaction, void = voidTransaction, refund =
 * refundTransaction.  This file: settings, init, the operations table.  The request is
 * built in anet_build.c, the answer read in anet_parse.c; README.md has the mapping table.
 */
#include "anet.h"

#include <stdlib.h>
#include <string.h>

/* Currencies Authorize.Net accounts settle in; all have two decimals, which the amount
 * conversion (minor units -> "12.34") relies on. */
static const char *const currencies[] = {"USD", "CAD", "GBP", "EUR", "AUD", "NZD",
                                         "CHF", "DKK", "NOK", "PLN", "SEK"};

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://apitest.authorize.net/xml/v1/request.api",
     "API endpoint: the sandbox by default; production is "
     "https://api.authorize.net/xml/v1/request.api", OH_SETTING_HTTP_URL, 0, 0},
    {"api_login_id", OH_SETTING_STRING, NULL, "API Login ID (merchantAuthentication/name)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"transaction_key", OH_SETTING_STRING, NULL,
     "Transaction Key (merchantAuthentication/transactionKey)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"currency", OH_SETTING_STRING, "USD",
     "Currency of the merchant account; orders in another currency are refused", 0, 0, 0},
    {"duplicate_window_s", OH_SETTING_INT, "28800",
     "Seconds the gateway treats an identical transaction as a duplicate of the first "
     "(sent as duplicateWindow; 28800 = 8 h, the API's maximum)", 0, 0, 28800},
    OH_SETTINGS_END};

static int anet_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                     void **state, oh_error *err)
{
    anet *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    a->host = host;
    a->self = self;
    a->base_url = host->setting_string(s, "base_url");
    a->login = host->setting_string(s, "api_login_id");
    a->key = host->setting_string(s, "transaction_key");
    a->currency = host->setting_string(s, "currency");
    a->duplicate_window_s = host->setting_int(s, "duplicate_window_s");
    int known = 0;
    for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
        known |= strcmp(currencies[i], a->currency) == 0;
    const char *why = a->login[0] == '\0' || strlen(a->login) > ANET_LOGIN_MAX
                          ? "api_login_id must have 1 to 25 characters"
                      : a->key[0] == '\0' || strlen(a->key) > ANET_KEY_MAX
                          ? "transaction_key must have 1 to 16 characters"
                      : !known ? "currency must be one of USD CAD GBP EUR AUD NZD CHF DKK NOK "
                                 "PLN SEK"
                               : NULL;
    if (why != NULL) {
        free(a);
        return oh_error_set(err, OH_FAIL, "%s", why);
    }
    *state = a;
    return OH_OK;
}

static void anet_destroy(void *state)
{
    free(state);
}

#define OPERATION(name, op)                                                               \
    static int name##_build(void *st, const oh_payment_input *in, oh_request *req,        \
                            oh_error *err)                                                \
    {                                                                                     \
        return anet_build(st, op, in, req, err);                                          \
    }                                                                                     \
    static int name##_parse(void *st, const oh_payment_input *in,                         \
                            const oh_response *resp, oh_payment_result *out,              \
                            oh_error *err)                                                \
    {                                                                                     \
        return anet_parse(st, op, in, resp, out, err);                                    \
    }

OPERATION(authorize, ANET_AUTHORIZE)
OPERATION(capture, ANET_CAPTURE)
OPERATION(void, ANET_VOID)
OPERATION(refund, ANET_REFUND)

static const oh_payment_ops ops = OH_OPS_INIT(
    oh_payment_ops, .authorize_build = authorize_build, .authorize_parse = authorize_parse,
    .capture_build = capture_build, .capture_parse = capture_parse, .void_build = void_build,
    .void_parse = void_parse, .refund_build = refund_build, .refund_parse = refund_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "payment_authorizenet", .version = "1.0.0", .kind = OH_KIND_PAYMENT,
    .description = "Authorize.Net XML API: Accept.js tokens, auth-only, capture, void, refund",
    .settings = settings, .init = anet_init, .destroy = anet_destroy, .payment = &ops);

OH_PLUGIN_DEFINE(plugin)
