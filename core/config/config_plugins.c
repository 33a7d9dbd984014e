/*
 * config_plugins - plugin_path, the plugin instances (with their limits) and the routes of
 * orderhub.conf, checked as far as the core understands them.
 */
#include "config.h"

#include "config/config_get.h"
#include "config/config_plugins.h"

#include <stdlib.h>
#include <string.h>

void cfg_read_plugin_path(cfg_file *c, diag_list *d)
{
    const config_setting_t *a = config_lookup(&c->lc, "plugin_path");
    if (a == NULL)
        return;
    if (!config_setting_is_array(a) && !config_setting_is_list(a)) {
        diag_add(d, DIAG_ERROR, WHERE(a), "plugin_path must be a list of directories "
                 "[ \"dir\", ... ]");
        return;
    }
    int n = config_setting_length(a);
    c->plugin_path = calloc((size_t)n + 1, sizeof(char *));
    if (c->plugin_path == NULL) {
        d->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING ||
            *config_setting_get_string(e) == '\0') {
            diag_add(d, DIAG_ERROR, WHERE(a), "plugin_path: entry %d must be a non-empty "
                     "string", i + 1);
            continue;
        }
        char *dir = cfg_absolute(c->base_dir, config_setting_get_string(e));
        if (dir == NULL)
            d->oom = 1;
        else
            c->plugin_path[c->plugin_path_count++] = dir;
    }
}

static void read_limits(const config_setting_t *g, cfg_instance *inst, diag_list *d)
{
    static const char *const known[] = {"concurrency", "rate_per_s", "connect_timeout_ms",
                                        "timeout_ms", "max_response_bytes", "insecure_tls",
                                        NULL};
    const config_setting_t *l = config_setting_get_member(g, "limits");
    if (l == NULL)
        return;
    if (!config_setting_is_group(l)) {
        diag_add(d, DIAG_ERROR, WHERE(l), "limits must be a group { concurrency = 4; ... }");
        return;
    }
    cfg_check_members(l, "an instance's limits", known, d);
    inst->limits.concurrency = cfg_get_range(l, "concurrency", 0, 1, 1024, d);
    inst->limits.connect_timeout_ms = cfg_get_range(l, "connect_timeout_ms", 0, 10, 600000, d);
    inst->limits.timeout_ms = cfg_get_range(l, "timeout_ms", 0, 10, 3600000, d);
    inst->limits.max_response_bytes =
        cfg_get_range(l, "max_response_bytes", 0, 1024, 64 * 1024 * 1024, d);
    const config_setting_t *r = config_setting_get_member(l, "rate_per_s");
    int rt = r ? config_setting_type(r) : CONFIG_TYPE_NONE;
    if (r != NULL && rt != CONFIG_TYPE_FLOAT && rt != CONFIG_TYPE_INT && rt != CONFIG_TYPE_INT64)
        diag_add(d, DIAG_ERROR, WHERE(r), "limits: 'rate_per_s' must be a number");
    else if (r != NULL)
        inst->limits.rate_per_s = rt == CONFIG_TYPE_FLOAT ? config_setting_get_float(r)
                                                          : (double)config_setting_get_int64(r);
    if (inst->limits.rate_per_s < 0 || inst->limits.rate_per_s > 1e6) {
        diag_add(d, DIAG_ERROR, WHERE(r), "limits: 'rate_per_s' must be between 0 and 1e6");
        inst->limits.rate_per_s = 0;
    }
    const config_setting_t *t = config_setting_get_member(l, "insecure_tls");
    if (t != NULL && config_setting_type(t) != CONFIG_TYPE_BOOL)
        diag_add(d, DIAG_ERROR, WHERE(t), "limits: 'insecure_tls' must be true or false");
    else if (t != NULL && (inst->limits.insecure_tls = config_setting_get_bool(t)))
        diag_add(d, DIAG_WARNING, WHERE(t), "instance '%s': insecure_tls = true turns TLS "
                 "certificate and host verification OFF; for local test servers only",
                 inst->id ? inst->id : "?");
}

