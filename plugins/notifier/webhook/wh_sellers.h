/*
 * wh_sellers - the per-seller endpoints of notify_webhook: a JSON file
 * {"seller-id": {"url": "https://...", "secret": "..."}} read and validated once at init,
 * read-only afterwards (any thread may look up).
 */
#ifndef WH_SELLERS_H
#define WH_SELLERS_H

#include <orderhub/orderhub.h>

#include <stddef.h>

typedef struct wh_sellers wh_sellers;

/* wh_sellers_load - read and validate `path`; 0, or -1 with the reason in err (no secret). */
int wh_sellers_load(const oh_host_api *host, const char *path, wh_sellers **out, char *err,
                    size_t errlen);
void wh_sellers_free(wh_sellers *s);
size_t wh_sellers_count(const wh_sellers *s);

/* wh_sellers_lookup - when `seller` is in the file, point *url / *secret at its own (owned
 * by `s`); otherwise leave them.  `s` and `seller` may be NULL. */
void wh_sellers_lookup(const wh_sellers *s, const char *seller, const char **url,
                       const char **secret);

/* wh_url_ok - an http:// or https:// URL without spaces or control characters. */
int wh_url_ok(const char *url);

#endif
