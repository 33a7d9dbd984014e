#include "config.h"

#include "config/config_file.h"
#include "config/config_text.h"
#include "settings/settings.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHERE(cs) config_setting_source_file(cs), config_setting_source_line(cs)

/* Members a group may hold; anything else is a typo worth an error, not silence. */
static void check_members(const config_setting_t *group, const char *what,
                          const char *const *known, diag_list *d)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(m);
        size_t k = 0;
        while (known[k] != NULL && strcmp(known[k], name) != 0)
            k++;
        if (known[k] == NULL) {
            char list[256] = "";
            size_t used = 0;
            for (size_t j = 0; known[j] != NULL && used < sizeof(list); j++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s", j ? ", " : "",
                                 known[j]);
                used += w > 0 ? (size_t)w : 0;
            }
            diag_add(d, DIAG_ERROR, WHERE(m), "unknown setting '%s' in %s (known: %s)",
                     name ? name : "?", what, list);
        }
    }
}

/* A string member; NULL (and an error when present with another type) otherwise. */
static const char *get_string(const config_setting_t *group, const char *name, int required,
                              const char *what, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m == NULL) {
        if (required)
            diag_add(d, DIAG_ERROR, WHERE(group), "%s: '%s' is missing", what, name);
        return NULL;
    }
    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be a string", what, name);
        return NULL;
    }
    const char *s = config_setting_get_string(m);
    if (required && *s == '\0') {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must not be empty", what, name);
        return NULL;
    }
    return s;
}

/* An integer member in [min, max], or `def` when absent. */
static int64_t get_range(const config_setting_t *group, const char *name, int64_t def,
                         int64_t min, int64_t max, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m == NULL)
        return def;
    int t = config_setting_type(m);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be an integer",
                 config_setting_name(group), name);
        return def;
    }
    int64_t v = config_setting_get_int64(m);
    if (v < min || v > max) {
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be between %lld and %lld, not %lld",
                 config_setting_name(group), name, (long long)min, (long long)max,
                 (long long)v);
        return def;
    }
    return v;
}

static int64_t get_positive(const config_setting_t *group, const char *name, int64_t def,
                            int64_t max, diag_list *d)
{
    return get_range(group, name, def, 1, max, d);
}

static char *absolute(const char *base_dir, const char *path)
{
    char *out = NULL;
    if (path[0] == '/')
        return strdup(path);
    return asprintf(&out, "%s/%s", base_dir, path) < 0 ? NULL : out;
}

static int id_is_valid(const char *s)
{
    if (*s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    }
    return 1;
}

int cfg_parse_listen(const char *listen, struct sockaddr_in *out, char *err, size_t errlen)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (colon == NULL || hl == 0 || hl >= sizeof(host) || end == colon + 1 || *end != '\0' ||
        port < 0 || port > 65535) {
        snprintf(err, errlen, "'%s' is not HOST:PORT with a port from 0 (any free one) to "
                 "65535", listen);
        return -1;
    }
    memcpy(host, listen, hl);
    host[hl] = '\0';
    memset(out, 0, sizeof(*out));
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1) {
        snprintf(err, errlen, "'%s': the host must be an IPv4 address or localhost", listen);
        return -1;
    }
    /* Bearer tokens would cross the network in clear: TLS is a proxy's job in front of us. */
    if ((ntohl(out->sin_addr.s_addr) >> 24) != 127) {
        snprintf(err, errlen, "'%s': the API speaks plain HTTP (tokens in clear), so it only "
                 "listens on a loopback address (127.x.x.x or localhost); put a TLS proxy in "
                 "front", listen);
        return -1;
    }
    return 0;
}

static void read_listen(cfg_file *c, diag_list *d)
{
    const config_setting_t *root = config_root_setting(&c->lc);
    const char *listen = get_string(root, "listen", 0, "top level", d);
    c->listen = listen ? listen : CFG_DEFAULT_LISTEN;
    struct sockaddr_in addr;
    char why[256];
    if (cfg_parse_listen(c->listen, &addr, why, sizeof(why)) != 0) {
        const config_setting_t *m = config_setting_get_member(root, "listen");
        diag_add(d, DIAG_ERROR, m ? config_setting_source_file(m) : c->path,
                 m ? config_setting_source_line(m) : 0, "listen: %s", why);
    }
}

