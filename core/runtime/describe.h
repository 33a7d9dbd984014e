/*
 * describe - a generation as JSON (`orderhubd --check-config --verbose`).
 */
#ifndef OH_RUNTIME_DESCRIBE_H
#define OH_RUNTIME_DESCRIBE_H

#include "runtime/runtime_types.h"

#include <jansson.h>

/*
 * rt_describe - the generation as JSON: {"instances":[{id, module, kind, version, abi,
 * settings (sensitive values "***")}], "routes":[{on, chain}]}.  New reference or NULL.
 */
json_t *rt_describe(const rt_gen *g);

#endif
