/*
 * settings - validates an instance's libconfig `settings` group against its plugin's
 * declared schema, resolves env:/file: references, fills defaults, and redacts secrets.
 *
 * struct oh_settings (opaque in the SDK) is defined here.  Values never change after
 * set_build returns, so readers need no lock.
 */
#ifndef OH_SETTINGS_H
#define OH_SETTINGS_H

#include "util/diag.h"

#include <jansson.h>
#include <libconfig.h>
#include <orderhub/settings.h>

typedef struct set_value {
    const oh_setting_spec *spec; /* borrowed from the module (lives for the process) */
    char *str;                   /* OH_SETTING_STRING: owned, never NULL */
    int64_t i;                   /* OH_SETTING_INT */
    int b;                       /* OH_SETTING_BOOL */
    double d;                    /* OH_SETTING_DOUBLE */
    int from_config;             /* given in the file (1) or a default (0) */
} set_value;

struct oh_settings {
    set_value *values; /* owned, `count` entries in spec order */
    size_t count;
};

/*
 * set_spec_check - validate spec[index] of a plugin's schema (name syntax, known type,
 * unique name, default parses as the type, min <= max).  0, or -1 with err set.
 */
int set_spec_check(const oh_setting_spec *specs, size_t index, char *err, size_t errlen);

/*
 * set_build - validate `group` (a libconfig group, or NULL when absent) against specs[0..n)
 * for instance `instance_id` declared at file:line.  Relative file: paths are resolved
 * against `base_dir`.  Every problem is added to `d`; returns the settings only when there
 * was none (caller frees with set_free), else NULL.
 */
oh_settings *set_build(const oh_setting_spec *specs, size_t n, const config_setting_t *group,
                       const char *instance_id, const char *base_dir, const char *file,
                       int line, diag_list *d);

void set_free(oh_settings *s);

/* set_find - the value called `name`, or NULL. */
const set_value *set_find(const oh_settings *s, const char *name);

/*
 * set_to_json - {"name": value, ...} with every sensitive value replaced by "***".  New
 * reference, NULL on memory failure.
 */
json_t *set_to_json(const oh_settings *s);

/* set_type_name - "string", "int", "bool", "double". */
const char *set_type_name(oh_setting_type t);

/* The accessors of the host table (host.h). */
const char *set_get_string(const oh_settings *s, const char *name);
int64_t set_get_int(const oh_settings *s, const char *name);
int set_get_bool(const oh_settings *s, const char *name);
double set_get_double(const oh_settings *s, const char *name);

/*
 * set_resolve_reference - "env:NAME" -> the variable, "file:PATH" -> the file's content
 * (relative to base_dir, one trailing newline dropped), anything else -> a copy.  New
 * string (free it), or NULL with `why` set (never quoting a secret).
 */
char *set_resolve_reference(const char *text, const char *base_dir, char *why, size_t whylen);

/* Largest secret file read through file:PATH. */
#define SET_SECRET_FILE_MAX (64 * 1024)

#endif
