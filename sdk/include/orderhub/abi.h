/*
 * orderhub/abi.h - ABI version, result codes and the error buffer of the orderhub SDK.
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * VERSIONING
 *   The SDK carries one ABI version, OH_ABI_MAJOR.OH_ABI_MINOR, compiled into every plugin
 *   descriptor by OH_PLUGIN_INIT.  The host (orderhubd, orderhub-plugin) accepts a plugin when:
 *
 *     plugin major == host major          (a different major, older or newer, is refused)
 *     plugin minor <= host minor          (a plugin built for a newer SDK is refused)
 *     plugin struct_size is readable      (at least the 1.0 size, at most the host's size)
 *
 *   A minor bump only ever appends: fields at the end of a structure, entries at the end of
 *   the host table, a new plugin kind.  A plugin built against 1.0 therefore loads unchanged
 *   into every 1.x host.  Anything else is a major bump.
 *
 * HISTORY
 *   1.0  first release.
 *   1.1  oh_track_shipment gains error_kind and error_code (carrier.h); the setting flag
 *        OH_SETTING_HTTP_URL (settings.h).
 *   1.2  carriers: oh_shipment.is_return, oh_label.carrier_ref, a number per parcel
 *        (host label_parcel, label_parcel_document, OH_LABEL_PARCELS_MAX), the optional
 *        void_build/void_parse pair
 *        with oh_label_ref (carrier.h, host.h).
 */
#ifndef ORDERHUB_ABI_H
#define ORDERHUB_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of the plugin ABI.  Changes only when an existing layout changes. */
#define OH_ABI_MAJOR 1
/** Minor version of the plugin ABI.  Grows when something is appended. */
#define OH_ABI_MINOR 2

/** Name of the one symbol every plugin exports (see OH_PLUGIN_DEFINE in plugin.h). */
#define OH_PLUGIN_ENTRY_SYMBOL "orderhub_plugin_entry"

/*
 * oh_result - what a plugin operation tells the host.
 *
 * The host owns every consequence: retries with backoff, idempotency keys, dead letters.  A
 * plugin never sleeps or retries by itself.
 *
 *   OH_OK      success; for a filter: continue with the next step of the chain.
 *   OH_STOP    a filter ends the chain here without error (later steps are skipped).
 *   OH_REJECT  a filter refuses the event; the reason is in the oh_error message.
 *   OH_RETRY   transient failure (remote 5xx, 429, timeout); the host retries later.
 *   OH_FAIL    permanent failure (bad credentials, malformed answer); no retry.
 *
 * Errors are negative, as everywhere in orderhub; non-negative values are outcomes.
 */
typedef enum oh_result {
    OH_OK = 0,
    OH_STOP = 1,
    OH_REJECT = 2,
    OH_RETRY = -1,
    OH_FAIL = -2
} oh_result;

/** Size of the message buffer of an oh_error, terminating NUL included. */
#define OH_ERROR_MAX 512

/*
 * oh_error - an error message buffer owned by the caller.
 *
 * Every operation that can fail takes an `oh_error *err` the caller owns and has zeroed.  On
 * failure the callee writes one line, without a trailing newline, naming what was wrong (a
 * field, a setting, a remote error code).  The line must never contain a secret.
 */
typedef struct oh_error {
    char message[OH_ERROR_MAX];
} oh_error;

/*
 * oh_error_set - format a message into err (may be NULL: then nothing happens).
 *
 * Returns `code` so a plugin can write `return oh_error_set(err, OH_FAIL, "...")`.  Static
 * inline: it adds no symbol the plugin would need from the host.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline int oh_error_set(oh_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

/*
 * OH_STRLCPY - copy a string into a fixed char array of an SDK structure, truncating and
 * always NUL-terminating.  `dst` must be an array, not a pointer.
 */
#define OH_STRLCPY(dst, src) \
    ((void)snprintf((dst), sizeof(dst), "%s", (src) != NULL ? (src) : ""))

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_ABI_H */
