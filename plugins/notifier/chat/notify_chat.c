/*
 * notify_chat - each event as a message to a Slack-style incoming webhook.
 *
 *   POST <webhook_url>                        the URL is the credential: a sensitive setting
 *   Content-Type: application/json
 *   {"text": "<rendered chat/<event>.txt>"}   (+ "username" / "icon_emoji" when set)
 *
 * Values from the order are escaped as Slack asks (& < > as &amp; &lt; &gt;), so order data
 * cannot forge links or mentions; the template's own text may use Slack's <url|label> markup.
 * Slack answers 200 "ok", or a status with a one-word reason (README.md); response_parse
 * retries 429 and 5xx and fails the rest with that reason.
 */
#include "nt_template.h"

#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct notify_chat {
    const oh_host_api *host;
    const char *url, *username, *icon; /* owned by the settings */
    const char *audience; /* "" : the one the core names */
    nt_set *templates;
} notify_chat;

static const oh_setting_spec settings[] = {
    {"webhook_url", OH_SETTING_STRING, NULL, "Incoming webhook URL (https://hooks...): secret",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"username", OH_SETTING_STRING, "", "Name the message is posted as (if the service allows)",
     0, 0, 0},
    {"icon_emoji", OH_SETTING_STRING, "", "Emoji of the poster, e.g. :package:", 0, 0, 0},
    {"audience", OH_SETTING_STRING, "",
     "Who reads the channel ({{recipient.role}}): seller, buyer or operator; empty: the "
     "audience the route names", 0, 0, 0},
    {"template_dir", OH_SETTING_STRING, NT_TEMPLATE_DIR, "Directory holding chat/<event>.txt",
     0, 0, 0},
    OH_SETTINGS_END};

static const char *const parts[] = {"txt", NULL};

static void chat_destroy(void *state)
{
    notify_chat *c = state;
    if (c != NULL)
        nt_set_free(c->templates);
    free(c);
}

static int chat_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                     void **state, oh_error *err)
{
    notify_chat *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    c->host = host;
    c->url = host->setting_string(s, "webhook_url");
    c->username = host->setting_string(s, "username");
    c->icon = host->setting_string(s, "icon_emoji");
    c->audience = host->setting_string(s, "audience");
    int rc = OH_OK;
    /* Never echo the URL: it is the secret. */
    if ((strncasecmp(c->url, "https://", 8) != 0 && strncasecmp(c->url, "http://", 7) != 0) ||
        strpbrk(c->url, " \t\r\n") != NULL)
        rc = oh_error_set(err, OH_FAIL, "webhook_url must be an https:// (or http://) URL");
    else if (c->audience[0] != '\0' && strcmp(c->audience, "seller") &&
             strcmp(c->audience, "buyer") && strcmp(c->audience, "operator"))
        rc = oh_error_set(err, OH_FAIL, "audience must be seller, buyer or operator");
    else if (nt_set_load(host->setting_string(s, "template_dir"), "chat", parts, "txt",
                         &c->templates, err->message, sizeof(err->message)) != 0)
        rc = OH_FAIL;
    if (rc != OH_OK) {
        chat_destroy(c);
        return rc;
    }
    *state = c;
    return OH_OK;
}

static int render_build(void *state, const oh_notify_input *in, oh_request *req, oh_error *err)
{
    notify_chat *c = state;
    const char *role = in->role == OH_RECIPIENT_BUYER    ? "buyer"
                       : in->role == OH_RECIPIENT_SELLER ? "seller"
                                                         : "operator";
    nt_ctx ctx = {in, c->audience[0] ? c->audience : role, ""};
    char *text = nt_render(nt_find(c->templates, in->event, "txt"), &ctx, NT_SLACK, NULL);
    size_t n = text ? strlen(text) : 0;
    while (n > 0 && strchr(" \t\r\n", text[n - 1]))
        text[--n] = '\0';
    json_t *body = text ? json_pack("{s:s}", "text", text) : NULL;
    if (body != NULL && c->username[0])
        json_object_set_new(body, "username", json_string(c->username));
    if (body != NULL && c->icon[0])
        json_object_set_new(body, "icon_emoji", json_string(c->icon));
    char *dump = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    free(text);
    if (dump == NULL) /* out of memory, or a template rendering to invalid UTF-8 */
        return oh_error_set(err, OH_FAIL, "cannot render %s as JSON text", in->event);
    const oh_host_api *h = c->host;
    int rc = h->request_set(req, "POST", c->url) != 0 ||
             h->request_header(req, "Content-Type", "application/json", 0) != 0 ||
             h->request_body(req, dump, strlen(dump)) != 0;
    free(dump);
    return rc ? oh_error_set(err, OH_FAIL, "cannot build the %s message", in->event) : OH_OK;
}

/* Slack's reasons are one word ("invalid_payload", "channel_is_archived"): keep it short
 * and printable, never the URL. */
static int response_parse(void *state, const oh_notify_input *in, const oh_response *resp,
                          oh_error *err)
{
    int st = resp->status;
    if (st >= 200 && st < 300)
        return OH_OK;
    char reason[64];
    size_t n = 0;
    for (size_t i = 0; i < resp->body_len && n + 1 < sizeof(reason); i++) {
        char ch = resp->body[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '_' || ch == ' ')
            reason[n++] = ch;
    }
    reason[n] = '\0';
    int retry = st == 408 || st == 429 || st >= 500;
    return oh_error_set(err, retry ? OH_RETRY : OH_FAIL, "chat webhook answered HTTP %d%s%s", st,
                        n ? ": " : "", reason);
}

static const oh_notifier_ops ops = OH_OPS_INIT(oh_notifier_ops, .render_build = render_build,
                                               .response_parse = response_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "notify_chat", .version = "1.0.0", .kind = OH_KIND_NOTIFIER,
    .description = "Chat messages through a Slack-style incoming webhook",
    .settings = settings, .init = chat_init, .destroy = chat_destroy, .notifier = &ops);

OH_PLUGIN_DEFINE(plugin)
