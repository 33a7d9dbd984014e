/*
 * config_inventory - the reader of the inventory = { ... } group (for config_file.c), and
 * the answer the engine asks of it: does a seller's placement refuse a SKU with no stock
 * record?
 */
#ifndef OH_CONFIG_INVENTORY_H
#define OH_CONFIG_INVENTORY_H

#include "config/config_types.h"

void cfg_read_inventory(cfg_file *c, diag_list *d);

/* cfg_inventory_refuses - 1 when seller `seller_id`'s placements refuse untracked SKUs
 * (its own setting, else the group's), 0 when those are unlimited. */
int cfg_inventory_refuses(const cfg_file *c, const char *seller_id);

#endif
