/*
 * tk_instance - the SDK test kit's one plugin instance: a module loaded by the daemon's own
 * loader, settings validated by the daemon's own schema code from `--setting key=value`
 * pairs, init called with the daemon's host table.  What the test kit accepts, orderhubd
 * accepts, and the other way round.
 */
#ifndef TK_INSTANCE_H
#define TK_INSTANCE_H

#include "loader/loader.h"
#include "runtime/instance.h"

#include <stdio.h>

typedef struct tk_instance {
    struct oh_instance inst;
    int initialised;
} tk_instance;

/*
 * tk_instance_open - load `plugin` (path or module name, see tk_load), check it is of
 * `kind`, build its settings
 * from pairs[0..npairs) ("key=value", typed by the plugin's schema) and call init.  Prints
 * every problem on stderr and returns -1; 0 when `out` is ready for tk_instance_close.
 */
int tk_instance_open(ldr_registry *reg, const char *plugin, oh_plugin_kind kind, char **dirs,
                     size_t ndirs, char **pairs, size_t npairs, tk_instance *out);
void tk_instance_close(tk_instance *t);

/* tk_load - load PLUGIN as a path (contains '/') or a module name searched in dirs, then
 * ORDERHUB_PLUGIN_PATH, then the installed directory.  Prints the refusal; NULL on one. */
const ldr_module *tk_load(ldr_registry *reg, const char *plugin, char **dirs, size_t ndirs);

/* tk_read_file - the whole of `path` (at most `max` bytes) NUL-terminated; NULL with the
 * reason printed on stderr. */
char *tk_read_file(const char *path, size_t max, size_t *len);

/* tk_print_json - print `j` indented, keys in insertion order; steals the reference. */
int tk_print_json(json_t *j);

#endif
