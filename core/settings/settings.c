#include "config.h"

#include "settings.h"

#include "log/log.h"
#include "util/file_read.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDACTED "***"

const char *set_type_name(oh_setting_type t)
{
    switch (t) {
    case OH_SETTING_STRING: return "string";
    case OH_SETTING_INT: return "int";
    case OH_SETTING_BOOL: return "bool";
    case OH_SETTING_DOUBLE: return "double";
    }
    return "unknown";
}

static int range_applies(const oh_setting_spec *spec)
{
    return spec->type == OH_SETTING_INT && spec->min < spec->max;
}

/* Parse `text` as the spec's type into v.  0, or -1 with `why` set (never quoting text). */
/* "" (unset) or http[s]://HOST... with no blank or control character anywhere. */
static int http_url_ok(const char *text)
{
    if (text[0] == '\0')
        return 1;
    size_t scheme = strncmp(text, "https://", 8) == 0 ? 8 : strncmp(text, "http://", 7) == 0 ? 7
                                                                                          : 0;
    if (scheme == 0 || text[scheme] == '\0' || text[scheme] == '/')
        return 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    }
    return 1;
}

static int parse_text(const oh_setting_spec *spec, const char *text, set_value *v, char *why,
                      size_t whylen)
{
    char *end = NULL;
    errno = 0;
    switch (spec->type) {
    case OH_SETTING_STRING:
        /* Empty means "unset": only for an optional URL without a default. */
        if ((spec->flags & OH_SETTING_HTTP_URL) &&
            (!http_url_ok(text) ||
             (text[0] == '\0' && ((spec->flags & OH_SETTING_REQUIRED) ||
                                   (spec->default_value && spec->default_value[0]))))) {
            snprintf(why, whylen, "must be an http:// or https:// URL with a host, without "
                                  "blanks");
            return -1;
        }
        v->str = strdup(text);
        if (v->str == NULL) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        return 0;
    case OH_SETTING_INT: {
        long long n = strtoll(text, &end, 10);
        if (errno != 0 || end == text || *end != '\0') {
            snprintf(why, whylen, "must be an integer");
            return -1;
        }
        v->i = n;
        return 0;
    }
    case OH_SETTING_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0) {
            v->b = 1;
        } else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) {
            v->b = 0;
        } else {
            snprintf(why, whylen, "must be a boolean (true or false)");
            return -1;
        }
        return 0;
    case OH_SETTING_DOUBLE: {
        double d = strtod(text, &end);
        if (errno != 0 || end == text || *end != '\0' || !isfinite(d)) {
            snprintf(why, whylen, "must be a number");
            return -1;
        }
        v->d = d;
        return 0;
    }
    }
    snprintf(why, whylen, "has an unknown type");
    return -1;
}

int set_spec_check(const oh_setting_spec *specs, size_t index, char *err, size_t errlen)
{
    const oh_setting_spec *spec = &specs[index];
    const char *p = spec->name;
    if (*p == '\0' || strlen(p) > 64)
        goto bad_name;
    for (; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            goto bad_name;
    }
    for (size_t i = 0; i < index; i++) {
        if (strcmp(specs[i].name, spec->name) == 0) {
            snprintf(err, errlen, "setting '%s' is declared twice", spec->name);
            return -1;
        }
    }
    if (strcmp(set_type_name(spec->type), "unknown") == 0) {
        snprintf(err, errlen, "setting '%s' has unknown type %d", spec->name, (int)spec->type);
        return -1;
    }
    if ((spec->flags & OH_SETTING_HTTP_URL) && spec->type != OH_SETTING_STRING) {
        snprintf(err, errlen, "setting '%s': OH_SETTING_HTTP_URL on a %s", spec->name,
                 set_type_name(spec->type));
        return -1;
    }
    if (spec->type == OH_SETTING_INT && spec->min > spec->max) {
        snprintf(err, errlen, "setting '%s': min > max", spec->name);
        return -1;
    }
    int required = (spec->flags & OH_SETTING_REQUIRED) != 0;
    if (!required && spec->type != OH_SETTING_STRING && spec->default_value == NULL) {
        /* Otherwise an absent value would silently be 0, even outside min..max. */
        snprintf(err, errlen, "setting '%s': optional %s without a default", spec->name,
                 set_type_name(spec->type));
        return -1;
    }
    const char *shown = (spec->flags & OH_SETTING_SENSITIVE) ? "***" : spec->default_value;
    if (spec->default_value != NULL && !required) {
        set_value v = {0};
        char why[128];
        if (parse_text(spec, spec->default_value, &v, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "setting '%s': default '%s' %s", spec->name, shown, why);
            return -1;
        }
        free(v.str);
        if (range_applies(spec) && (v.i < spec->min || v.i > spec->max)) {
            snprintf(err, errlen, "setting '%s': default %s outside %lld..%lld", spec->name,
                     shown, (long long)spec->min, (long long)spec->max);
            return -1;
        }
    }
    return 0;
bad_name:
    snprintf(err, errlen, "setting name '%s' is not [a-z0-9_]{1,64}", spec->name);
    return -1;
}

