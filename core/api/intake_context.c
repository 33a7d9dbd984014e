/*
 * intake_context - the validation context: the first malformation (400) and the first
 * impossibility (422), normalisations kept until the order is known valid, and the string
 * and member checks every field rule uses.
 */
#include "config.h"

#include "intake_context.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A malformation (400): `prefix`.`name` (either may be empty) and why.  Returns -1. */
__attribute__((format(printf, 4, 5))) int iv_e400(vctx *c, const char *prefix,
                                                  const char *name, const char *fmt, ...)
{
    snprintf(c->field, c->fl, "%s%s%s", prefix, *prefix && *name ? "." : "", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->wl, fmt, ap);
    va_end(ap);
    return INTAKE_MALFORMED;
}

/* A semantic impossibility (422): the first one is kept, validation goes on. */
__attribute__((format(printf, 4, 5))) void iv_e422(vctx *c, const char *prefix,
                                                   const char *name, const char *fmt, ...)
{
    if (c->impossible)
        return;
    c->impossible = 1;
    snprintf(c->ifield, sizeof(c->ifield), "%s%s%s", prefix, *prefix && *name ? "." : "",
             name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->iwhy, sizeof(c->iwhy), fmt, ap);
    va_end(ap);
}

void iv_add_fix(vctx *c, json_t *str, const char *val)
{
    if (strcmp(json_string_value(str), val) == 0 || c->nfix == MAX_FIXES)
        return;
    c->fix[c->nfix].str = str;
    snprintf(c->fix[c->nfix].val, sizeof(c->fix[c->nfix].val), "%s", val);
    c->nfix++;
}

/* ---- string helpers -------------------------------------------------------------------- */

size_t intake_chars(const json_t *s)
{
    const unsigned char *p = (const unsigned char *)json_string_value(s);
    size_t n = json_string_length(s), count = 0;
    for (size_t i = 0; i < n; i++)
        count += (p[i] & 0xC0) != 0x80;
    return count;
}

int iv_has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b == 0x7f)
            return 1;
    }
    return 0;
}

int iv_blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ')
            return 0;
    }
    return 1;
}

int iv_is_upper(char ch)
{
    return ch >= 'A' && ch <= 'Z';
}

int iv_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

char iv_to_upper(char ch)
{
    return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

int iv_upper_code(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!iv_is_upper(s[i]))
            return 0;
    }
    return 1;
}

/*
 * A string member of `obj`: absent is fine unless `required`; when present, a string of
 * lo..hi characters (not blank when lo > 0).  *out: the member or NULL.
 */
int iv_str_member(vctx *c, const json_t *obj, const char *prefix, const char *key,
                  int required, size_t lo, size_t hi, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = v;
    if (v == NULL)
        return required ? iv_e400(c, prefix, key, "is required") : 0;
    if (!json_is_string(v))
        return iv_e400(c, prefix, key, "must be a string");
    size_t n = intake_chars(v);
    if (n < lo || n > hi)
        return lo == 0 ? iv_e400(c, prefix, key, "must be at most %zu characters", hi)
                       : iv_e400(c, prefix, key, "must be %zu to %zu characters", lo, hi);
    if (lo > 0 && iv_blank(json_string_value(v)))
        return iv_e400(c, prefix, key, "must not be blank");
    return 0;
}

int iv_in_list(const char *const *list, const char *s)
{
    for (; list != NULL && *list != NULL; list++) {
        if (strcmp(*list, s) == 0)
            return 1;
    }
    return 0;
}

/*
 * Members of `obj` outside `allowed` (NULL-terminated): the first one is refused.  One that
 * orderhub writes there itself (`owned`, NULL-terminated, may be NULL) is refused as such,
 * so the submitter learns it can never be set.
 */
int iv_only_members(vctx *c, const json_t *obj, const char *prefix,
                    const char *const *allowed, const char *const *owned)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (iv_in_list(owned, key))
            return iv_e400(c, prefix, key, "is set by orderhub, not by the submitter");
        if (!iv_in_list(allowed, key))
            return iv_e400(c, prefix, key, "is not a known member");
    }
    return 0;
}