/* A true/false member into *out (left as is when absent); an error for another type. */
static void get_bool(const config_setting_t *group, const char *name, const char *what,
                     int *out, diag_list *d)
{
    const config_setting_t *m = config_setting_get_member(group, name);
    if (m != NULL && config_setting_type(m) != CONFIG_TYPE_BOOL)
        diag_add(d, DIAG_ERROR, WHERE(m), "%s: '%s' must be true or false", what, name);
    else if (m != NULL)
        *out = config_setting_get_bool(m);
}

static void read_store(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"driver", "path", "check_at_start", "init_empty",
                                        NULL};
    const config_setting_t *g = config_lookup(&c->lc, "store");
    c->store_driver = "sqlite";
    c->store_check_at_start = 1;
    c->store_init_empty = 0;
    const char *path = "orderhub.db";
    if (g != NULL) {
        if (!config_setting_is_group(g)) {
            diag_add(d, DIAG_ERROR, WHERE(g), "store must be a group { driver = ...; }");
        } else {
            check_members(g, "store", known, d);
            const char *driver = get_string(g, "driver", 0, "store", d);
            const char *p = get_string(g, "path", 0, "store", d);
            if (driver != NULL && strcmp(driver, "sqlite") != 0)
                diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "driver")),
                         "store: unknown driver '%s' (this build has: sqlite)", driver);
            else if (driver != NULL)
                c->store_driver = driver;
            if (p != NULL && *p != '\0')
                path = p;
            get_bool(g, "check_at_start", "store", &c->store_check_at_start, d);
            get_bool(g, "init_empty", "store", &c->store_init_empty, d);
        }
    }
    c->store_path = absolute(c->base_dir, path);
    if (c->store_path == NULL)
        d->oom = 1;
}

static void read_plugin_path(cfg_file *c, diag_list *d)
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
        char *dir = absolute(c->base_dir, config_setting_get_string(e));
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
    check_members(l, "an instance's limits", known, d);
    inst->limits.concurrency = get_range(l, "concurrency", 0, 1, 1024, d);
    inst->limits.connect_timeout_ms = get_range(l, "connect_timeout_ms", 0, 10, 600000, d);
    inst->limits.timeout_ms = get_range(l, "timeout_ms", 0, 10, 3600000, d);
    inst->limits.max_response_bytes =
        get_range(l, "max_response_bytes", 0, 1024, 64 * 1024 * 1024, d);
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

static void read_instances(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"id", "module", "settings", "limits", NULL};
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
        check_members(g, "a plugin instance", known, d);
        cfg_instance inst = {0};
        inst.where = (cfg_where){WHERE(g)};
        inst.id = get_string(g, "id", 1, "plugin instance", d);
        inst.module = get_string(g, "module", 1, "plugin instance", d);
        inst.settings = config_setting_get_member(g, "settings");
        if (inst.settings != NULL && !config_setting_is_group(inst.settings)) {
            diag_add(d, DIAG_ERROR, WHERE(inst.settings), "plugin instance '%s': settings "
                     "must be a group { name = value; ... }", inst.id ? inst.id : "?");
            continue;
        }
        if (inst.id == NULL || inst.module == NULL)
            continue;
        read_limits(g, &inst, d);
        if (!id_is_valid(inst.id)) {
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
    check_members(w, "a route's when", fields, d);
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

static void read_routes(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"on", "chain", "when", NULL};
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
        check_members(g, "a route", known, d);
        cfg_route r = {0};
        r.where = (cfg_where){WHERE(g)};
        r.on = get_string(g, "on", 1, "route", d);
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
        if (r.on == NULL) {
            free(r.chain);
            for (size_t k = 0; k < r.when_count; k++)
                free(r.when[k].values);
            continue;
        }
        c->routes[c->route_count++] = r;
    }
}

