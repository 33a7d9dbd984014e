#include "config.h"

#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(sbuf *b, size_t need)
{
    if (b->oom)
        return -1;
    if (b->len + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (grow(b, n) < 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_xml(sbuf *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&': sb_put(b, "&amp;", 5); break;
        case '<': sb_put(b, "&lt;", 4); break;
        case '>': sb_put(b, "&gt;", 4); break;
        case '"': sb_put(b, "&quot;", 6); break;
        case '\'': sb_put(b, "&apos;", 6); break;
        default: sb_put(b, s, 1);
        }
    }
}

void sb_elem(sbuf *b, const char *name, const char *text)
{
    if (text == NULL || *text == '\0') {
        sb_printf(b, "<%s/>", name);
        return;
    }
    sb_printf(b, "<%s>", name);
    sb_xml(b, text);
    sb_printf(b, "</%s>", name);
}

char *sb_take(sbuf *b)
{
    if (b->oom || b->p == NULL) {
        free(b->p);
        *b = (sbuf){0};
        return NULL;
    }
    char *p = b->p;
    *b = (sbuf){0};
    return p;
}
