/*
 * config - reads the main libconfig file (and its @includes) into checked values.
 *
 * Everything the core itself understands is validated here with file:line; each plugin
 * instance's `settings` group is kept as a libconfig node for the settings module, which
 * validates it against the plugin's schema once the module is loaded (runtime.c).
 *
 * Relative paths in the file (includes, plugin_path, store path, file: secrets) are taken
 * relative to the directory of the main file, so the daemon behaves the same whatever its
 * working directory (it changes to / when it daemonizes).
 */
#ifndef OH_CONFIG_H
#define OH_CONFIG_H

#include "config/config_types.h"

#include <stddef.h>

/*
 * cfg_load - parse and check `path`.  Every problem goes to `d` with file:line.  Returns the
 * file (caller frees with cfg_free) unless it could not be parsed at all; check
 * diag_failed(d) before using it.
 */
cfg_file *cfg_load(const char *path, diag_list *d);

void cfg_free(cfg_file *c);

/*
 * cfg_parse_listen - "HOST:PORT" (IPv4 or localhost; port 0 = any free one) into an
 * address.  Until the API authenticates callers, only loopback addresses are accepted.
 * 0, or -1 with err set.
 */
struct sockaddr_in;
int cfg_parse_listen(const char *listen, struct sockaddr_in *out, char *err, size_t errlen);

#endif