static void read_sla(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"ship_by_hours", "delivery_confirm_days",
                                        "return_auto_approve_hours", "payment_retry_hours",
                                        "return_window_days", "tracking_expire_days", NULL};
    c->ship_by_hours = CFG_DEFAULT_SHIP_BY_HOURS;
    c->delivery_confirm_days = CFG_DEFAULT_DELIVERY_CONFIRM_DAYS;
    c->return_auto_approve_hours = CFG_DEFAULT_RETURN_AUTO_APPROVE_HOURS;
    c->payment_retry_hours = CFG_DEFAULT_PAYMENT_RETRY_HOURS;
    c->return_window_days = CFG_DEFAULT_RETURN_WINDOW_DAYS;
    c->tracking_expire_days = CFG_DEFAULT_TRACKING_EXPIRE_DAYS;
    const config_setting_t *g = config_lookup(&c->lc, "sla");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "sla must be a group { ship_by_hours = ...; }");
        return;
    }
    check_members(g, "sla", known, d);
    c->ship_by_hours = get_positive(g, "ship_by_hours", c->ship_by_hours, 24 * 90, d);
    c->delivery_confirm_days =
        get_positive(g, "delivery_confirm_days", c->delivery_confirm_days, 365, d);
    c->return_auto_approve_hours = get_positive(
        g, "return_auto_approve_hours", c->return_auto_approve_hours, 24 * 90, d);
    c->payment_retry_hours =
        get_positive(g, "payment_retry_hours", c->payment_retry_hours, 24 * 30, d);
    c->return_window_days = get_range(g, "return_window_days", c->return_window_days, 0, 365, d);
    c->tracking_expire_days =
        get_positive(g, "tracking_expire_days", c->tracking_expire_days, 365, d);
}

static void read_engine(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"workers", "max_attempts", "track_poll_ms",
                                        "backoff_base_ms", "backoff_max_ms", "lease_ms",
                                        "cache_orders", NULL};
    const config_setting_t *g = config_lookup(&c->lc, "engine");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "engine must be a group { workers = 2; ... }");
        return;
    }
    check_members(g, "engine", known, d);
    c->engine.workers = get_range(g, "workers", 0, 1, 64, d);
    c->engine.max_attempts = get_range(g, "max_attempts", 0, 1, 100, d);
    c->engine.track_poll_ms = get_range(g, "track_poll_ms", 0, 100, 86400000, d);
    c->engine.backoff_base_ms = get_range(g, "backoff_base_ms", 0, 10, 3600000, d);
    c->engine.backoff_max_ms = get_range(g, "backoff_max_ms", 0, 10, 86400000, d);
    c->engine.lease_ms = get_range(g, "lease_ms", 0, 1000, 3600000, d);
    c->engine.cache_orders = get_range(g, "cache_orders", 0, 64, 1048576, d);
}

/* role = "admin" | "support" | "storefront" | "seller:ID" */
static int parse_role(const char *role, cfg_token *t)
{
    static const struct {
        const char *name;
        cfg_role role;
    } roles[] = {{"admin", CFG_ROLE_ADMIN}, {"support", CFG_ROLE_SUPPORT},
                 {"storefront", CFG_ROLE_STOREFRONT}};
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (strcmp(role, roles[i].name) == 0) {
            t->role = roles[i].role;
            return 0;
        }
    }
    if (strncmp(role, "seller:", 7) == 0 && id_is_valid(role + 7)) {
        t->role = CFG_ROLE_SELLER;
        t->seller_id = role + 7;
        return 0;
    }
    return -1;
}

