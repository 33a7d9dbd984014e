/*
 * orderhub/settings.h - declarative settings schema of a plugin.
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * A plugin declares every setting it accepts as an array of oh_setting_spec ending with an
 * entry whose name is NULL (OH_SETTINGS_END).  From that array the host:
 *
 *   - validates each instance's `settings = { ... }` group before init: unknown names, wrong
 *     types, missing required values and out-of-range integers are errors naming file:line;
 *   - fills in defaults, so a plugin always reads a value for every declared setting;
 *   - resolves `env:NAME` and `file:PATH` string values (secrets kept out of config files);
 *   - redacts OH_SETTING_SENSITIVE values everywhere it prints them (logs, --check-config -v,
 *     `orderhub-plugin info`, error messages);
 *   - documents the plugin (`orderhub-plugin info` prints the schema as JSON).
 *
 * The plugin reads resolved values through the host table (host.h: setting_string,
 * setting_int, setting_bool, setting_double).
 */
#ifndef ORDERHUB_SETTINGS_H
#define ORDERHUB_SETTINGS_H

#include <orderhub/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Type of one setting, as written in the libconfig file. */
typedef enum oh_setting_type {
    OH_SETTING_STRING = 1, /**< "text"; env:NAME and file:PATH are resolved */
    OH_SETTING_INT = 2,    /**< integer (64-bit), optionally bounded by min/max */
    OH_SETTING_BOOL = 3,   /**< true / false */
    OH_SETTING_DOUBLE = 4  /**< floating point; an integer literal is accepted too */
} oh_setting_type;

/** The setting must be given in the config; default_value is ignored. */
#define OH_SETTING_REQUIRED 0x1u
/** The value is a secret: never printed, logged or echoed in an error. */
#define OH_SETTING_SENSITIVE 0x2u
/**
 * (since 1.1) OH_SETTING_STRING: the value is an http:// or https:// URL with a host and no
 * blank or control character (or empty, for an optional setting without a default); the
 * host refuses anything else at the configuration file's line, so init need not check it.
 */
#define OH_SETTING_HTTP_URL 0x4u

/*
 * oh_setting_spec - one declared setting (since 1.0).
 *
 * All pointers point to static storage of the plugin and must stay valid for the life of the
 * process (the host never copies them).  The host walks the array with the stride recorded in
 * the descriptor (oh_plugin.setting_spec_size), so fields appended in a later minor do not
 * break plugins built against an older header.
 */
typedef struct oh_setting_spec {
    const char *name;          /**< [a-z0-9_]+, unique in the array; NULL ends the array */
    oh_setting_type type;      /**< value type */
    const char *default_value; /**< textual default ("30", "true", "https://...") or NULL */
    const char *description;   /**< one sentence for docs and `orderhub-plugin info` */
    unsigned flags;            /**< OH_SETTING_REQUIRED | _SENSITIVE | _HTTP_URL */
    int64_t min;               /**< OH_SETTING_INT: smallest accepted value, if min < max */
    int64_t max;               /**< OH_SETTING_INT: largest accepted value, if min < max */
} oh_setting_spec;

/** Terminator of an oh_setting_spec array. */
#define OH_SETTINGS_END { NULL, (oh_setting_type)0, NULL, NULL, 0u, 0, 0 }

/*
 * oh_settings - the validated, resolved settings of one plugin instance.  Opaque; owned by
 * the host and valid from init until destroy returns.  Read it through the host table.
 */
typedef struct oh_settings oh_settings;

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_SETTINGS_H */
