/*
 * notify_email - each event as an e-mail to the order's buyer or seller, over SMTP.
 *
 * The request is an smtp:// or smtps:// URL with the envelope (request_mail) and the whole
 * RFC 5322 message as body; the host's executor speaks SMTP through libcurl (STARTTLS when
 * the server offers it on smtp://, TLS on smtps://; AUTH from the URL's userinfo, which this
 * plugin builds from the sensitive `username`/`password` settings).  The message is
 * multipart/alternative (text + HTML from the templates; text alone when no HTML template
 * applies), quoted-printable, CRLF line ends, Message-ID derived from the dedupe id so a
 * retried delivery is recognisably the same message.
 */
#include "mail_format.h"
#include "nt_template.h"

#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct notify_email {
    const oh_host_api *host;
    char *url;           /* with the credentials as userinfo: never logged */
    const char *from;    /* owned by the settings */
    const char *from_name;
    const char *to;      /* "buyer", "seller", an address, or "": the core's audience */
    const char *reply_to;
    nt_set *templates;
} notify_email;

static const oh_setting_spec settings[] = {
    {"url", OH_SETTING_STRING, NULL,
     "SMTP server: smtp://host:587 (STARTTLS when offered) or smtps://host:465, no credentials "
     "(see username/password)", OH_SETTING_REQUIRED, 0, 0},
    {"username", OH_SETTING_STRING, "", "SMTP AUTH user name (empty: no AUTH)", 0, 0, 0},
    {"password", OH_SETTING_STRING, "", "SMTP AUTH password", OH_SETTING_SENSITIVE, 0, 0},
    {"from", OH_SETTING_STRING, NULL, "Sender address (envelope and From:)",
     OH_SETTING_REQUIRED, 0, 0},
    {"from_name", OH_SETTING_STRING, "", "Display name of the sender", 0, 0, 0},
    {"reply_to", OH_SETTING_STRING, "", "Reply-To address (empty: none)", 0, 0, 0},
    {"to", OH_SETTING_STRING, "",
     "Audience: buyer or seller (address from the order), or a fixed address; empty: the "
     "audience the route names (buyer, seller or operator)", 0, 0, 0},
    {"template_dir", OH_SETTING_STRING, NT_TEMPLATE_DIR,
     "Directory holding email/<event>.{subject,txt,html}", 0, 0, 0},
    OH_SETTINGS_END};

static const char *const parts[] = {"subject", "txt", "html", NULL};

/* smtp[s]://user:password@host...: each part percent-encoded (curl decodes the userinfo). */
static char *url_with_auth(const oh_host_api *h, const char *url, const char *user,
                           const char *pass)
{
    if (user[0] == '\0')
        return strdup(url);
    const char *rest = strstr(url, "://") + 3;
    size_t cu = strlen(user) * 3 + 1, cp = strlen(pass) * 3 + 1;
    char *eu = malloc(cu), *ep = malloc(cp), *out = NULL;
    if (eu && ep && h->url_encode(user, eu, cu) >= 0 && h->url_encode(pass, ep, cp) >= 0 &&
        asprintf(&out, "%.*s%s%s%s@%s", (int)(rest - url), url, eu, *pass ? ":" : "", ep,
                 rest) < 0)
        out = NULL;
    free(eu);
    free(ep);
    return out;
}

static int check_settings(const notify_email *m, const char *url, oh_error *err)
{
    int smtp = strncasecmp(url, "smtp://", 7) == 0 || strncasecmp(url, "smtps://", 8) == 0;
    const char *host = smtp ? strstr(url, "://") + 3 : NULL;
    if (!smtp || strpbrk(url, " \t\r\n") != NULL)
        return oh_error_set(err, OH_FAIL, "url must be smtp://HOST[:PORT] or smtps://...");
    if (memchr(host, '@', strcspn(host, "/?#")) != NULL)
        return oh_error_set(err, OH_FAIL, "url must not carry credentials: set username and "
                            "password (sensitive) instead");
    if (!mf_addr_ok(m->from))
        return oh_error_set(err, OH_FAIL, "from is not a plain e-mail address");
    if (m->reply_to[0] != '\0' && !mf_addr_ok(m->reply_to))
        return oh_error_set(err, OH_FAIL, "reply_to is not a plain e-mail address");
    if (m->to[0] != '\0' && strcmp(m->to, "buyer") != 0 && strcmp(m->to, "seller") != 0 &&
        !mf_addr_ok(m->to))
        return oh_error_set(err, OH_FAIL, "to must be buyer, seller or an e-mail address");
    return OH_OK;
}