static void read_token(cfg_file *c, const config_setting_t *g, diag_list *d)
{
    static const char *const known[] = {"name", "role", "token", NULL};
    check_members(g, "an API token", known, d);
    cfg_token t = {.where = {WHERE(g)}};
    t.name = get_string(g, "name", 1, "API token", d);
    const char *role = get_string(g, "role", 1, "API token", d);
    const char *token = get_string(g, "token", 1, "API token", d);
    if (t.name == NULL || role == NULL || token == NULL)
        return;
    if (!id_is_valid(t.name) || strlen(t.name) > 63) {
        diag_add(d, DIAG_ERROR, WHERE(g), "API token name '%s' is not [A-Za-z0-9_-]{1,63}",
                 t.name);
        return;
    }
    if (parse_role(role, &t) != 0) {
        diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "role")),
                 "API token '%s': role '%s' is not admin, support, storefront or seller:ID",
                 t.name, role);
        return;
    }
    if (strncmp(token, "env:", 4) != 0 && strncmp(token, "file:", 5) != 0)
        diag_add(d, DIAG_WARNING, WHERE(config_setting_get_member(g, "token")),
                 "API token '%s' is written in the file; prefer env:NAME or file:PATH", t.name);
    char why[512];
    t.secret = set_resolve_reference(token, c->base_dir, why, sizeof(why));
    if (t.secret == NULL) {
        diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "token")),
                 "API token '%s': %s", t.name, why);
        return;
    }
    if (strlen(t.secret) < 16) {
        diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "token")),
                 "API token '%s' is shorter than 16 characters", t.name);
        free(t.secret);
        return;
    }
    unsigned int dlen = 0;
    if (EVP_Digest(t.secret, strlen(t.secret), t.digest, &dlen, EVP_sha256(), NULL) != 1 ||
        dlen != sizeof(t.digest)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "API token '%s': cannot hash it", t.name);
        free(t.secret);
        return;
    }
    for (size_t k = 0; k < c->token_count; k++) {
        if (strcmp(c->tokens[k].name, t.name) == 0 || strcmp(c->tokens[k].secret, t.secret) == 0) {
            diag_add(d, DIAG_ERROR, WHERE(g), "API token '%s' repeats the name or the secret "
                     "of '%s'", t.name, c->tokens[k].name);
            free(t.secret);
            return;
        }
    }
    c->tokens[c->token_count++] = t;
}

static void read_api(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"tokens", "connections", "failed_auth",
                                        "trusted_proxies", NULL};
    const config_setting_t *g = config_lookup(&c->lc, "api");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "api must be a group { tokens = ( ... ); }");
        return;
    }
    check_members(g, "api", known, d);
    const config_setting_t *list = config_setting_get_member(g, "tokens");
    if (list == NULL)
        return;
    if (!config_setting_is_list(list)) {
        diag_add(d, DIAG_ERROR, WHERE(list), "api: tokens must be a list ( { name = ...; "
                 "role = ...; token = ...; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    c->tokens = calloc((size_t)n + 1, sizeof(*c->tokens));
    if (c->tokens == NULL) {
        d->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *t = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(t))
            diag_add(d, DIAG_ERROR, WHERE(t), "api: tokens entry %d must be a group", i + 1);
        else
            read_token(c, t, d);
    }
}

/* ---- api: connection and failed-authentication limits, trusted proxies ------------------ */

static void read_api_connections(const config_setting_t *api, cfg_api_limits *l, diag_list *d)
{
    static const char *const known[] = {"max", "per_client", "header_timeout_ms",
                                        "body_timeout_ms", "idle_timeout_ms",
                                        "busy_idle_timeout_ms", NULL};
    const config_setting_t *g = api ? config_setting_get_member(api, "connections") : NULL;
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "api: connections must be a group { max = 1024; "
                 "... }");
        return;
    }
    check_members(g, "api.connections", known, d);
    /* 16: the server answers its own health check while a client holds a few; 100000: far
     * beyond what one process's descriptors allow. */
    l->max_connections = get_range(g, "max", l->max_connections, 16, 100000, d);
    l->max_per_client = get_range(g, "per_client", l->max_per_client, 0, 100000, d);
    /* Below 500 ms the reaper's tick (100 ms) would be a large part of the budget. */
    l->header_timeout_ms = get_range(g, "header_timeout_ms", l->header_timeout_ms, 500,
                                     600000, d);
    l->body_timeout_ms = get_range(g, "body_timeout_ms", l->body_timeout_ms, 500, 3600000, d);
    l->idle_timeout_ms = get_range(g, "idle_timeout_ms", l->idle_timeout_ms, 500, 3600000, d);
    l->busy_idle_timeout_ms = get_range(g, "busy_idle_timeout_ms", l->busy_idle_timeout_ms,
                                        100, 3600000, d);
    if (l->max_per_client > l->max_connections)
        diag_add(d, DIAG_ERROR, WHERE(g), "api.connections: per_client (%lld) must not exceed "
                 "max (%lld)", (long long)l->max_per_client, (long long)l->max_connections);
}