/*
 * Read a secret file, dropping one trailing newline.  The content is never printed.  Read
 * through fr_read_regular: a FIFO or a device named here must not hang the daemon.
 */
static char *read_secret_file(const char *path, const char *base_dir, char *why, size_t whylen)
{
    char full[PATH_MAX];
    if (path[0] == '/' || base_dir == NULL)
        snprintf(full, sizeof(full), "%s", path);
    else
        snprintf(full, sizeof(full), "%s/%s", base_dir, path);
    char *buf = NULL, reason[256];
    size_t len = 0;
    if (fr_read_regular(full, SET_SECRET_FILE_MAX, &buf, &len, reason, sizeof(reason)) != 0) {
        snprintf(why, whylen, "cannot read secret file %s: %s", full, reason);
        return NULL;
    }
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(why, whylen, "secret file %s contains a NUL byte", full);
        explicit_bzero(buf, len);
        free(buf);
        return NULL;
    }
    return buf;
}

/*
 * Resolve "env:NAME" and "file:PATH".  Returns a new string (the text itself when it is no
 * reference), or NULL with why set.
 */
char *set_resolve_reference(const char *text, const char *base_dir, char *why, size_t whylen)
{
    if (strncmp(text, "env:", 4) == 0) {
        const char *val = getenv(text + 4);
        if (text[4] == '\0' || val == NULL) {
            snprintf(why, whylen, "environment variable '%s' is not set", text + 4);
            return NULL;
        }
        return strdup(val);
    }
    if (strncmp(text, "file:", 5) == 0) {
        if (text[5] == '\0') {
            snprintf(why, whylen, "file: reference without a path");
            return NULL;
        }
        return read_secret_file(text + 5, base_dir, why, whylen);
    }
    return strdup(text);
}

/* Read one configured value into v, reporting problems at the value's own line. */
static int read_value(const oh_setting_spec *spec, const config_setting_t *cs,
                      const char *instance_id, const char *base_dir, set_value *v,
                      diag_list *d)
{
    const char *file = config_setting_source_file(cs);
    int line = config_setting_source_line(cs);
    int t = config_setting_type(cs);
    char why[512] = "";

    const char *raw = t == CONFIG_TYPE_STRING ? config_setting_get_string(cs) : "";
    int is_ref = strncmp(raw, "env:", 4) == 0 || strncmp(raw, "file:", 5) == 0;
    if ((spec->flags & OH_SETTING_SENSITIVE) && !is_ref)
        diag_add(d, DIAG_WARNING, file, line,
                 "instance '%s': sensitive setting '%s' is written in the file; prefer "
                 "env:NAME or file:PATH", instance_id, spec->name);
    if (t == CONFIG_TYPE_STRING) {
        if (spec->type != OH_SETTING_STRING && !is_ref)
            goto wrong_type;
        char *text = set_resolve_reference(raw, base_dir, why, sizeof(why));
        if (text == NULL)
            goto fail;
        int rc = parse_text(spec, text, v, why, sizeof(why));
        free(text);
        if (rc != 0)
            goto fail;
    } else if (spec->type == OH_SETTING_INT &&
               (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)) {
        v->i = config_setting_get_int64(cs);
    } else if (spec->type == OH_SETTING_BOOL && t == CONFIG_TYPE_BOOL) {
        v->b = config_setting_get_bool(cs);
    } else if (spec->type == OH_SETTING_DOUBLE &&
               (t == CONFIG_TYPE_FLOAT || t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)) {
        v->d = (t == CONFIG_TYPE_FLOAT) ? config_setting_get_float(cs)
                                        : (double)config_setting_get_int64(cs);
    } else {
        goto wrong_type;
    }
    if (range_applies(spec) && (v->i < spec->min || v->i > spec->max)) {
        snprintf(why, sizeof(why), "must be between %lld and %lld", (long long)spec->min,
                 (long long)spec->max);
        goto fail;
    }
    v->from_config = 1;
    return 0;
wrong_type:
    snprintf(why, sizeof(why), "must be of type %s", set_type_name(spec->type));
fail:
    diag_add(d, DIAG_ERROR, file, line, "instance '%s': setting '%s': %s", instance_id,
             spec->name, why);
    return -1;
}

