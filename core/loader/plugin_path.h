/*
 * plugin_path - the plugin search path as a list of directories.  Here, beside the loader
 * that searches it, so that the daemon and the SDK test kit split ORDERHUB_PLUGIN_PATH the
 * same way without the test kit depending on the runtime.
 */
#ifndef OH_PLUGIN_PATH_H
#define OH_PLUGIN_PATH_H

#include <stddef.h>

/*
 * ldr_split_path - split a colon-separated directory list (ORDERHUB_PLUGIN_PATH; NULL is
 * empty) into a NULL-terminated array of new strings, *count of them; empty entries are
 * skipped.  The caller owns the array: free it with ldr_free_path.  NULL when out of memory.
 */
char **ldr_split_path(const char *list, size_t *count);

/* ldr_free_path - free an array from ldr_split_path and its strings (NULL: nothing). */
void ldr_free_path(char **dirs);

#endif
