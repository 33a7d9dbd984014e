/*
 * orderhub/plugin.h - the plugin descriptor: what a plugin is and what it can do.
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * SYNOPSIS
 *   #include <orderhub/orderhub.h>
 *
 *   static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops,
 *       .max_batch = 10, .track_build = my_track_build, .track_parse = my_track_parse);
 *   static const oh_setting_spec settings[] = {
 *       { "base_url", OH_SETTING_STRING, NULL, "API root", OH_SETTING_REQUIRED, 0, 0 },
 *       OH_SETTINGS_END };
 *   static const oh_plugin plugin = OH_PLUGIN_INIT(
 *       .name = "carrier_example", .version = "1.0.0", .kind = OH_KIND_CARRIER,
 *       .description = "Example carrier", .settings = settings,
 *       .init = my_init, .destroy = my_destroy, .carrier = &ops);
 *   OH_PLUGIN_DEFINE(plugin)
 *
 * DESCRIPTION
 *   A plugin is a shared object exporting exactly one symbol, orderhub_plugin_entry, a
 *   function returning a pointer to a const oh_plugin in static storage.  OH_PLUGIN_DEFINE
 *   writes that function; link with `-export-symbols-regex '^orderhub_plugin_entry$'` (or a
 *   version script) so nothing else leaks.
 *
 *   The descriptor begins with abi_major, abi_minor and struct_size, which the loader checks
 *   before it reads anything else (see abi.h for the rules).  OH_PLUGIN_INIT fills those
 *   three and zeroes every field you do not name, so a source written for 1.0 keeps
 *   compiling and loading when later minors append fields.
 *
 * INSTANCES
 *   One module may be configured as several instances with different settings (two UPS
 *   accounts).  The loader calls init once per instance; every operation receives that
 *   instance's `state`.  Plugin code must keep no per-instance data in globals.
 *
 * LIFETIME
 *   init -> operations (from any thread, concurrently: protect your own state) -> destroy.
 *   On a config reload, new instances are initialised before old ones are destroyed, so two
 *   generations of the same instance id may briefly coexist.  The shared object itself is
 *   never unloaded while the process runs.
 */
#ifndef ORDERHUB_PLUGIN_H
#define ORDERHUB_PLUGIN_H

#include <orderhub/abi.h>
#include <orderhub/carrier.h>
#include <orderhub/filter.h>
#include <orderhub/host.h>
#include <orderhub/notifier.h>
#include <orderhub/payment.h>
#include <orderhub/settings.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a plugin is.  Exactly one kind per module; its ops pointer must be set. */
typedef enum oh_plugin_kind {
    OH_KIND_PAYMENT = 1,  /**< payment gateway: .payment */
    OH_KIND_CARRIER = 2,  /**< carrier: .carrier */
    OH_KIND_NOTIFIER = 3, /**< notification channel: .notifier */
    OH_KIND_FILTER = 4    /**< synchronous verdict: .filter */
} oh_plugin_kind;

/*
 * oh_plugin_init_fn - create one instance.
 *
 *   host      the host table; valid for the life of the process.
 *   self      the instance handle for host->log / kv_*; valid until destroy returns.
 *   settings  validated settings; valid until destroy returns.
 *   state     out: the plugin's per-instance state, handed to every operation (may be NULL).
 *   err       out: the reason on failure.
 *
 * Returns OH_OK, or OH_FAIL with err set: the instance (and, on reload, the whole new
 * configuration) is refused.  Must not block on the network.
 */
typedef int (*oh_plugin_init_fn)(const oh_host_api *host, oh_instance *self,
                                 const oh_settings *settings, void **state, oh_error *err);

/** oh_plugin_destroy_fn - free `state` (as returned by init).  May be NULL if unneeded. */
typedef void (*oh_plugin_destroy_fn)(void *state);

/*
 * oh_auth_token - a bearer token from an auth step (since 1.0).  Zeroed by the host.
 */
typedef struct oh_auth_token {
    uint32_t struct_size;
    char token[4096];      /**< the access token; sensitive: never log it */
    int64_t expires_in_s;  /**< lifetime in seconds from now; the host refreshes earlier */
} oh_auth_token;

/*
 * oh_plugin - the descriptor (since 1.0).  Static storage of the plugin; build it with
 * OH_PLUGIN_INIT.  The host copies what it needs and never writes to it.
 */
typedef struct oh_plugin {
    uint16_t abi_major;            /**< OH_ABI_MAJOR of the SDK the plugin was built with */
    uint16_t abi_minor;            /**< OH_ABI_MINOR of that SDK */
    uint32_t struct_size;          /**< sizeof(oh_plugin) of that SDK */
    uint32_t setting_spec_size;    /**< sizeof(oh_setting_spec) of that SDK: array stride */
    const char *name;              /**< module name, [a-z0-9_]+, equal to the file's stem */
    const char *version;           /**< plugin's own version, e.g. "1.2.0" */
    const char *description;       /**< one line */
    oh_plugin_kind kind;
    const oh_setting_spec *settings; /**< OH_SETTINGS_END-terminated array, or NULL */
    oh_plugin_init_fn init;          /**< mandatory */
    oh_plugin_destroy_fn destroy;    /**< optional */
    /**
     * Optional pair, multi-step auth (OAuth2 client credentials): the host calls auth_build,
     * sends the request, calls auth_parse, and caches the token until shortly before it
     * expires.  Every later build operation finds the current token in req->auth_token.
     */
    int (*auth_build)(void *state, oh_request *req, oh_error *err);
    int (*auth_parse)(void *state, const oh_response *resp, oh_auth_token *out, oh_error *err);
    const oh_payment_ops *payment;   /**< set iff kind == OH_KIND_PAYMENT */
    const oh_carrier_ops *carrier;   /**< set iff kind == OH_KIND_CARRIER */
    const oh_notifier_ops *notifier; /**< set iff kind == OH_KIND_NOTIFIER */
    const oh_filter_ops *filter;     /**< set iff kind == OH_KIND_FILTER */
} oh_plugin;

/** Type of the one exported function. */
typedef const oh_plugin *(*oh_plugin_entry_fn)(void);

/** Descriptor initialiser: ABI fields filled, everything not named zeroed. */
#define OH_PLUGIN_INIT(...)                                                               \
    {                                                                                     \
        .abi_major = OH_ABI_MAJOR, .abi_minor = OH_ABI_MINOR,                             \
        .struct_size = (uint32_t)sizeof(oh_plugin),                                       \
        .setting_spec_size = (uint32_t)sizeof(oh_setting_spec), __VA_ARGS__               \
    }

/** Operations-table initialiser: struct_size filled, everything not named zeroed. */
#define OH_OPS_INIT(type, ...) { .struct_size = (uint32_t)sizeof(type), __VA_ARGS__ }

#if defined(__GNUC__)
#define OH_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define OH_PLUGIN_EXPORT
#endif

/** Define the exported entry point returning &descriptor. */
#define OH_PLUGIN_DEFINE(descriptor)                                                      \
    OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry(void);                        \
    OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry(void) { return &(descriptor); }

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_PLUGIN_H */
