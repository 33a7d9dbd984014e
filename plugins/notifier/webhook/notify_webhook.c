/*
 * notify_webhook - each event as a signed JSON POST to the seller's (or a default) URL.
 *
 *   POST url
 *   Content-Type: application/json
 *   Orderhub-Delivery: <dedupe id>          same on every retry: receivers dedupe on it
 *   Orderhub-Event: <event name>
 *   Orderhub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 *   {"id": dedupe id, "event": name, "occurred_at": ISO 8601 UTC, "order": snapshot without
 *    the payment token and engine bookkeeping, "data": the event's data}
 *
 * Per-seller endpoints come from `sellers_file`, read once at init (README.md).
 */
#include "wh_sellers.h"

#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct notify_webhook {
    const oh_host_api *host;
    const char *url;     /* owned by the settings */
    const char *secret;  /* owned by the settings */
    wh_sellers *sellers; /* NULL without sellers_file */
} notify_webhook;

static const oh_setting_spec settings[] = {
    {"url", OH_SETTING_STRING, NULL,
     "Receiver URL (http:// or https://) for orders of sellers not in sellers_file",
     OH_SETTING_REQUIRED, 0, 0},
    {"secret", OH_SETTING_STRING, NULL,
     "HMAC-SHA256 key signing each delivery (Orderhub-Signature)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"sellers_file", OH_SETTING_STRING, "",
     "JSON file {\"seller-id\": {\"url\": ..., \"secret\": ...}} of per-seller endpoints, read "
     "at init", 0, 0, 0},
    OH_SETTINGS_END};

static int webhook_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    notify_webhook *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    w->host = host;
    w->url = host->setting_string(s, "url");
    w->secret = host->setting_string(s, "secret");
    const char *file = host->setting_string(s, "sellers_file");
    int rc = OH_OK;
    if (!wh_url_ok(w->url))
        rc = oh_error_set(err, OH_FAIL, "url must start with http:// or https://");
    else if (w->secret[0] == '\0')
        rc = oh_error_set(err, OH_FAIL, "secret must not be empty");
    else if (file != NULL && file[0] != '\0' &&
             wh_sellers_load(host, file, &w->sellers, err->message, sizeof(err->message)) != 0)
        rc = OH_FAIL;
    if (rc != OH_OK) {
        free(w);
        return rc;
    }
    if (w->sellers != NULL)
        host->log(self, OH_LOG_INFO, "%zu per-seller endpoint(s) from %s",
                  wh_sellers_count(w->sellers), file);
    *state = w;
    return OH_OK;
}

static void webhook_destroy(void *state)
{
    notify_webhook *w = state;
    if (w != NULL)
        wh_sellers_free(w->sellers);
    free(w);
}

/* Unix milliseconds as "2026-03-02T14:05:00.250Z". */
static void iso_ms(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, len, "%s", "");
        return;
    }
    char base[32];
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%03dZ", base, (int)(ms % 1000));
}

/* The snapshot as receivers may see it: no card token, no engine bookkeeping. */
static json_t *public_order(const json_t *order)
{
    json_t *copy = json_is_object(order) ? json_deep_copy(order) : json_object();
    if (copy == NULL)
        return NULL;
    json_object_del(copy, "_engine");
    json_object_del(json_object_get(copy, "payment"), "token");
    return copy;
}

static char *body_json(const oh_notify_input *in)
{
    char when[40];
    iso_ms(in->occurred_at_ms, when, sizeof(when));
    json_t *data = in->data ? json_deep_copy(in->data) : json_object();
    json_t *body = json_pack("{s:s, s:s, s:s, s:o*, s:o*}", "id", in->dedupe_id ? in->dedupe_id : "",
                             "event", in->event ? in->event : "", "occurred_at", when, "order",
                             public_order(in->order), "data", data);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    return text;
}

static int signature(const notify_webhook *w, const char *secret, const char *body,
                     char *out, size_t outlen)
{
    long long t = (long long)(w->host->now_ms() / 1000);
    char *signed_text = NULL;
    if (asprintf(&signed_text, "%lld.%s", t, body) < 0)
        return -1;
    unsigned char mac[32];
    int rc = w->host->hmac_sha256(secret, strlen(secret), signed_text, strlen(signed_text), mac);
    free(signed_text);
    if (rc != 0)
        return -1;
    int n = snprintf(out, outlen, "t=%lld,v1=", t);
    for (size_t i = 0; i < 32 && n > 0 && (size_t)n + 2 < outlen; i++)
        n += snprintf(out + n, outlen - (size_t)n, "%02x", mac[i]);
    return 0;
}

static int render_build(void *state, const oh_notify_input *in, oh_request *req, oh_error *err)
{
    notify_webhook *w = state;
    const char *url = w->url, *secret = w->secret;
    const char *seller = json_string_value(json_object_get(json_object_get(in->order, "seller"),
                                                           "id"));
    wh_sellers_lookup(w->sellers, seller, &url, &secret);
    char *body = body_json(in);
    if (body == NULL)
        return oh_error_set(err, OH_RETRY, "out of memory rendering %s", in->event);
    char sig[128];
    const oh_host_api *h = w->host;
    int rc = signature(w, secret, body, sig, sizeof(sig)) != 0 ||
             h->request_set(req, "POST", url) != 0 ||
             h->request_header(req, "Content-Type", "application/json", 0) != 0 ||
             h->request_header(req, "User-Agent", "orderhub-notify-webhook/1", 0) != 0 ||
             h->request_header(req, "Orderhub-Delivery", in->dedupe_id ? in->dedupe_id : "", 0) != 0 ||
             h->request_header(req, "Orderhub-Event", in->event ? in->event : "", 0) != 0 ||
             h->request_header(req, "Orderhub-Signature", sig, 0) != 0 ||
             h->request_body(req, body, strlen(body)) != 0;
    free(body);
    return rc ? oh_error_set(err, OH_FAIL, "cannot build the %s delivery", in->event) : OH_OK;
}

static const oh_notifier_ops ops = OH_OPS_INIT(oh_notifier_ops, .render_build = render_build);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "notify_webhook", .version = "1.0.0", .kind = OH_KIND_NOTIFIER,
    .description = "Signed JSON webhooks (HMAC-SHA256), per-seller endpoints",
    .settings = settings, .init = webhook_init, .destroy = webhook_destroy, .notifier = &ops);

OH_PLUGIN_DEFINE(plugin)
