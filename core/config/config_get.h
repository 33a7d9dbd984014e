/*
 * config_get - typed reads of one member of orderhub.conf, for the readers of its groups
 * (config_file.c, config_plugins.c, config_api.c).  Every error goes to the diag_list with
 * the file:line of the setting; nothing here stops at the first one.
 */
#ifndef OH_CONFIG_GET_H
#define OH_CONFIG_GET_H

#include "config/config_types.h"

#include <stdint.h>

/* WHERE(cs) - the file and line of setting cs, for diag_add. */
#define WHERE(cs) config_setting_source_file(cs), config_setting_source_line(cs)

/* cfg_check_members - an error for every member of `group` not in the NULL-terminated
 * `known` (a typo is worth an error, not silence); `what` names the group in it. */
void cfg_check_members(const config_setting_t *group, const char *what,
                       const char *const *known, diag_list *d);

/* cfg_get_string - member `name` of `group` as a string owned by the libconfig tree; NULL
 * when absent (an error if `required`), of another type, or empty and `required`. */
const char *cfg_get_string(const config_setting_t *group, const char *name, int required,
                           const char *what, diag_list *d);

/* cfg_get_range - integer member `name` in [min, max]; `def` when absent or wrong (an
 * error then). */
int64_t cfg_get_range(const config_setting_t *group, const char *name, int64_t def,
                      int64_t min, int64_t max, diag_list *d);

/* cfg_get_positive - cfg_get_range with min 1. */
int64_t cfg_get_positive(const config_setting_t *group, const char *name, int64_t def,
                         int64_t max, diag_list *d);

/* cfg_get_duration - string member `name` ("90s", "30m", "48h", "7d": util/duration.h) in
 * milliseconds within [min_ms, max_ms]; `def` when absent or wrong (an error then). */
int64_t cfg_get_duration(const config_setting_t *group, const char *name, int64_t def,
                         int64_t min_ms, int64_t max_ms, diag_list *d);

/* cfg_get_bool - a true/false member into *out, left as is when absent; an error for
 * another type. */
void cfg_get_bool(const config_setting_t *group, const char *name, const char *what, int *out,
                  diag_list *d);

/* cfg_absolute - `path` made absolute against `base_dir` (the main file's directory);
 * malloc'd (the caller frees), NULL when out of memory. */
char *cfg_absolute(const char *base_dir, const char *path);

/* cfg_id_is_valid - 1 when s is an instance id: 1 to 64 of [A-Za-z0-9_-]. */
int cfg_id_is_valid(const char *s);

#endif