static void email_destroy(void *state)
{
    notify_email *m = state;
    if (m == NULL)
        return;
    nt_set_free(m->templates);
    free(m->url);
    free(m);
}

static int email_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                      void **state, oh_error *err)
{
    notify_email *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    m->host = host;
    m->from = host->setting_string(s, "from");
    m->from_name = host->setting_string(s, "from_name");
    m->reply_to = host->setting_string(s, "reply_to");
    m->to = host->setting_string(s, "to");
    const char *url = host->setting_string(s, "url");
    int rc = check_settings(m, url, err);
    if (rc == OH_OK && (m->url = url_with_auth(host, url, host->setting_string(s, "username"),
                                               host->setting_string(s, "password"))) == NULL)
        rc = oh_error_set(err, OH_FAIL, "out of memory");
    if (rc == OH_OK && nt_set_load(host->setting_string(s, "template_dir"), "email", parts,
                                   "txt", &m->templates, err->message,
                                   sizeof(err->message)) != 0)
        rc = OH_FAIL;
    if (rc == OH_OK && nt_find(m->templates, "default", "subject") == NULL)
        rc = oh_error_set(err, OH_FAIL, "template_dir has no email/default.subject");
    if (rc != OH_OK) {
        email_destroy(m);
        return rc;
    }
    host->log(self, OH_LOG_INFO, "%zu email template(s), to %s", nt_set_count(m->templates),
              m->to[0] ? m->to : "the route's audience");
    *state = m;
    return OH_OK;
}

/* Who this message is for: the `to` setting when given, else the audience the core names
 * (an operator has no address in the order: only a fixed `to` reaches one). */
static const char *audience(const notify_email *m, const oh_notify_input *in)
{
    if (m->to[0] != '\0')
        return m->to;
    return in->role == OH_RECIPIENT_BUYER    ? "buyer"
           : in->role == OH_RECIPIENT_SELLER ? "seller"
                                             : "operator";
}

/* The recipient's address and display name, from the order or the settings. */
static void recipient(const char *to, const json_t *order, const char **addr,
                      const char **name)
{
    const json_t *buyer = json_object_get(order, "buyer");
    const json_t *ship = json_object_get(order, "shipping_address");
    const json_t *seller = json_object_get(order, "seller");
    *addr = *name = NULL;
    if (strcmp(to, "buyer") == 0) {
        *addr = json_string_value(json_object_get(buyer, "email"));
        if (*addr == NULL)
            *addr = json_string_value(json_object_get(ship, "email"));
        *name = json_string_value(json_object_get(buyer, "name"));
        if (*name == NULL)
            *name = json_string_value(json_object_get(ship, "name"));
    } else if (strcmp(to, "seller") == 0) {
        *addr = json_string_value(json_object_get(seller, "email"));
        *name = json_string_value(json_object_get(json_object_get(seller, "address"), "name"));
    } else if (strchr(to, '@') != NULL) {
        *addr = to;
    }
}

/* A stable token from the dedupe id: the Message-ID's left part and the MIME boundary. */
static int stable_token(const notify_email *m, const char *dedupe, char out[33])
{
    static const char key[] = "orderhub notify_email message-id";
    unsigned char mac[32];
    const char *d = dedupe ? dedupe : "";
    if (m->host->hmac_sha256(key, sizeof(key) - 1, d, strlen(d), mac) != 0)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    return 0;
}

