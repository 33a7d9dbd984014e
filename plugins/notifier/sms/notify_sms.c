/*
 * notify_sms - each event as a text message through a Twilio-shaped REST API.
 *
 *   POST <base_url>/2010-04-01/Accounts/<account_sid>/Messages.json
 *   Authorization: Basic base64(account_sid:auth_token)          (flagged sensitive)
 *   Content-Type: application/x-www-form-urlencoded
 *   To=<E.164>&From=<number or sender id>&Body=<rendered sms/<event>.txt>
 *   (MessagingServiceSid=MG... instead of From when messaging_service_sid is set)
 *
 * Twilio answers 201 with the message resource, or an error object {"code", "message",
 * "more_info", "status"}; response_parse maps it (README.md).  Twilio takes no idempotency
 * key on this call: a delivery whose answer was lost is sent again (at least once).
 */
#include "nt_template.h"

#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SMS_MAX_CHARS 1600 /* Twilio's limit on Body, in characters */

typedef struct notify_sms {
    const oh_host_api *host;
    char url[512];
    char basic[512]; /* "Basic <base64>": sensitive */
    const char *from, *service, *to;
    nt_set *templates;
} notify_sms;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://api.twilio.com", "API root (no trailing path)", OH_SETTING_HTTP_URL,
     0, 0},
    {"account_sid", OH_SETTING_STRING, NULL, "Account SID (AC...)", OH_SETTING_REQUIRED, 0, 0},
    {"auth_token", OH_SETTING_STRING, NULL, "Auth token (HTTP basic auth password)",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"from", OH_SETTING_STRING, "", "Sender: E.164 number, short code or alphanumeric id", 0,
     0, 0},
    {"messaging_service_sid", OH_SETTING_STRING, "",
     "Messaging Service SID (MG...) used instead of from", 0, 0, 0},
    {"to", OH_SETTING_STRING, "",
     "Audience: buyer or seller (phone from the order), or a fixed E.164 number; empty: the "
     "audience the route names (buyer, seller or operator)", 0, 0, 0},
    {"template_dir", OH_SETTING_STRING, NT_TEMPLATE_DIR, "Directory holding sms/<event>.txt",
     0, 0, 0},
    OH_SETTINGS_END};

static const char *const parts[] = {"txt", NULL};

static void b64(const unsigned char *in, size_t n, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        *out++ = t[v >> 18];
        *out++ = t[(v >> 12) & 63];
        *out++ = i + 1 < n ? t[(v >> 6) & 63] : '=';
        *out++ = i + 2 < n ? t[v & 63] : '=';
    }
    *out = '\0';
}

/* "+1 (555) 010-4477" -> "+15550104477"; 0 when the result is not E.164. */
static int e164(const char *in, char *out, size_t outlen)
{
    size_t n = 0;
    for (const char *p = in; p && *p && n + 1 < outlen; p++) {
        if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 0))
            out[n++] = *p;
        else if (!strchr(" -().", *p))
            return 0;
    }
    out[n] = '\0';
    return n >= 8 && n <= 16 && out[0] == '+' && out[1] != '0';
}

static int alnum_sid(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, 2) != 0 || strlen(s) != 34)
        return 0;
    for (const char *p = s + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
            return 0;
    return 1;
}

static void sms_destroy(void *state)
{
    notify_sms *m = state;
    if (m != NULL)
        nt_set_free(m->templates);
    free(m);
}

static int sms_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                    void **state, oh_error *err)
{
    notify_sms *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    m->host = host;
    const char *base = host->setting_string(s, "base_url");
    const char *sid = host->setting_string(s, "account_sid");
    const char *token = host->setting_string(s, "auth_token");
    m->from = host->setting_string(s, "from");
    m->service = host->setting_string(s, "messaging_service_sid");
    m->to = host->setting_string(s, "to");
    char number[32];
    int rc = OH_OK;
    if (!alnum_sid(sid, "AC"))
        rc = oh_error_set(err, OH_FAIL, "account_sid must be AC followed by 32 hex digits");
    else if (m->from[0] == '\0' && m->service[0] == '\0')
        rc = oh_error_set(err, OH_FAIL, "set from or messaging_service_sid");
    else if (m->service[0] != '\0' && !alnum_sid(m->service, "MG"))
        rc = oh_error_set(err, OH_FAIL, "messaging_service_sid must be MG + 32 hex digits");
    else if (m->to[0] != '\0' && strcmp(m->to, "buyer") != 0 &&
             strcmp(m->to, "seller") != 0 && !e164(m->to, number, sizeof(number)))
        rc = oh_error_set(err, OH_FAIL, "to must be buyer, seller or an E.164 number");
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    if (rc == OH_OK) {
        snprintf(m->url, sizeof(m->url), "%.*s/2010-04-01/Accounts/%s/Messages.json",
                 (int)base_len, base, sid);
        char pair[300];
        unsigned char raw[300];
        int n = snprintf(pair, sizeof(pair), "%s:%s", sid, token);
        if (n < 0 || (size_t)n >= sizeof(pair) - 1)
            rc = oh_error_set(err, OH_FAIL, "auth_token too long");
        else {
            memcpy(raw, pair, (size_t)n);
            memcpy(m->basic, "Basic ", 6);
            b64(raw, (size_t)n, m->basic + 6);
        }
    }
    if (rc == OH_OK && nt_set_load(host->setting_string(s, "template_dir"), "sms", parts, "txt",
                                   &m->templates, err->message, sizeof(err->message)) != 0)
        rc = OH_FAIL;
    if (rc != OH_OK) {
        sms_destroy(m);
        return rc;
    }
    *state = m;
    return OH_OK;
}