/* audience = "buyer" | "seller" | "operator"; UNSET when absent or wrong (reported). */
static cfg_audience read_audience(const config_setting_t *g, const char *what, diag_list *d)
{
    static const char *const names[] = {[CFG_AUDIENCE_BUYER] = "buyer",
                                        [CFG_AUDIENCE_SELLER] = "seller",
                                        [CFG_AUDIENCE_OPERATOR] = "operator"};
    const config_setting_t *a = config_setting_get_member(g, "audience");
    if (a == NULL)
        return CFG_AUDIENCE_UNSET;
    const char *v = config_setting_type(a) == CONFIG_TYPE_STRING
                        ? config_setting_get_string(a) : "";
    for (int k = CFG_AUDIENCE_BUYER; k <= CFG_AUDIENCE_OPERATOR; k++)
        if (strcmp(v, names[k]) == 0)
            return (cfg_audience)k;
    diag_add(d, DIAG_ERROR, WHERE(a), "%s: 'audience' must be \"buyer\", \"seller\" or "
             "\"operator\"", what);
    return CFG_AUDIENCE_UNSET;
}

void cfg_read_instances(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"id", "module", "settings", "limits", "audience",
                                        NULL};
    const config_setting_t *list = config_lookup(&c->lc, "plugins");
    if (list == NULL)
        return;
    if (!config_setting_is_list(list)) {
        diag_add(d, DIAG_ERROR, WHERE(list), "plugins must be a list ( { id = ...; "
                 "module = ...; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    c->instances = calloc((size_t)n + 1, sizeof(*c->instances));
    if (c->instances == NULL) {
        d->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g)) {
            diag_add(d, DIAG_ERROR, WHERE(g), "plugins: entry %d must be a group { ... }",
                     i + 1);
            continue;
        }
        cfg_check_members(g, "a plugin instance", known, d);
        cfg_instance inst = {0};
        inst.where = (cfg_where){WHERE(g)};
        inst.id = cfg_get_string(g, "id", 1, "plugin instance", d);
        inst.module = cfg_get_string(g, "module", 1, "plugin instance", d);
        inst.settings = config_setting_get_member(g, "settings");
        if (inst.settings != NULL && !config_setting_is_group(inst.settings)) {
            diag_add(d, DIAG_ERROR, WHERE(inst.settings), "plugin instance '%s': settings "
                     "must be a group { name = value; ... }", inst.id ? inst.id : "?");
            continue;
        }
        if (inst.id == NULL || inst.module == NULL)
            continue;
        read_limits(g, &inst, d);
        inst.audience = read_audience(g, "plugin instance", d);
        if (inst.audience != CFG_AUDIENCE_UNSET)
            inst.audience_where =
                (cfg_where){WHERE(config_setting_get_member(g, "audience"))};
        if (!cfg_id_is_valid(inst.id)) {
            diag_add(d, DIAG_ERROR, WHERE(g), "plugin instance id '%s' is not "
                     "[A-Za-z0-9_-]{1,64}", inst.id);
            continue;
        }
        int dup = 0;
        for (size_t k = 0; k < c->instance_count && !dup; k++) {
            if (strcmp(c->instances[k].id, inst.id) == 0) {
                diag_add(d, DIAG_ERROR, WHERE(g), "duplicate plugin instance id '%s' (first "
                         "defined at %s:%d)", inst.id, c->instances[k].where.file,
                         c->instances[k].where.line);
                dup = 1;
            }
        }
        if (!dup)
            c->instances[c->instance_count++] = inst;
    }
}

