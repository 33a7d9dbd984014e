/*
 * config_api - the api group: its readers, for config_file.c (each fills its part of c,
 * allocations owned by c and freed by cfg_free, and reports every problem to d), and the
 * comparison of two files' limits the daemon makes on a reload.
 */
#ifndef OH_CONFIG_API_H
#define OH_CONFIG_API_H

#include "config/config_types.h"

void cfg_read_api(cfg_file *c, diag_list *d);
void cfg_read_api_limits(cfg_file *c, diag_list *d);

/* cfg_api_limits_equal - whether two files' API limits are the same (reload warning). */
int cfg_api_limits_equal(const cfg_api_limits *a, const cfg_api_limits *b);

#endif