/* Who this message is for: the `to` setting when given, else the audience the core names
 * (an operator has no phone in the order: only a fixed `to` reaches one). */
static const char *audience(const notify_sms *m, const oh_notify_input *in)
{
    if (m->to[0] != '\0')
        return m->to;
    return in->role == OH_RECIPIENT_BUYER    ? "buyer"
           : in->role == OH_RECIPIENT_SELLER ? "seller"
                                             : "operator";
}

/* The recipient's phone number as written in the order (not yet normalised). */
static const char *phone_of(const char *to, const json_t *order)
{
    if (strcmp(to, "buyer") == 0) {
        const char *p = json_string_value(json_object_get(json_object_get(order, "buyer"), "phone"));
        return p ? p : json_string_value(json_object_get(json_object_get(order, "shipping_address"),
                                                         "phone"));
    }
    if (strcmp(to, "seller") == 0)
        return json_string_value(json_object_get(
            json_object_get(json_object_get(order, "seller"), "address"), "phone"));
    return to[0] == '+' ? to : NULL;
}

/* Trim trailing whitespace and keep at most SMS_MAX_CHARS characters (UTF-8). */
static void fit(char *text)
{
    size_t chars = 0, i = 0;
    for (; text[i]; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80 && ++chars > SMS_MAX_CHARS)
            break;
    }
    text[i] = '\0';
    while (i > 0 && strchr(" \t\r\n", text[i - 1]))
        text[--i] = '\0';
}

static int form_add(const oh_host_api *h, char **form, const char *key, const char *value)
{
    size_t cap = strlen(value) * 3 + 1;
    char *enc = malloc(cap), *next = NULL;
    if (enc == NULL || h->url_encode(value, enc, cap) < 0 ||
        asprintf(&next, "%s%s%s=%s", *form ? *form : "", *form ? "&" : "", key, enc) < 0)
        next = NULL;
    free(enc);
    free(*form);
    *form = next;
    return next ? 0 : -1;
}

static int render_build(void *state, const oh_notify_input *in, oh_request *req, oh_error *err)
{
    notify_sms *m = state;
    const char *to = audience(m, in);
    const char *raw = phone_of(to, in->order);
    char number[32];
    if (raw == NULL || raw[0] == '\0')
        return oh_error_set(err, OH_STOP, "order %s has no %s phone number: nothing to send",
                            in->order_id ? in->order_id : "?", to);
    if (!e164(raw, number, sizeof(number)))
        return oh_error_set(err, OH_FAIL, "the order's %s phone number is not in E.164 form "
                            "(+<country code><number>)", to);
    nt_ctx ctx = {in, to[0] == '+' ? "operator" : to, number};
    char *text = nt_render(nt_find(m->templates, in->event, "txt"), &ctx, NT_TEXT, NULL);
    if (text == NULL)
        return oh_error_set(err, OH_RETRY, "out of memory rendering %s", in->event);
    fit(text);
    const oh_host_api *h = m->host;
    char *form = NULL;
    int rc = form_add(h, &form, "To", number) ||
             (m->service[0] ? form_add(h, &form, "MessagingServiceSid", m->service)
                            : form_add(h, &form, "From", m->from)) ||
             form_add(h, &form, "Body", text) || h->request_set(req, "POST", m->url) != 0 ||
             h->request_header(req, "Authorization", m->basic, OH_HEADER_SENSITIVE) != 0 ||
             h->request_header(req, "Content-Type", "application/x-www-form-urlencoded", 0) != 0 ||
             h->request_header(req, "Accept", "application/json", 0) != 0 ||
             h->request_body(req, form, strlen(form)) != 0;
    free(text);
    free(form);
    return rc ? oh_error_set(err, OH_FAIL, "cannot build the %s text message", in->event) : OH_OK;
}

/* Twilio's error: {"code", "message", "status"}, or {"errors": [{"code", "message"}]}. */
static void twilio_error(const oh_host_api *h, const oh_response *resp, long long *code,
                         char *msg, size_t len)
{
    *code = 0;
    msg[0] = '\0';
    oh_error perr = {{0}};
    json_t *j = h->json_parse(resp->body, resp->body_len, &perr);
    const json_t *e = json_object_get(j, "errors") ? json_array_get(json_object_get(j, "errors"), 0)
                                                   : j;
    if (json_is_integer(json_object_get(e, "code")))
        *code = json_integer_value(json_object_get(e, "code"));
    const char *m = json_string_value(json_object_get(e, "message"));
    snprintf(msg, len, "%.200s", m ? m : "no error message");
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    json_decref(j);
}

static int response_parse(void *state, const oh_notify_input *in, const oh_response *resp,
                          oh_error *err)
{
    notify_sms *m = state;
    int st = resp->status;
    if (st >= 200 && st < 300)
        return OH_OK;
    long long code;
    char msg[256];
    twilio_error(m->host, resp, &code, msg, sizeof(msg));
    if (st == 401 || st == 403)
        return oh_error_set(err, OH_FAIL, "Twilio refused account_sid/auth_token (HTTP %d, "
                            "code %lld)", st, code);
    int retry = st == 408 || st == 429 || st >= 500 || code == 20429;
    return oh_error_set(err, retry ? OH_RETRY : OH_FAIL, "Twilio error %lld: %s (HTTP %d)", code,
                        msg, st);
}

static const oh_notifier_ops ops = OH_OPS_INIT(oh_notifier_ops, .render_build = render_build,
                                               .response_parse = response_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "notify_sms", .version = "1.0.0", .kind = OH_KIND_NOTIFIER,
    .description = "Text messages through a Twilio-shaped REST API",
    .settings = settings, .init = sms_init, .destroy = sms_destroy, .notifier = &ops);

OH_PLUGIN_DEFINE(plugin)
