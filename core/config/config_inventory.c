/*
 * config_inventory - the inventory = { ... } group:
 *   inventory = { untracked = "unlimited"; sellers = ( { id = "s-1"; untracked = "refuse"; } ); }
 * `untracked` says what a placement does with a SKU its seller keeps no stock record of:
 * "unlimited" (the default, so that setups and the demo without stock keep placing) or
 * "refuse" (a seller who tracks everything would rather refuse than sell what it never
 * counted).  A seller listed in `sellers` has its own.
 */
#include "config.h"

#include "config/config_inventory.h"
#include "config/config_get.h"

#include <stdlib.h>
#include <string.h>

#define SELLER_ID_MAX 64 /* the store's ST_ID_MAX: an order's seller.id fits it */

/* "unlimited" 0, "refuse" 1, `def` when absent; an error for anything else. */
static int read_untracked(const config_setting_t *g, const char *what, int def, diag_list *d)
{
    const char *v = cfg_get_string(g, "untracked", 0, what, d);
    if (v == NULL)
        return def;
    if (strcmp(v, "unlimited") == 0)
        return 0;
    if (strcmp(v, "refuse") == 0)
        return 1;
    diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "untracked")),
             "%s: untracked '%s' is not \"unlimited\" or \"refuse\"", what, v);
    return def;
}

static void read_sellers(cfg_file *c, const config_setting_t *list, diag_list *d)
{
    static const char *const known[] = {"id", "untracked", NULL};
    if (!config_setting_is_list(list)) {
        diag_add(d, DIAG_ERROR, WHERE(list), "inventory: sellers must be a list ( { id = "
                 "\"s-1\"; untracked = \"refuse\"; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    c->inventory_sellers = n > 0 ? calloc((size_t)n, sizeof(*c->inventory_sellers)) : NULL;
    if (n > 0 && c->inventory_sellers == NULL) {
        diag_add(d, DIAG_ERROR, WHERE(list), "out of memory");
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g)) {
            diag_add(d, DIAG_ERROR, WHERE(g), "inventory: each seller is a group { id; "
                     "untracked; }");
            continue;
        }
        cfg_check_members(g, "an inventory seller", known, d);
        const char *id = cfg_get_string(g, "id", 1, "inventory seller", d);
        if (id == NULL)
            continue;
        if (strlen(id) >= SELLER_ID_MAX) {
            diag_add(d, DIAG_ERROR, WHERE(g), "inventory seller id '%s' is longer than %d "
                     "bytes", id, SELLER_ID_MAX - 1);
            continue;
        }
        int dup = 0;
        for (size_t k = 0; k < c->inventory_seller_count; k++)
            dup |= strcmp(c->inventory_sellers[k].id, id) == 0;
        if (dup) {
            diag_add(d, DIAG_ERROR, WHERE(g), "inventory seller '%s' is listed twice", id);
            continue;
        }
        if (config_setting_get_member(g, "untracked") == NULL)
            diag_add(d, DIAG_ERROR, WHERE(g), "inventory seller '%s' needs its untracked "
                     "setting", id);
        cfg_inventory_seller *s = &c->inventory_sellers[c->inventory_seller_count++];
        s->id = id;
        s->refuse_untracked = read_untracked(g, "inventory seller", c->inventory_refuse_untracked,
                                             d);
    }
}

void cfg_read_inventory(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"untracked", "sellers", NULL};
    c->inventory_refuse_untracked = 0;
    const config_setting_t *g = config_lookup(&c->lc, "inventory");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "inventory must be a group { untracked = "
                 "\"unlimited\"; ... }");
        return;
    }
    cfg_check_members(g, "inventory", known, d);
    c->inventory_refuse_untracked = read_untracked(g, "inventory", 0, d);
    const config_setting_t *sellers = config_setting_get_member(g, "sellers");
    if (sellers != NULL)
        read_sellers(c, sellers, d);
}

int cfg_inventory_refuses(const cfg_file *c, const char *seller_id)
{
    for (size_t i = 0; seller_id != NULL && i < c->inventory_seller_count; i++) {
        if (strcmp(c->inventory_sellers[i].id, seller_id) == 0)
            return c->inventory_sellers[i].refuse_untracked;
    }
    return c->inventory_refuse_untracked;
}
