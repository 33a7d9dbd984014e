#include "config.h"

#include "render.h"

#include <openssl/evp.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fk_reply_set(fk_reply *out, int status, const char *content_type, char *body)
{
    free(out->body);
    if (body == NULL) {
        static const char oom[] = "out of memory";
        out->status = 500;
        out->content_type = "text/plain";
        out->body = strdup(oom);
        out->len = out->body ? strlen(oom) : 0;
        return;
    }
    out->status = status;
    out->content_type = content_type;
    out->body = body;
    out->len = strlen(body);
}

const fk_place *fk_origin_of(const fk_route_set *set, const jr_view *v)
{
    return &set->origins[v->seed % set->norigins];
}

const fk_place *fk_dest_of(const fk_route_set *set, const jr_view *v)
{
    return &set->dests[(v->seed / 7) % set->ndests];
}

const fk_place *fk_place_of(const fk_route_set *set, const jr_view *v, const jr_scan *s)
{
    switch (s->place) {
    case PL_ORIGIN: return fk_origin_of(set, v);
    case PL_DEST: return fk_dest_of(set, v);
    case PL_HUB: break;
    }
    return &set->hubs[(v->seed / 13 + (uint32_t)s->hub) % set->nhubs];
}

void fk_local(int64_t utc, int off_min, struct tm *tm)
{
    time_t t = (time_t)(utc + (int64_t)off_min * 60);
    gmtime_r(&t, tm);
}

void fk_offset_text(char *buf, size_t size, int off_min)
{
    int a = off_min < 0 ? -off_min : off_min;
    snprintf(buf, size, "%c%02d:%02d", off_min < 0 ? '-' : '+', a / 60, a % 60);
}

void fk_iso_offset(char *buf, size_t size, int64_t utc, int off_min)
{
    struct tm tm;
    char off[8];
    fk_local(utc, off_min, &tm);
    fk_offset_text(off, sizeof(off), off_min);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off);
}

static int all_of(const char *s, size_t lo, size_t hi, int (*ok)(int))
{
    size_t n = strlen(s);
    if (n < lo || n > hi)
        return 0;
    for (; *s; s++)
        if (!ok((unsigned char)*s))
            return 0;
    return 1;
}

int fk_all_digits(const char *s, size_t lo, size_t hi)
{
    return all_of(s, lo, hi, isdigit);
}

int fk_all_alnum(const char *s, size_t lo, size_t hi)
{
    return all_of(s, lo, hi, isalnum);
}

void fk_txn_id(char *buf, size_t size, uint32_t seed)
{
    static unsigned counter;
    unsigned c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    snprintf(buf, size, "%08x-%04x-4%03x-a%03x-%012x", seed, c & 0xffff, (c >> 4) & 0xfff,
             seed & 0xfff, c);
}

/* ---- auth helpers ------------------------------------------------------------------- */

bool fk_bearer_ok(const fk_req *r)
{
    const char *a = r->header(r, "Authorization");
    if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0)
        return false;
    return strcmp(a + 7, r->cfg->token) == 0;
}

/* Decodes base64 (OpenSSL's decoder) into out, NUL-terminated; -1 on bad input or size. */
static int b64decode(const char *in, char *out, size_t size)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 + 1 > size)
        return -1;
    int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding's zero bytes: drop them. */
    for (const char *p = in + len; p > in && p[-1] == '='; p--)
        n--;
    out[n] = '\0';
    return 0;
}

bool fk_basic_credentials(const fk_req *r, char *user, size_t usz, char *pass, size_t psz)
{
    const char *a = r->header(r, "Authorization");
    char dec[512];
    if (a == NULL || strncasecmp(a, "Basic ", 6) != 0 || b64decode(a + 6, dec, sizeof(dec)) < 0)
        return false;
    char *colon = strchr(dec, ':');
    if (colon == NULL)
        return false;
    *colon = '\0';
    snprintf(user, usz, "%s", dec);
    snprintf(pass, psz, "%s", colon + 1);
    return true;
}

bool fk_basic_password_ok(const fk_req *r, const char *want)
{
    char user[256], pass[256];
    return fk_basic_credentials(r, user, sizeof(user), pass, sizeof(pass)) && user[0] != '\0' &&
           strcmp(pass, want) == 0;
}

static int hexval(int c)
{
    if (isdigit(c)) return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool fk_form_value(const char *body, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = body; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, key, klen) != 0 || p[klen] != '=')
            continue;
        size_t o = 0;
        for (const char *q = p + klen + 1; *q && *q != '&' && o + 1 < size; q++) {
            int h, l;
            if (*q == '+') {
                buf[o++] = ' ';
            } else if (*q == '%' && (h = hexval((unsigned char)q[1])) >= 0 &&
                       (l = hexval((unsigned char)q[2])) >= 0) {
                buf[o++] = (char)(h * 16 + l);
                q += 2;
            } else {
                buf[o++] = *q;
            }
        }
        buf[o] = '\0';
        return true;
    }
    return false;
}
