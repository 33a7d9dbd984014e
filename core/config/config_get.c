/*
 * config_get - typed reads of one libconfig member, each error reported with file:line.
 */
#include "config.h"

#include "config/config_get.h"
#include "util/duration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Members a group may hold; anything else is a typo worth an error, not silence. */
void cfg_check_members(const config_setting_t *group, const char *what,
                       const char *const *known, diag_list *d)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(m);
        size_t k = 0;
        while (known[k] != NULL && strcmp(known[k], name) != 0)
            k++;
        if (known[k] == NULL) {
            char list[256] = "";
            size_t used = 0;
            for (size_t j = 0; known[j] != NULL && used < sizeof(list); j++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s", j ? ", " : "",
                                 known[j]);
                used += w > 0 ? (size_t)w : 0;
            }
            diag_add(d, DIAG_ERROR, WHERE(m), "unknown setting '%s' in %s (known: %s)",
                     name ? name : "?", what, list);
        }
    }
}

/* A string member; NULL (and an error when present with another type) otherwise. */
const char *cfg_get_string(const config_setting_t *group, const char *name, int required,
                           const char *what, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m == NULL) {
        if (required)
            diag_add(d, DIAG_ERROR, WHERE(group), "%s: '%s' is missing", what, name);
        return NULL;
    }
    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be a string", what, name);
        return NULL;
    }
    const char *s = config_setting_get_string(m);
    if (required && *s == '\0') {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must not be empty", what, name);
        return NULL;
    }
    return s;
}

/* An integer member in [min, max], or `def` when absent. */
int64_t cfg_get_range(const config_setting_t *group, const char *name, int64_t def,
                      int64_t min, int64_t max, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m == NULL)
        return def;
    int t = config_setting_type(m);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be an integer",
                 config_setting_name(group), name);
        return def;
    }
    int64_t v = config_setting_get_int64(m);
    if (v < min || v > max) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be between %lld and %lld, not %lld",
                 config_setting_name(group), name, (long long)min, (long long)max,
                 (long long)v);
        return def;
    }
    return v;
}

int64_t cfg_get_duration(const config_setting_t *group, const char *name, int64_t def,
                         int64_t min_ms, int64_t max_ms, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m == NULL)
        return def;
    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be a duration string such as \"48h\"",
                 config_setting_name(group), name);
        return def;
    }
    int64_t v;
    char why[160];
    if (duration_parse(config_setting_get_string(m), min_ms, max_ms, &v, why, sizeof(why)) != 0) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s': %s", config_setting_name(group), name, why);
        return def;
    }
    return v;
}

int64_t cfg_get_positive(const config_setting_t *group, const char *name, int64_t def,
                         int64_t max, diag_list *d)
{
    return cfg_get_range(group, name, def, 1, max, d);
}

char *cfg_absolute(const char *base_dir, const char *path)
{
    char *out = NULL;
    if (path[0] == '/')
        return strdup(path);
    return asprintf(&out, "%s/%s", base_dir, path) < 0 ? NULL : out;
}

int cfg_id_is_valid(const char *s)
{
    if (*s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    }
    return 1;
}

/* A true/false member into *out (left as is when absent); an error for another type. */
void cfg_get_bool(const config_setting_t *group, const char *name, const char *what,
                  int *out, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m != NULL && config_setting_type(m) != CONFIG_TYPE_BOOL)
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be true or false", what, name);
    else if (m != NULL)
        *out = config_setting_get_bool(m);
}