/* The first line of the rendered subject, trimmed. */
static char *subject_line(const nt_template *t, const nt_ctx *ctx)
{
    char *s = nt_render(t, ctx, NT_LINE, NULL);
    if (s == NULL)
        return NULL;
    s[strcspn(s, "\r\n")] = '\0';
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static void part(mf_buf *b, const char *boundary, const char *type, const char *text)
{
    if (boundary != NULL)
        mf_printf(b, "--%s\r\n", boundary);
    mf_printf(b, "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: "
              "quoted-printable\r\n\r\n", type);
    mf_qp(b, text, strlen(text));
}

/* Headers and body of the message into b. */
static int compose(const notify_email *m, const nt_ctx *ctx, const char *rcpt_name, mf_buf *b)
{
    const oh_notify_input *in = ctx->in;
    const char *ev = in->event;
    const nt_template *ts = nt_find(m->templates, ev, "subject");
    const nt_template *tt = nt_find(m->templates, ev, "txt");
    const nt_template *th = nt_find(m->templates, ev, "html");
    char *subject = subject_line(ts, ctx);
    char *text = nt_render(tt, ctx, NT_TEXT, NULL);
    char *html = th ? nt_render(th, ctx, NT_HTML, NULL) : NULL;
    char token[33], date[64];
    int rc = subject && text && (th == NULL || html) && stable_token(m, in->dedupe_id, token) == 0
                 ? 0 : -1;
    if (rc == 0) {
        mf_date(m->host->now_ms(), date, sizeof(date));
        mf_printf(b, "Date: %s\r\nFrom: ", date);
        mf_mailbox(b, m->from_name, m->from);
        mf_puts(b, "\r\nTo: ");
        mf_mailbox(b, rcpt_name, ctx->address);
        if (m->reply_to[0] != '\0')
            mf_printf(b, "\r\nReply-To: <%s>", m->reply_to);
        mf_puts(b, "\r\nSubject: ");
        mf_header_text(b, subject);
        mf_printf(b, "\r\nMessage-ID: <%s.orderhub@%s>\r\n", token, strchr(m->from, '@') + 1);
        mf_puts(b, "X-Orderhub-Delivery: ");
        mf_header_text(b, in->dedupe_id ? in->dedupe_id : "");
        mf_puts(b, "\r\nX-Orderhub-Event: ");
        mf_header_text(b, ev ? ev : "");
        mf_puts(b, "\r\nMIME-Version: 1.0\r\n");
        if (html != NULL) {
            /* "=_" never occurs in quoted-printable text: the boundary cannot collide. */
            mf_printf(b, "Content-Type: multipart/alternative;\r\n boundary=\"=_oh_%s\"\r\n\r\n",
                      token);
            char boundary[48];
            snprintf(boundary, sizeof(boundary), "=_oh_%s", token);
            part(b, boundary, "text/plain", text);
            part(b, boundary, "text/html", html);
            mf_printf(b, "--%s--\r\n", boundary);
        } else {
            part(b, NULL, "text/plain", text);
        }
    }
    free(subject);
    free(text);
    free(html);
    return rc == 0 && !b->oom ? 0 : -1;
}

static int render_build(void *state, const oh_notify_input *in, oh_request *req, oh_error *err)
{
    notify_email *m = state;
    const char *addr, *name, *to = audience(m, in);
    recipient(to, in->order, &addr, &name);
    if (addr == NULL || addr[0] == '\0')
        return oh_error_set(err, OH_STOP, "order %s has no %s e-mail address: nothing to send",
                            in->order_id ? in->order_id : "?", to);
    if (!mf_addr_ok(addr))
        return oh_error_set(err, OH_FAIL, "the order's %s e-mail address is not a plain "
                            "address", to);
    nt_ctx ctx = {in, strchr(to, '@') ? "operator" : to, addr};
    mf_buf b = {0};
    if (compose(m, &ctx, name, &b) != 0) {
        mf_free(&b);
        return oh_error_set(err, OH_RETRY, "out of memory rendering %s", in->event);
    }
    char rcpt[300];
    snprintf(rcpt, sizeof(rcpt), "<%s>", addr);
    char from[300];
    snprintf(from, sizeof(from), "<%s>", m->from);
    const char *list[1] = {rcpt};
    const oh_host_api *h = m->host;
    int rc = h->request_set(req, NULL, m->url) != 0 || h->request_mail(req, from, list, 1) != 0 ||
             h->request_body(req, b.data, b.len) != 0;
    mf_free(&b);
    return rc ? oh_error_set(err, OH_FAIL, "cannot build the %s message", in->event) : OH_OK;
}

static const oh_notifier_ops ops = OH_OPS_INIT(oh_notifier_ops, .render_build = render_build);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "notify_email", .version = "1.0.0", .kind = OH_KIND_NOTIFIER,
    .description = "E-mail over SMTP: text + HTML from templates, to the buyer or seller",
    .settings = settings, .init = email_init, .destroy = email_destroy, .notifier = &ops);

OH_PLUGIN_DEFINE(plugin)