/* when = { country = ["US", "CA"]; seller = "s-42"; } - each value a string or a list. */
static void read_when(const config_setting_t *g, cfg_route *r, diag_list *d)
{
    static const char *const fields[] = CFG_CONDITION_FIELDS;
    const config_setting_t *w = config_setting_get_member(g, "when");
    if (w == NULL)
        return;
    if (!config_setting_is_group(w)) {
        diag_add(d, DIAG_ERROR, WHERE(w), "route: 'when' must be a group { country = "
                 "[\"US\"]; ... }");
        return;
    }
    cfg_check_members(w, "a route's when", fields, d);
    for (int i = 0; i < config_setting_length(w); i++) {
        const config_setting_t *m = config_setting_get_elem(w, (unsigned)i);
        size_t k = 0;
        while (fields[k] != NULL && strcmp(fields[k], config_setting_name(m)) != 0)
            k++;
        if (fields[k] == NULL)
            continue; /* reported by check_members */
        int scalar = config_setting_type(m) == CONFIG_TYPE_STRING;
        int n = scalar ? 1 : (config_setting_is_array(m) || config_setting_is_list(m))
                                 ? config_setting_length(m) : 0;
        cfg_condition *cond = &r->when[r->when_count];
        cond->values = n > 0 ? calloc((size_t)n, sizeof(char *)) : NULL;
        for (int v = 0; cond->values != NULL && v < n; v++) {
            const config_setting_t *e = scalar ? m : config_setting_get_elem(m, (unsigned)v);
            if (config_setting_type(e) == CONFIG_TYPE_STRING && *config_setting_get_string(e))
                cond->values[cond->value_count++] = config_setting_get_string(e);
        }
        if (cond->value_count == 0 || cond->value_count != (size_t)n) {
            diag_add(d, DIAG_ERROR, WHERE(m), "route: when.%s must be a non-empty string or "
                     "a list of them", fields[k]);
            free(cond->values);
            cond->values = NULL;
            cond->value_count = 0;
            continue;
        }
        cond->field = fields[k];
        r->when_count++;
    }
}

void cfg_read_routes(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"on", "chain", "when", "audience", NULL};
    const config_setting_t *list = config_lookup(&c->lc, "routes");
    if (list == NULL)
        return;
    if (!config_setting_is_list(list)) {
        diag_add(d, DIAG_ERROR, WHERE(list), "routes must be a list ( { on = ...; chain = "
                 "[ ... ]; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    c->routes = calloc((size_t)n + 1, sizeof(*c->routes));
    if (c->routes == NULL) {
        d->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g)) {
            diag_add(d, DIAG_ERROR, WHERE(g), "routes: entry %d must be a group { ... }",
                     i + 1);
            continue;
        }
        cfg_check_members(g, "a route", known, d);
        cfg_route r = {0};
        r.where = (cfg_where){WHERE(g)};
        r.on = cfg_get_string(g, "on", 1, "route", d);
        const config_setting_t *chain = config_setting_get_member(g, "chain");
        if (chain == NULL) {
            diag_add(d, DIAG_ERROR, WHERE(g), "route: 'chain' is missing");
            continue;
        }
        r.chain_where = (cfg_where){WHERE(chain)};
        int len = (config_setting_is_array(chain) || config_setting_is_list(chain))
                      ? config_setting_length(chain) : -1;
        if (len <= 0) {
            diag_add(d, DIAG_ERROR, WHERE(chain), "route: 'chain' must be a non-empty list "
                     "of plugin instance ids [ \"id\", ... ]");
            continue;
        }
        r.chain = calloc((size_t)len, sizeof(char *));
        if (r.chain == NULL) {
            d->oom = 1;
            continue;
        }
        for (int k = 0; k < len; k++) {
            const config_setting_t *e = config_setting_get_elem(chain, (unsigned)k);
            if (config_setting_type(e) != CONFIG_TYPE_STRING)
                diag_add(d, DIAG_ERROR, WHERE(chain), "route: chain entry %d must be a "
                         "string", k + 1);
            else
                r.chain[r.chain_len++] = config_setting_get_string(e);
        }
        read_when(g, &r, d);
        r.audience = read_audience(g, "route", d);
        if (r.on == NULL) {
            free(r.chain);
            for (size_t k = 0; k < r.when_count; k++)
                free(r.when[k].values);
            continue;
        }
        c->routes[c->route_count++] = r;
    }
}