static void known_names(const oh_setting_spec *specs, size_t n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", specs[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (n == 0)
        snprintf(buf, len, "none");
}

oh_settings *set_build(const oh_setting_spec *specs, size_t n, const config_setting_t *group,
                       const char *instance_id, const char *base_dir, const char *file,
                       int line, diag_list *d)
{
    size_t errors_before = d->errors;
    oh_settings *s = calloc(1, sizeof(*s));
    if (s == NULL || (n > 0 && (s->values = calloc(n, sizeof(*s->values))) == NULL)) {
        free(s);
        diag_add(d, DIAG_ERROR, file, line, "instance '%s': out of memory", instance_id);
        return NULL;
    }
    s->count = n;

    /* Names in the file that the plugin does not declare are mistakes, not extras. */
    int members = group ? config_setting_length(group) : 0;
    for (int i = 0; i < members; i++) {
        const config_setting_t *cs = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(cs);
        size_t k = 0;
        while (k < n && strcmp(specs[k].name, name) != 0)
            k++;
        if (k == n) {
            char known[512];
            known_names(specs, n, known, sizeof(known));
            diag_add(d, DIAG_ERROR, config_setting_source_file(cs),
                     config_setting_source_line(cs),
                     "instance '%s': unknown setting '%s' (this plugin knows: %s)",
                     instance_id, name, known);
        }
    }
    for (size_t k = 0; k < n; k++) {
        const oh_setting_spec *spec = &specs[k];
        set_value *v = &s->values[k];
        v->spec = spec;
        const config_setting_t *cs =
            group ? config_setting_get_member(group, spec->name) : NULL;
        if (cs != NULL) {
            read_value(spec, cs, instance_id, base_dir, v, d);
        } else if (spec->flags & OH_SETTING_REQUIRED) {
            diag_add(d, DIAG_ERROR, file, line,
                     "instance '%s': required setting '%s' is missing (%s)", instance_id,
                     spec->name, spec->description ? spec->description : "no description");
        } else {
            char why[128];
            /* Defaults were validated when the module was loaded. */
            parse_text(spec, spec->default_value ? spec->default_value : "", v, why,
                       sizeof(why));
        }
        if (spec->type == OH_SETTING_STRING && v->str == NULL && (v->str = strdup("")) == NULL)
            d->oom = 1;
    }
    if (d->errors != errors_before || d->oom) {
        set_free(s);
        return NULL;
    }
    return s;
}

void set_free(oh_settings *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->count; i++)
        free(s->values[i].str);
    free(s->values);
    free(s);
}

const set_value *set_find(const oh_settings *s, const char *name)
{
    for (size_t i = 0; s != NULL && name != NULL && i < s->count; i++) {
        if (strcmp(s->values[i].spec->name, name) == 0)
            return &s->values[i];
    }
    return NULL;
}

json_t *set_to_json(const oh_settings *s)
{
    json_t *o = json_object();
    for (size_t i = 0; o != NULL && i < s->count; i++) {
        const set_value *v = &s->values[i];
        json_t *j;
        if (v->spec->flags & OH_SETTING_SENSITIVE)
            j = json_string(REDACTED);
        else if (v->spec->type == OH_SETTING_STRING)
            j = json_string(v->str);
        else if (v->spec->type == OH_SETTING_INT)
            j = json_integer(v->i);
        else if (v->spec->type == OH_SETTING_BOOL)
            j = json_boolean(v->b);
        else
            j = json_real(v->d);
        if (json_object_set_new(o, v->spec->name, j) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* A plugin asking for an undeclared setting or with the wrong type is a plugin bug. */
static const set_value *typed(const oh_settings *s, const char *name, oh_setting_type t)
{
    const set_value *v = set_find(s, name);
    if (v == NULL || v->spec->type != t) {
        log_error("plugin bug: setting '%s' read as %s but %s", name ? name : "(null)",
                  set_type_name(t), v ? "declared with another type" : "not declared");
        return NULL;
    }
    return v;
}

const char *set_get_string(const oh_settings *s, const char *name)
{
    const set_value *v = typed(s, name, OH_SETTING_STRING);
    return v ? v->str : NULL;
}

int64_t set_get_int(const oh_settings *s, const char *name)
{
    const set_value *v = typed(s, name, OH_SETTING_INT);
    return v ? v->i : 0;
}

int set_get_bool(const oh_settings *s, const char *name)
{
    const set_value *v = typed(s, name, OH_SETTING_BOOL);
    return v ? v->b : 0;
}

double set_get_double(const oh_settings *s, const char *name)
{
    const set_value *v = typed(s, name, OH_SETTING_DOUBLE);
    return v ? v->d : 0.0;
}