static void read_api_failed_auth(const config_setting_t *api, cfg_api_limits *l, diag_list *d)
{
    static const char *const known[] = {"limit", "window_s", "block_s", "clients", NULL};
    const config_setting_t *g = api ? config_setting_get_member(api, "failed_auth") : NULL;
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "api: failed_auth must be a group { limit = 10; "
                 "... }");
        return;
    }
    check_members(g, "api.failed_auth", known, d);
    l->auth_fail_limit = get_range(g, "limit", l->auth_fail_limit, 1, 1000, d);
    l->auth_fail_window_s = get_range(g, "window_s", l->auth_fail_window_s, 1, 86400, d);
    l->auth_block_s = get_range(g, "block_s", l->auth_block_s, 1, 86400, d);
    l->auth_clients = get_range(g, "clients", l->auth_clients, 16, 1000000, d);
}

static void read_api_trusted_proxies(const config_setting_t *api, cfg_api_limits *l,
                                     diag_list *d)
{
    const config_setting_t *a = api ? config_setting_get_member(api, "trusted_proxies") : NULL;
    if (a == NULL)
        return;
    if (!config_setting_is_array(a) && !config_setting_is_list(a)) {
        diag_add(d, DIAG_ERROR, WHERE(a), "api: trusted_proxies must be a list of IPv4 "
                 "addresses [ \"127.0.0.1\", ... ]");
        return;
    }
    int n = config_setting_length(a);
    l->trusted_proxies = calloc((size_t)n + 1, sizeof(*l->trusted_proxies));
    if (l->trusted_proxies == NULL) {
        d->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
        struct in_addr addr;
        if (config_setting_type(e) != CONFIG_TYPE_STRING ||
            inet_pton(AF_INET, config_setting_get_string(e), &addr) != 1) {
            diag_add(d, DIAG_ERROR, WHERE(a), "api: trusted_proxies entry %d must be an IPv4 "
                     "address such as \"127.0.0.1\"", i + 1);
            continue;
        }
        l->trusted_proxies[l->trusted_proxy_count++] = addr.s_addr;
    }
}

static void read_api_limits(cfg_file *c, diag_list *d)
{
    cfg_api_limits *l = &c->api_limits;
    l->max_connections = CFG_DEFAULT_MAX_CONNECTIONS;
    l->max_per_client = CFG_DEFAULT_MAX_PER_CLIENT;
    l->header_timeout_ms = CFG_DEFAULT_HEADER_TIMEOUT_MS;
    l->body_timeout_ms = CFG_DEFAULT_BODY_TIMEOUT_MS;
    l->idle_timeout_ms = CFG_DEFAULT_IDLE_TIMEOUT_MS;
    l->busy_idle_timeout_ms = CFG_DEFAULT_BUSY_IDLE_TIMEOUT_MS;
    l->auth_fail_limit = CFG_DEFAULT_AUTH_FAIL_LIMIT;
    l->auth_fail_window_s = CFG_DEFAULT_AUTH_FAIL_WINDOW_S;
    l->auth_block_s = CFG_DEFAULT_AUTH_BLOCK_S;
    l->auth_clients = CFG_DEFAULT_AUTH_CLIENTS;
    const config_setting_t *api = config_lookup(&c->lc, "api");
    if (api != NULL && !config_setting_is_group(api))
        return; /* reported by read_api */
    read_api_connections(api, l, d);
    read_api_failed_auth(api, l, d);
    read_api_trusted_proxies(api, l, d);
}

int cfg_api_limits_equal(const cfg_api_limits *a, const cfg_api_limits *b)
{
    cfg_api_limits x = *a, y = *b;
    x.trusted_proxies = y.trusted_proxies = NULL;
    return memcmp(&x, &y, sizeof(x)) == 0 &&
           (a->trusted_proxy_count == 0 ||
            memcmp(a->trusted_proxies, b->trusted_proxies,
                   a->trusted_proxy_count * sizeof(*a->trusted_proxies)) == 0);
}

