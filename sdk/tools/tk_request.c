#include "config.h"

#include "tk_request.h"

#include "host/host.h"
#include "settings/settings.h"

#include <stdlib.h>
#include <string.h>

/* Replace every occurrence of `secret` in *text (a malloc'd string) with "***". */
static void replace_all(char **text, const char *secret)
{
    size_t slen = strlen(secret);
    if (slen == 0 || *text == NULL)
        return;
    size_t count = 0;
    for (const char *p = strstr(*text, secret); p; p = strstr(p + slen, secret))
        count++;
    if (count == 0)
        return;
    size_t len = strlen(*text);
    char *out = malloc(len - count * slen + count * 3 + 1);
    if (out == NULL)
        return;
    char *w = out;
    const char *r = *text;
    for (const char *p = strstr(r, secret); p; p = strstr(r, secret)) {
        memcpy(w, r, (size_t)(p - r));
        w += p - r;
        memcpy(w, "***", 3);
        w += 3;
        r = p + slen;
    }
    strcpy(w, r);
    free(*text);
    *text = out;
}

/* `in` with XML's five special characters escaped (malloc'd), as a plugin puts it in XML. */
static char *xml_escaped(const char *in)
{
    char *out = malloc(strlen(in) * 6 + 1), *w = out;
    for (; out != NULL && *in; in++) {
        const char *e = *in == '&' ? "&amp;" : *in == '<' ? "&lt;" : *in == '>' ? "&gt;"
                        : *in == '"' ? "&quot;" : *in == '\'' ? "&apos;" : NULL;
        if (e != NULL) {
            strcpy(w, e);
            w += strlen(e);
        } else {
            *w++ = *in;
        }
    }
    if (out != NULL)
        *w = '\0';
    return out;
}

/* Every form a secret takes on the wire: raw, percent-encoded, XML-escaped, and both. */
static void redact_forms(char **text, const char *secret)
{
    char *xml = xml_escaped(secret);
    const char *forms[2] = {secret, xml};
    for (size_t f = 0; f < 2 && forms[f] != NULL; f++) {
        replace_all(text, forms[f]);
        size_t cap = strlen(forms[f]) * 3 + 1;
        char *enc = malloc(cap);
        if (enc != NULL && host_url_encode(forms[f], enc, cap) >= 0)
            replace_all(text, enc);
        free(enc);
    }
    free(xml);
}

static void redact_secrets(char **text, const tk_instance *t)
{
    const oh_settings *s = t->inst.settings;
    for (size_t i = 0; s != NULL && i < s->count; i++) {
        const set_value *v = &s->values[i];
        if ((v->spec->flags & OH_SETTING_SENSITIVE) && v->spec->type == OH_SETTING_STRING &&
            v->str[0] != '\0')
            redact_forms(text, v->str);
    }
}

/* Userinfo of a URL ("https://user:pass@host/") is a secret wherever it appears. */
static void redact_userinfo(char *url)
{
    char *sep = strstr(url, "://");
    char *auth = sep ? sep + 3 : url;
    size_t n = strcspn(auth, "/?#");
    char *at = NULL;
    for (char *p = auth; p < auth + n; p++)
        if (*p == '@')
            at = p;
    if (at != NULL && at - auth >= 3) {
        memcpy(auth, "***", 3);
        memmove(auth + 3, at, strlen(at) + 1);
    }
}

static json_t *redacted_string(const char *text, size_t len, const tk_instance *t)
{
    char *copy = strndup(text, len);
    if (copy == NULL)
        return NULL;
    redact_secrets(&copy, t);
    json_t *j = json_string(copy);
    if (j == NULL) /* not UTF-8: say what it is rather than print bytes */
        j = json_sprintf("(binary, %zu bytes)", len);
    free(copy);
    return j;
}

json_t *tk_request_json(const oh_request *req, const tk_instance *t)
{
    json_t *j = json_object();
    if (req->method != NULL)
        json_object_set_new(j, "method", json_string(req->method));
    char *url = strdup(req->url ? req->url : "");
    if (url != NULL) {
        redact_userinfo(url);
        json_object_set_new(j, "url", redacted_string(url, strlen(url), t));
        free(url);
    }
    json_t *headers = json_array();
    for (size_t i = 0; i < req->header_count; i++) {
        const oh_header *h = &req->headers[i];
        json_t *value = (h->flags & OH_HEADER_SENSITIVE)
                            ? json_string("***")
                            : redacted_string(h->value, strlen(h->value), t);
        json_array_append_new(headers, json_pack("{s:s, s:o}", "name", h->name, "value", value));
    }
    json_object_set_new(j, "headers", headers);
    if (req->mail_from != NULL) {
        json_t *rcpt = json_array();
        for (size_t i = 0; i < req->mail_rcpt_count; i++)
            json_array_append_new(rcpt, json_string(req->mail_rcpt[i]));
        json_object_set_new(j, "mail_from", json_string(req->mail_from));
        json_object_set_new(j, "mail_rcpt", rcpt);
    }
    if (req->body != NULL)
        json_object_set_new(j, "body", redacted_string(req->body, req->body_len, t));
    if (req->timeout_ms > 0)
        json_object_set_new(j, "timeout_ms", json_integer(req->timeout_ms));
    return j;
}

int tk_auth_request(const tk_instance *t, json_t *out)
{
    const oh_plugin *d = &t->inst.module->desc;
    if (d->auth_build == NULL)
        return 0;
    oh_request *req = host_request_new();
    oh_error err = {{0}};
    if (req == NULL) {
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        return 1;
    }
    int rc = d->auth_build(t->inst.state, req, &err);
    if (rc != OH_OK)
        fprintf(stderr, "orderhub-plugin: %s: auth_build refused: %s\n", d->name, err.message);
    else
        json_object_set_new(out, "auth_request", tk_request_json(req, t));
    host_request_free(req);
    return rc == OH_OK ? 0 : 1;
}

int tk_print_request(const tk_instance *t, const char *token, const char *what,
                     tk_build_fn build, void *arg)
{
    const ldr_module *m = t->inst.module;
    json_t *out = json_object();
    int rc = out ? tk_auth_request(t, out) : 1;
    oh_request *req = rc == 0 ? host_request_new() : NULL;
    oh_error err = {{0}};
    if (rc == 0 && req == NULL) {
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        rc = 1;
    }
    if (req != NULL) {
        req->auth_token = m->desc.auth_build ? token : NULL;
        if (build(t, req, &err, arg) != OH_OK) {
            fprintf(stderr, "orderhub-plugin: %s: %s refused: %s\n", m->desc.name, what,
                    err.message);
            rc = 1;
        } else {
            json_object_set_new(out, "request", tk_request_json(req, t));
        }
        req->auth_token = NULL;
        host_request_free(req);
    }
    if (rc != 0) {
        json_decref(out);
        return 1;
    }
    return tk_print_json(out);
}
