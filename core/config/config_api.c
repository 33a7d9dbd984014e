/*
 * config_api - the api group: tokens with their roles, connection and failed-authentication
 * limits, trusted proxies.
 */
#include "config.h"

#include "config/config_api.h"
#include "config/config_get.h"
#include "settings/settings.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (strncmp(role, "seller:", 7) == 0 && cfg_id_is_valid(role + 7)) {
        t->role = CFG_ROLE_SELLER;
        t->seller_id = role + 7;
        return 0;
    }
    return -1;
}

static void read_token(cfg_file *c, const config_setting_t *g, diag_list *d)
{
    static const char *const known[] = {"name", "role", "token", NULL};
    cfg_check_members(g, "an API token", known, d);
    cfg_token t = {.where = {WHERE(g)}};
    t.name = cfg_get_string(g, "name", 1, "API token", d);
    const char *role = cfg_get_string(g, "role", 1, "API token", d);
    const char *token = cfg_get_string(g, "token", 1, "API token", d);
    if (t.name == NULL || role == NULL || token == NULL)
        return;
    if (!cfg_id_is_valid(t.name) || strlen(t.name) > 63) {
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

void cfg_read_api(cfg_file *c, diag_list *d)
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
    cfg_check_members(g, "api", known, d);
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
    cfg_check_members(g, "api.connections", known, d);
    /* 16: the server answers its own health check while a client holds a few; 100000: far
     * beyond what one process's descriptors allow. */
    l->max_connections = cfg_get_range(g, "max", l->max_connections, 16, 100000, d);
    l->max_per_client = cfg_get_range(g, "per_client", l->max_per_client, 0, 100000, d);
    /* Below 500 ms the reaper's tick (100 ms) would be a large part of the budget. */
    l->header_timeout_ms = cfg_get_range(g, "header_timeout_ms", l->header_timeout_ms, 500,
                                     600000, d);
    l->body_timeout_ms = cfg_get_range(g, "body_timeout_ms", l->body_timeout_ms, 500, 3600000, d);
    l->idle_timeout_ms = cfg_get_range(g, "idle_timeout_ms", l->idle_timeout_ms, 500, 3600000, d);
    l->busy_idle_timeout_ms = cfg_get_range(g, "busy_idle_timeout_ms", l->busy_idle_timeout_ms,
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
    cfg_check_members(g, "api.failed_auth", known, d);
    l->auth_fail_limit = cfg_get_range(g, "limit", l->auth_fail_limit, 1, 1000, d);
    l->auth_fail_window_s = cfg_get_range(g, "window_s", l->auth_fail_window_s, 1, 86400, d);
    l->auth_block_s = cfg_get_range(g, "block_s", l->auth_block_s, 1, 86400, d);
    l->auth_clients = cfg_get_range(g, "clients", l->auth_clients, 16, 1000000, d);
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

void cfg_read_api_limits(cfg_file *c, diag_list *d)
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