static void read_log(cfg_file *c, diag_list *d)
{
    static const char *const known[] = {"level", "syslog", NULL};
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    c->log_syslog = -1;
    const config_setting_t *g = config_lookup(&c->lc, "log");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "log must be a group { level = \"info\"; }");
        return;
    }
    check_members(g, "log", known, d);
    c->log_level = get_string(g, "level", 0, "log", d);
    if (c->log_level != NULL) {
        size_t k = 0;
        while (k < 4 && strcmp(levels[k], c->log_level) != 0)
            k++;
        if (k == 4) {
            diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "level")),
                     "log: level '%s' is not one of error, warn, info, debug", c->log_level);
            c->log_level = NULL;
        }
    }
    get_bool(g, "syslog", "log", &c->log_syslog, d);
}

cfg_file *cfg_load(const char *path, diag_list *d)
{
    static const char *const known[] = {"listen", "store", "plugin_path", "plugins", "routes",
                                        "sla", "engine", "api", "log", "pid_file", NULL};
    cfg_file *c = calloc(1, sizeof(*c));
    char resolved[PATH_MAX];
    if (c == NULL) {
        diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
        return NULL;
    }
    config_init(&c->lc);
    if (realpath(path, resolved) == NULL) {
        diag_add(d, DIAG_ERROR, NULL, 0, "%s: %s", path, strerror(errno));
        cfg_free(c);
        return NULL;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", resolved);
    c->path = strdup(resolved);
    c->base_dir = strdup(dirname(dir));
    if (c->path == NULL || c->base_dir == NULL) {
        diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
        cfg_free(c);
        return NULL;
    }
    /* Our reader opens the main file and every @include (relative to the main file's
     * directory), never libconfig: see config_text.h. */
    if (ct_load(&c->src, c->path, c->base_dir, d) != 0) {
        cfg_free(c);
        return NULL;
    }
    int parsed = config_read_string(&c->lc, c->src.text);
    ct_relocate(&c->src, config_root_setting(&c->lc));
    /* The text is parsed: only the file names (that settings point to) are still needed. */
    free(c->src.text);
    c->src.text = NULL;
    c->src.len = c->src.cap = 0;
    if (parsed != CONFIG_TRUE) {
        const char *file;
        int line;
        ct_locate(&c->src, config_error_line(&c->lc), &file, &line);
        diag_add(d, DIAG_ERROR, file, line, "%s", config_error_text(&c->lc));
        cfg_free(c);
        return NULL;
    }
    check_members(config_root_setting(&c->lc), "the top level", known, d);
    read_listen(c, d);
    read_store(c, d);
    read_plugin_path(c, d);
    read_instances(c, d);
    read_routes(c, d);
    read_sla(c, d);
    read_engine(c, d);
    read_api(c, d);
    read_api_limits(c, d);
    read_log(c, d);
    c->pid_file = get_string(config_root_setting(&c->lc), "pid_file", 0, "top level", d);
    return c;
}

void cfg_free(cfg_file *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->route_count; i++) {
        free(c->routes[i].chain);
        for (size_t k = 0; k < c->routes[i].when_count; k++)
            free(c->routes[i].when[k].values);
    }
    free(c->routes);
    free(c->instances);
    for (size_t i = 0; i < c->token_count; i++) {
        /* Secrets do not linger in freed memory. */
        explicit_bzero(c->tokens[i].secret, strlen(c->tokens[i].secret));
        free(c->tokens[i].secret);
    }
    free(c->tokens);
    free(c->api_limits.trusted_proxies);
    for (size_t i = 0; i < c->plugin_path_count; i++)
        free(c->plugin_path[i]);
    free(c->plugin_path);
    free(c->store_path);
    free(c->base_dir);
    free(c->path);
    config_destroy(&c->lc);
    ct_free(&c->src); /* after the tree: its settings point to these file names */
    free(c);
}
