/*
 * mail_format - message pieces for notify_email (mail_format.h).
 */
#include "mail_format.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void mf_put(mf_buf *b, const char *s, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mf_puts(mf_buf *b, const char *s)
{
    mf_put(b, s, strlen(s));
}

void mf_printf(mf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    mf_put(b, s, (size_t)n);
    free(s);
}

void mf_free(mf_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

int mf_addr_ok(const char *addr)
{
    if (addr == NULL)
        return 0;
    size_t n = strlen(addr);
    const char *at = strchr(addr, '@');
    if (n < 3 || n > 254 || at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
        return 0;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>()[]\\,;:\"", *p) != NULL)
            return 0;
    return 1;
}

static int plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_b64(mf_buf *b, const unsigned char *in, size_t n)
{
    char out[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[0] = b64[v >> 18];
        out[1] = b64[(v >> 12) & 63];
        out[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[3] = i + 2 < n ? b64[v & 63] : '=';
        mf_put(b, out, 4);
    }
}

/* Encoded-words of 64 characters at most: 39 bytes of text each (52 of base64 + 12), so a
 * header line stays within RFC 5322's 78 characters (RFC 2047 allows 75 per word); cut
 * on a UTF-8 character boundary so each word decodes alone (RFC 2047 s5). */
static void encoded_words(mf_buf *b, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t left = strlen(text);
    int first = 1;
    while (left > 0) {
        size_t n = left < 39 ? left : 39;
        while (n < left && n > 0 && (p[n] & 0xC0) == 0x80)
            n--; /* p[n] continues a character: end the word before it */
        if (n == 0)
            n = left < 39 ? left : 39;
        if (!first)
            mf_puts(b, "\r\n ");
        mf_puts(b, "=?UTF-8?B?");
        put_b64(b, p, n);
        mf_puts(b, "?=");
        p += n;
        left -= n;
        first = 0;
    }
}

/* Control characters (CR, LF, TAB, ...) as spaces: nothing breaks a header line. */
static char *without_controls(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; p != NULL && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return s;
}

void mf_header_text(mf_buf *b, const char *text)
{
    char *s = without_controls(text);
    if (s == NULL) {
        b->oom = 1;
        return;
    }
    if (plain_ascii(s) && strlen(s) <= 900)
        mf_puts(b, s);
    else
        encoded_words(b, s);
    free(s);
}

void mf_mailbox(mf_buf *b, const char *name, const char *addr)
{
    char *s = name ? without_controls(name) : NULL;
    if (s != NULL && *s) {
        if (plain_ascii(s) && strpbrk(s, "\"\\") == NULL && strlen(s) <= 200)
            mf_printf(b, "\"%s\"", s);
        else
            encoded_words(b, s);
        mf_puts(b, " ");
    }
    free(s);
    mf_printf(b, "<%s>", addr);
}

void mf_qp(mf_buf *b, const char *text, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue; /* CRLF in the template: the LF ends the line */
        if (c == '\n') {
            mf_puts(b, "\r\n");
            col = 0;
            continue;
        }
        int at_end = i + 1 == len || text[i + 1] == '\n' || text[i + 1] == '\r';
        int encode = c == '=' || c >= 0x7f || (c < 0x20 && c != '\t') ||
                     ((c == ' ' || c == '\t') && at_end) || (c == '.' && col == 0);
        size_t w = encode ? 3 : 1;
        if (col + w > 75) { /* soft break: "=" makes 76 */
            mf_puts(b, "=\r\n");
            col = 0;
            encode = encode || c == '.';
            w = encode ? 3 : 1;
        }
        if (encode) {
            char e[3] = {'=', hex[c >> 4], hex[c & 15]};
            mf_put(b, e, 3);
        } else {
            mf_put(b, (const char *)&c, 1);
        }
        col += w;
    }
    if (col > 0)
        mf_puts(b, "\r\n");
}

void mf_date(int64_t ms, char *out, size_t outlen)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(out, outlen, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
