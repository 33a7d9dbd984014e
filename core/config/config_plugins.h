/*
 * config_plugins - the readers of plugin_path, the plugin instances and the routes, for
 * config_file.c: each fills its part of c (allocations owned by c, freed by cfg_free) and
 * reports every problem to d.
 */
#ifndef OH_CONFIG_PLUGINS_H
#define OH_CONFIG_PLUGINS_H

#include "config/config_types.h"

void cfg_read_plugin_path(cfg_file *c, diag_list *d);
void cfg_read_instances(cfg_file *c, diag_list *d);
void cfg_read_routes(cfg_file *c, diag_list *d);

#endif
