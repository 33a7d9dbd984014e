/*
 * ups_util - exact conversions for the UPS JSON APIs: base64 (basic auth, label images),
 * money strings to minor units without floating point, grams/millimetres to the units UPS
 * wants, the object-or-array lists UPS sends, and its error envelope.
 */
#include "ups.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void ups_b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        *out++ = b64[v >> 18];
        *out++ = b64[(v >> 12) & 63];
        *out++ = b64[(v >> 6) & 63];
        *out++ = b64[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        *out++ = b64[v >> 18];
        *out++ = b64[(v >> 12) & 63];
        *out++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
}

static int b64_value(unsigned char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

int ups_b64_decode(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
    if (n == 0 || n % 4 != 0)
        return -1;
    size_t pad = in[n - 1] == '=' ? (in[n - 2] == '=' ? 2 : 1) : 0;
    unsigned char *buf = malloc(n / 4 * 3);
    if (buf == NULL)
        return -1;
    size_t w = 0;
    for (size_t i = 0; i < n; i += 4) {
        int last = i + 4 == n;
        unsigned v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = b64_value((unsigned char)in[i + k]);
            if (d < 0 && !(last && k >= 4 - pad)) {
                free(buf);
                return -1;
            }
            v = v << 6 | (unsigned)(d < 0 ? 0 : d);
        }
        buf[w++] = (unsigned char)(v >> 16);
        if (!(last && pad == 2))
            buf[w++] = (unsigned char)(v >> 8);
        if (!(last && pad >= 1))
            buf[w++] = (unsigned char)v;
    }
    *out = buf;
    *outlen = w;
    return 0;
}

int ups_currency_exponent(const char *currency)
{
    static const char zero[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF "
                               "XOF XPF";
    static const char three[] = "BHD IQD JOD KWD LYD OMR TND";
    if (currency == NULL || strlen(currency) != 3)
        return 2;
    if (strstr(zero, currency) != NULL)
        return 0;
    if (strstr(three, currency) != NULL)
        return 3;
    return 2;
}

int ups_money_parse(const char *text, const char *currency, int64_t *minor)
{
    if (text == NULL)
        return -1;
    int exp = ups_currency_exponent(currency);
    size_t whole = strspn(text, "0123456789");
    if (whole == 0 || whole > 13)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < whole; i++)
        v = v * 10 + (text[i] - '0');
    const char *p = text + whole;
    int digits = 0;
    if (*p == '.') {
        p++;
        size_t frac = strspn(p, "0123456789");
        if (frac == 0 || frac > 9)
            return -1;
        for (size_t i = 0; i < frac; i++) {
            if (digits < exp) {
                v = v * 10 + (p[i] - '0');
                digits++;
            } else if (p[i] != '0') {
                return -1; /* more precision than the currency has: not an exact amount */
            }
        }
        p += frac;
    }
    if (*p != '\0')
        return -1;
    for (; digits < exp; digits++)
        v *= 10;
    *minor = v;
    return 0;
}

void ups_money_format(int64_t minor, const char *currency, char *out, size_t outlen)
{
    int exp = ups_currency_exponent(currency);
    int64_t scale = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
    if (exp == 0)
        snprintf(out, outlen, "%lld", (long long)minor);
    else
        snprintf(out, outlen, "%lld.%0*lld", (long long)(minor / scale), exp,
                 (long long)(minor % scale));
}

/* tenths as "12.3" (or "12" when whole: UPS takes both). */
static void tenths_text(int64_t tenths, char *out, size_t outlen)
{
    if (tenths % 10 == 0)
        snprintf(out, outlen, "%lld", (long long)(tenths / 10));
    else
        snprintf(out, outlen, "%lld.%lld", (long long)(tenths / 10), (long long)(tenths % 10));
}

void ups_weight_text(int64_t grams, int imperial, char *out, size_t outlen)
{
    /* 1 lb = 453.59237 g exactly: tenths of a pound = ceil(g * 10^6 / 45359237). */
    int64_t tenths = imperial ? (grams * 1000000 + 45359236) / 45359237 : (grams + 99) / 100;
    tenths_text(tenths < 1 ? 1 : tenths, out, outlen);
}

void ups_length_text(int64_t mm, int imperial, char *out, size_t outlen)
{
    /* 1 in = 25.4 mm exactly: tenths of an inch = ceil(mm * 100 / 254); 1 mm = 0.1 cm. */
    int64_t tenths = imperial ? (mm * 100 + 253) / 254 : mm;
    tenths_text(tenths < 1 ? 1 : tenths, out, outlen);
}

int ups_imperial_origin(const char *country)
{
    return country != NULL && (strcmp(country, "US") == 0 || strcmp(country, "PR") == 0);
}

size_t ups_list_size(const json_t *v)
{
    return json_is_array(v) ? json_array_size(v) : json_is_object(v) ? 1 : 0;
}

json_t *ups_list_get(const json_t *v, size_t i)
{
    if (json_is_array(v))
        return json_array_get(v, i);
    return i == 0 && json_is_object(v) ? (json_t *)v : NULL;
}

const char *ups_path_str(const json_t *root, ...)
{
    va_list ap;
    va_start(ap, root);
    const json_t *v = root;
    for (const char *key = va_arg(ap, const char *); key != NULL && v != NULL;
         key = va_arg(ap, const char *))
        v = json_object_get(v, key);
    va_end(ap);
    return json_string_value(v);
}

void ups_error_envelope(const ups *u, const oh_response *resp, char *code, size_t codelen,
                        char *message, size_t msglen)
{
    code[0] = message[0] = '\0';
    oh_error ignored;
    json_t *j = u->host->json_parse(resp->body, resp->body_len, &ignored);
    json_t *first = json_array_get(json_object_get(json_object_get(j, "response"), "errors"), 0);
    snprintf(code, codelen, "%s", json_string_value(json_object_get(first, "code"))
                                      ? json_string_value(json_object_get(first, "code"))
                                      : "");
    snprintf(message, msglen, "%s", json_string_value(json_object_get(first, "message"))
                                        ? json_string_value(json_object_get(first, "message"))
                                        : "");
    json_decref(j);
}

int ups_http_failure(const ups *u, const oh_response *resp, const char *what, oh_error *err)
{
    char code[32], message[200];
    ups_error_envelope(u, resp, code, sizeof(code), message, sizeof(message));
    const char *kind = resp->status == 401 || resp->status == 403 ? "credentials refused: "
                       : resp->status == 429                      ? "rate limited: "
                                                                  : "";
    int verdict = resp->status == 429 || resp->status >= 500 ? OH_RETRY : OH_FAIL;
    if (code[0] != '\0' || message[0] != '\0')
        return oh_error_set(err, verdict, "UPS %s: %sHTTP %d, error %s: %s", what, kind,
                            resp->status, code[0] ? code : "-", message);
    return oh_error_set(err, verdict, "UPS %s: %sHTTP %d", what, kind, resp->status);
}
