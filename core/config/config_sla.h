/*
 * config_sla - the reader of the sla = { ... } group, for config_file.c: fills c's *_ms
 * durations (defaults for what is absent) and reports every problem to d.
 */
#ifndef OH_CONFIG_SLA_H
#define OH_CONFIG_SLA_H

#include "config/config_types.h"

void cfg_read_sla(cfg_file *c, diag_list *d);

/* cfg_sla_cancels - 1 when a breach of seller `seller_id`'s ship-by deadline cancels the
 * order (its own on_breach, else the group's), with the grace into *grace_ms (may be
 * NULL); 0 when it is only recorded.  seller_id NULL: the group's policy. */
int cfg_sla_cancels(const cfg_file *c, const char *seller_id, int64_t *grace_ms);

#endif
