/*
 * config_sla - the reader of the sla = { ... } group, for config_file.c: fills c's *_ms
 * durations (defaults for what is absent) and reports every problem to d.
 */
#ifndef OH_CONFIG_SLA_H
#define OH_CONFIG_SLA_H

#include "config/config_types.h"

void cfg_read_sla(cfg_file *c, diag_list *d);

#endif
