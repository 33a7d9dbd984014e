/*
 * orderhub/host.h - services the host hands a plugin: the oh_host_api table.
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * A plugin links against no orderhubd symbol.  Everything it needs from the host reaches it
 * through one const table of function pointers, passed to init and valid until the process
 * ends.  Keep the pointer; do not copy the table.
 *
 * GROWTH
 *   The table begins with its own struct_size and only ever grows at the end; each entry says
 *   the ABI version that added it.  Before calling an entry added after the minor you built
 *   against, check OH_HOST_HAS(host, entry).  Entries present in 1.0 are always there.
 *
 * THREADING
 *   Every entry may be called from any thread, concurrently, unless it says otherwise.
 *
 * STRINGS
 *   Arguments are copied by the host when it keeps them; returned `const char *` values are
 *   owned by the host and stay valid as long as the object they came from.
 */
#ifndef ORDERHUB_HOST_H
#define ORDERHUB_HOST_H

#include <jansson.h>
#include <libxml/tree.h>
#include <orderhub/abi.h>
#include <orderhub/carrier.h>
#include <orderhub/http.h>
#include <orderhub/settings.h>

#ifdef __cplusplus
extern "C" {
#endif

/** oh_instance - the host's handle of one plugin instance.  Opaque, host-owned. */
typedef struct oh_instance oh_instance;

/** Log severity, most severe first. */
typedef enum oh_log_level {
    OH_LOG_ERROR = 0,
    OH_LOG_WARN = 1,
    OH_LOG_INFO = 2,
    OH_LOG_DEBUG = 3
} oh_log_level;

/** True when `host` is new enough to carry `member` (for entries added after 1.0). */
#define OH_HOST_HAS(host, member) \
    ((host)->struct_size >= offsetof(oh_host_api, member) + sizeof((host)->member))

typedef struct oh_host_api {
    uint32_t struct_size; /**< sizeof(oh_host_api) of the running host */
    uint16_t abi_major;   /**< the host's OH_ABI_MAJOR */
    uint16_t abi_minor;   /**< the host's OH_ABI_MINOR */

    /* ---- since 1.0: logging ---------------------------------------------------------- */

    /**
     * log - write one line to the host's log, prefixed with the instance id.  `self` may be
     * NULL (module-level message).  No trailing newline.  Never log a secret: the host
     * redacts sensitive settings it knows of, but cannot guess the others.
     */
    void (*log)(const oh_instance *self, oh_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
        __attribute__((format(printf, 3, 4)))
#endif
        ;

    /* ---- since 1.0: settings (see settings.h) ------------------------------------------ */

    /**
     * setting_string / setting_int / setting_bool / setting_double - the resolved value of a
     * declared setting (defaults filled in, env: and file: resolved).  Asking for a name the
     * plugin did not declare, or with the wrong type, returns NULL / 0 / 0 / 0.0 and logs a
     * host error: it is a plugin bug.  Strings are owned by `s`.
     */
    const char *(*setting_string)(const oh_settings *s, const char *name);
    int64_t (*setting_int)(const oh_settings *s, const char *name);
    int (*setting_bool)(const oh_settings *s, const char *name);
    double (*setting_double)(const oh_settings *s, const char *name);

    /* ---- since 1.0: clock ------------------------------------------------------------- */

    /** now_ms - wall clock, Unix milliseconds.  Tests may fix it: always use this one. */
    int64_t (*now_ms)(void);

    /**
     * time_parse - read an ISO-8601 date or date-time ("2026-03-02", "2026-03-02T14:05",
     * "2026-03-02T14:05:00.250-05:00", "...Z") into Unix milliseconds.  Returns 1 when the
     * text carries an offset (an absolute instant), 0 when it is local time without one
     * (then *unix_ms reads it as if it were UTC: fit for ordering the events of one place,
     * not for comparing places), -1 when it is not such a date or date-time.
     */
    int (*time_parse)(const char *text, int64_t *unix_ms);

    /* ---- since 1.0: safe parsers ------------------------------------------------------ */

    /**
     * json_parse - parse untrusted JSON text of `len` bytes (no NUL needed) with the host's
     * limits (size, nesting depth, duplicate keys refused).  Returns a new reference the
     * caller must json_decref, or NULL with err set.
     */
    json_t *(*json_parse)(const char *text, size_t len, oh_error *err);

    /**
     * xml_parse - parse untrusted XML of `len` bytes with entity expansion, DTD loading and
     * network access all disabled, and the host's size limit.  A document declaring entities
     * is refused.  Returns a document the caller frees with xmlFreeDoc, or NULL with err set.
     */
    xmlDoc *(*xml_parse)(const char *text, size_t len, oh_error *err);

    /* ---- since 1.0: building requests (http.h) ---------------------------------------- */

    /** request_set - set method and URL (copied).  0, or -1 on a bad argument / no memory. */
    int (*request_set)(oh_request *req, const char *method, const char *url);
    /** request_header - append a header (copied).  flags: OH_HEADER_SENSITIVE.  0 / -1. */
    int (*request_header)(oh_request *req, const char *name, const char *value,
                          unsigned flags);
    /** request_body - set the body to `len` bytes of `data` (copied).  0 / -1. */
    int (*request_body)(oh_request *req, const void *data, size_t len);
    /** request_mail - set the SMTP envelope (all strings copied).  0 / -1. */
    int (*request_mail)(oh_request *req, const char *from, const char *const *rcpt,
                        size_t rcpt_count);

    /**
     * url_encode - percent-encode `in` for a query string or form body (RFC 3986
     * unreserved characters kept) into `out` of `outlen` bytes.  Returns the length written
     * (without NUL), or -1 if `out` is too small.
     */
    int (*url_encode)(const char *in, char *out, size_t outlen);

    /* ---- since 1.0: filling results (carrier.h) --------------------------------------- */

    /**
     * track_add_shipment - append a zeroed shipment with `number` copied in, owned by `r`.
     * NULL when out of memory or over the host's limit.  The pointer is valid until the next
     * track_add_shipment on the same result (the array may move) or until parse returns.
     */
    oh_track_shipment *(*track_add_shipment)(oh_track_result *r, const char *number);
    /**
     * track_add_event - append a zeroed event to `s`.  The pointer is valid until the next
     * track_add_event on the same shipment (the array may move).  NULL on limit / memory.
     */
    oh_track_event *(*track_add_event)(oh_track_shipment *s);
    /** label_document - attach a document of `len` bytes (copied) with its MIME type. */
    int (*label_document)(oh_label *label, oh_document_kind kind, const char *mime_type,
                          const void *data, size_t len);
    /**
     * rate_add - append a copy of `rate` to `list`.  Set rate->struct_size to
     * sizeof(oh_rate) first: a smaller one than 1.0's is refused.  0 / -1.
     */
    int (*rate_add)(oh_rate_list *list, const oh_rate *rate);

    /* ---- since 1.0: crypto ------------------------------------------------------------ */

    /** hmac_sha256 - HMAC-SHA256 of data under key into out[32].  0 / -1. */
    int (*hmac_sha256)(const void *key, size_t key_len, const void *data, size_t len,
                       unsigned char out[32]);

    /* ---- since 1.0: per-instance state ------------------------------------------------ */

    /**
     * kv_set - remember `value` (copied; NULL deletes) under `key` for this instance, e.g.
     * a cursor or a webhook subscription id.  Kept across config reloads of an instance with
     * the same id.  0 / -1.
     */
    int (*kv_set)(oh_instance *self, const char *key, const char *value);
    /**
     * kv_get - copy the value of `key` into `buf` (NUL-terminated).  Returns its length, -1
     * when absent, or -2 when `buflen` is too small (nothing copied).
     */
    int (*kv_get)(oh_instance *self, const char *key, char *buf, size_t buflen);

    /* ---- since 1.2: filling results (carrier.h) --------------------------------------- */

    /**
     * label_parcel - name the tracking number (copied, 1..63 bytes) of the label's next
     * parcel, in the order of oh_shipment.parcels.  0, or -1 on a bad number, on more than
     * OH_LABEL_PARCELS_MAX parcels or out of memory.  Check OH_HOST_HAS(host, label_parcel)
     * first when the plugin may run on a 1.1 host.
     */
    int (*label_parcel)(oh_label *label, const char *tracking_number);
    /**
     * label_parcel_document - attach parcel `parcel`'s own label (0-based, a parcel already
     * named with label_parcel) of `len` bytes (copied) with its MIME type, for carriers that
     * print one label per parcel.  A carrier that prints one document for the whole
     * shipment (a multi-page PDF) uses label_document instead.  Calling it again for the
     * same parcel replaces that parcel's document.  0, or -1 on a bad argument, an unnamed
     * parcel, more than the host's size limit or out of memory.
     */
    int (*label_parcel_document)(oh_label *label, size_t parcel, const char *mime_type,
                                 const void *data, size_t len);
} oh_host_api;

/** The most parcels one label may name (label_parcel). */
#define OH_LABEL_PARCELS_MAX 50

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_HOST_H */
