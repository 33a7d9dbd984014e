/*
 * payment_stripe - Stripe PaymentIntents: authorize (create + confirm with manual capture),
 * capture, void (cancel), refund, and signed webhooks (Stripe-Signature).
 *
 * This file holds the descriptor, the settings schema and init; the requests are built in
 * stripe_build.c, answers read in stripe_parse.c, webhooks in stripe_webhook.c.  See
 * README.md for the wire format and the status / error tables.
 */
#include "stripe.h"

#include <stdlib.h>
#include <string.h>

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://api.stripe.com",
     "Root URL of the Stripe API (a local fake in tests)",
     OH_SETTING_HTTP_URL, 0, 0},
    {"secret_key", OH_SETTING_STRING, NULL, "Secret API key (sk_live_... / sk_test_...)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"api_version", OH_SETTING_STRING, "",
     "Stripe-Version header pinning the API version (empty: the account's default)", 0, 0, 0},
    {"webhook_secret", OH_SETTING_STRING, "",
     "Signing secret of the webhook endpoint (whsec_...); empty refuses every webhook",
     OH_SETTING_SENSITIVE, 0, 0},
    {"webhook_tolerance_s", OH_SETTING_INT, "300",
     "Largest distance between a webhook's signed timestamp and the clock, seconds", 0, 1,
     86400},
    OH_SETTINGS_END};

/* A header value may carry no line break: it would split the request. */
static int header_safe(const char *v)
{
    return strpbrk(v, "\r\n") == NULL;
}

static int stripe_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                       void **state, oh_error *err)
{
    stripe *sp = calloc(1, sizeof(*sp));
    if (sp == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    sp->host = host;
    sp->self = self;
    sp->base_url = host->setting_string(s, "base_url");
    sp->secret_key = host->setting_string(s, "secret_key");
    sp->api_version = host->setting_string(s, "api_version");
    sp->webhook_secret = host->setting_string(s, "webhook_secret");
    sp->webhook_tolerance_s = host->setting_int(s, "webhook_tolerance_s");
    int rc = OH_OK;
    int n = snprintf(sp->auth, sizeof(sp->auth), "Bearer %s", sp->secret_key);
    if (sp->secret_key[0] == '\0')
        rc = oh_error_set(err, OH_FAIL, "secret_key is empty");
    else if (n < 0 || (size_t)n >= sizeof(sp->auth) || !header_safe(sp->secret_key))
        rc = oh_error_set(err, OH_FAIL, "secret_key is too long or holds a line break");
    else if (!header_safe(sp->api_version))
        rc = oh_error_set(err, OH_FAIL, "api_version holds a line break");
    else if (strlen(sp->base_url) > 512)
        rc = oh_error_set(err, OH_FAIL, "base_url is longer than 512 characters");
    if (rc != OH_OK) {
        free(sp);
        return rc;
    }
    *state = sp;
    return OH_OK;
}

static void stripe_destroy(void *state)
{
    stripe *sp = state;
    if (sp != NULL) /* the key's copy in the Authorization value */
        memset(sp->auth, 0, sizeof(sp->auth));
    free(sp);
}

static const oh_payment_ops ops = OH_OPS_INIT(oh_payment_ops,
    .authorize_build = stripe_authorize_build, .authorize_parse = stripe_authorize_parse,
    .capture_build = stripe_capture_build, .capture_parse = stripe_capture_parse,
    .void_build = stripe_void_build, .void_parse = stripe_void_parse,
    .refund_build = stripe_refund_build, .refund_parse = stripe_refund_parse,
    .webhook_verify = stripe_webhook_verify, .webhook_parse = stripe_webhook_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "payment_stripe", .version = "1.0.0", .kind = OH_KIND_PAYMENT,
    .description = "Stripe PaymentIntents (manual capture) with signed webhooks",
    .settings = settings, .init = stripe_init, .destroy = stripe_destroy, .payment = &ops);

OH_PLUGIN_DEFINE(plugin)
