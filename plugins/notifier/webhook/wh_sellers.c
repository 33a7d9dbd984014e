/*
 * wh_sellers - load and look up notify_webhook's per-seller endpoints (wh_sellers.h).
 * The file is parsed with the host's JSON parser (limits, duplicate keys refused): a
 * seller listed twice is an error, not a silent override.
 */
#include "wh_sellers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WH_MAX_FILE_BYTES (1024 * 1024)

struct wh_sellers {
    json_t *map; /* validated: every value {"url": string, "secret": string} */
};

int wh_url_ok(const char *url)
{
    if (url == NULL || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
        return 0;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "sellers_file %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(WH_MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, WH_MAX_FILE_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (buf == NULL || bad || n > WH_MAX_FILE_BYTES) {
        snprintf(err, errlen, "sellers_file %s: %s", path,
                 buf == NULL ? "out of memory" : bad ? "read error" : "larger than 1 MiB");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int validate(const json_t *map, const char *path, char *err, size_t errlen)
{
    if (!json_is_object(map)) {
        snprintf(err, errlen, "sellers_file %s: not a JSON object of seller ids", path);
        return -1;
    }
    const char *id;
    const json_t *v;
    json_object_foreach((json_t *)map, id, v) {
        const char *url = json_string_value(json_object_get(v, "url"));
        const char *secret = json_string_value(json_object_get(v, "secret"));
        const char *why = !json_is_object(v)                 ? "is not an object"
                          : !wh_url_ok(url)                  ? "url must be http:// or https://"
                          : secret == NULL || *secret == '\0' ? "secret missing or empty"
                          : json_object_size(v) != 2          ? "has members other than url, secret"
                                                             : NULL;
        if (why != NULL) {
            snprintf(err, errlen, "sellers_file %s: seller \"%.64s\": %s", path, id, why);
            return -1;
        }
    }
    return 0;
}

int wh_sellers_load(const oh_host_api *host, const char *path, wh_sellers **out, char *err,
                    size_t errlen)
{
    size_t len = 0;
    char *text = slurp(path, &len, err, errlen);
    if (text == NULL)
        return -1;
    oh_error perr = {{0}};
    json_t *map = host->json_parse(text, len, &perr);
    free(text);
    if (map == NULL) {
        snprintf(err, errlen, "sellers_file %s: %s", path, perr.message);
        return -1;
    }
    wh_sellers *s = NULL;
    if (validate(map, path, err, errlen) != 0 || (s = calloc(1, sizeof(*s))) == NULL) {
        if (err[0] == '\0')
            snprintf(err, errlen, "out of memory");
        json_decref(map);
        return -1;
    }
    s->map = map;
    *out = s;
    return 0;
}

void wh_sellers_free(wh_sellers *s)
{
    if (s == NULL)
        return;
    json_decref(s->map);
    free(s);
}

size_t wh_sellers_count(const wh_sellers *s)
{
    return s ? json_object_size(s->map) : 0;
}

void wh_sellers_lookup(const wh_sellers *s, const char *seller, const char **url,
                       const char **secret)
{
    if (s == NULL || seller == NULL)
        return;
    const json_t *v = json_object_get(s->map, seller);
    if (v == NULL)
        return;
    *url = json_string_value(json_object_get(v, "url"));
    *secret = json_string_value(json_object_get(v, "secret"));
}
