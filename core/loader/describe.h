/*
 * describe - a module's descriptor as JSON, for `orderhub-plugin info` and the daemon's
 * `--check-config -v`.  Sensitive defaults are redacted.
 */
#ifndef OH_DESCRIBE_H
#define OH_DESCRIBE_H

#include "loader/loader.h"

#include <jansson.h>

/* ldr_describe - new reference, NULL on memory failure. */
json_t *ldr_describe(const ldr_module *m);

#endif
