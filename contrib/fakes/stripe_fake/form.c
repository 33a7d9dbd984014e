#include "config.h"

#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static char *decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *w = out;
    for (size_t i = 0; out != NULL && i < n; i++) {
        if (s[i] == '+') {
            *w++ = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                free(out);
                return NULL;
            }
            *w++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *w++ = s[i];
        }
    }
    if (out != NULL)
        *w = '\0';
    return out;
}

int sf_form_parse(const char *body, sf_form *f)
{
    for (const char *p = body; *p;) {
        size_t n = strcspn(p, "&");
        if (n > 0) {
            const char *eq = memchr(p, '=', n);
            size_t klen = eq ? (size_t)(eq - p) : n;
            sf_pair *pairs = realloc(f->pairs, (f->count + 1) * sizeof(*pairs));
            if (pairs == NULL)
                return -1;
            f->pairs = pairs;
            char *k = decode(p, klen);
            char *v = eq ? decode(eq + 1, n - klen - 1) : strdup("");
            if (k == NULL || v == NULL) {
                free(k);
                free(v);
                return -1;
            }
            f->pairs[f->count++] = (sf_pair){k, v};
        }
        p += n;
        if (*p == '&')
            p++;
    }
    return 0;
}

void sf_form_free(sf_form *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->pairs[i].key);
        free(f->pairs[i].value);
    }
    free(f->pairs);
    f->pairs = NULL;
    f->count = 0;
}

const char *sf_form_get(const sf_form *f, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->pairs[i].key, key) == 0)
            v = f->pairs[i].value;
    return v;
}

static int cmp_pair(const void *a, const void *b)
{
    const sf_pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

char *sf_form_canonical(const sf_form *f)
{
    sf_pair *copy = malloc((f->count + 1) * sizeof(*copy));
    size_t len = 1;
    if (copy == NULL)
        return NULL;
    if (f->count > 0) { /* an empty form has no pairs array at all */
        memcpy(copy, f->pairs, f->count * sizeof(*copy));
        qsort(copy, f->count, sizeof(*copy), cmp_pair);
    }
    for (size_t i = 0; i < f->count; i++)
        len += strlen(copy[i].key) + strlen(copy[i].value) + 2;
    char *out = malloc(len), *w = out;
    for (size_t i = 0; out != NULL && i < f->count; i++)
        w += sprintf(w, "%s=%s\n", copy[i].key, copy[i].value);
    if (out != NULL)
        *w = '\0';
    free(copy);
    return out;
}
