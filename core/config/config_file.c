/*
 * config_file - orderhub.conf read into checked values (config_file.h): the text assembled
 * and bounded by config_text.c, parsed by libconfig, then every group checked; the groups
 * with files of their own are in config_plugins.c and config_api.c.
 */
#include "config.h"

#include "config/config_file.h"
#include "config/config_api.h"
#include "config/config_get.h"
#include "config/config_plugins.h"
#include "config/config_inventory.h"
#include "config/config_sla.h"
#include "config/config_text.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    const char *listen = cfg_get_string(root, "listen", 0, "top level", d);
    c->listen = listen ? listen : CFG_DEFAULT_LISTEN;
    struct sockaddr_in addr;
    char why[256];
    if (cfg_parse_listen(c->listen, &addr, why, sizeof(why)) != 0) {
        const config_setting_t *m = config_setting_get_member(root, "listen");
        diag_add(d, DIAG_ERROR, m ? config_setting_source_file(m) : c->path,
                 m ? config_setting_source_line(m) : 0, "listen: %s", why);
    }
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
            cfg_check_members(g, "store", known, d);
            const char *driver = cfg_get_string(g, "driver", 0, "store", d);
            const char *p = cfg_get_string(g, "path", 0, "store", d);
            char names[128];
            if (driver != NULL && !store_driver_known(driver, names, sizeof(names)))
                diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "driver")),
                         "store: unknown driver '%s' (this build has: %s)", driver, names);
            else if (driver != NULL)
                c->store_driver = driver;
            if (p != NULL && *p != '\0')
                path = p;
            cfg_get_bool(g, "check_at_start", "store", &c->store_check_at_start, d);
            cfg_get_bool(g, "init_empty", "store", &c->store_init_empty, d);
        }
    }
    c->store_path = cfg_absolute(c->base_dir, path);
    if (c->store_path == NULL)
        d->oom = 1;
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
    cfg_check_members(g, "engine", known, d);
    c->engine.workers = cfg_get_range(g, "workers", 0, 1, 64, d);
    c->engine.max_attempts = cfg_get_range(g, "max_attempts", 0, 1, 100, d);
    c->engine.track_poll_ms = cfg_get_range(g, "track_poll_ms", 0, 100, 86400000, d);
    c->engine.backoff_base_ms = cfg_get_range(g, "backoff_base_ms", 0, 10, 3600000, d);
    c->engine.backoff_max_ms = cfg_get_range(g, "backoff_max_ms", 0, 10, 86400000, d);
    c->engine.lease_ms = cfg_get_range(g, "lease_ms", 0, 1000, 3600000, d);
    c->engine.cache_orders = cfg_get_range(g, "cache_orders", 0, 64, 1048576, d);
}

/* role = "admin" | "support" | "storefront" | "seller:ID" */
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
    cfg_check_members(g, "log", known, d);
    c->log_level = cfg_get_string(g, "level", 0, "log", d);
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
    cfg_get_bool(g, "syslog", "log", &c->log_syslog, d);
}

cfg_file *cfg_load(const char *path, diag_list *d)
{
    static const char *const known[] = {"listen", "store", "plugin_path", "plugins", "routes",
                                        "sla", "engine", "api", "log", "pid_file",
                                        "inventory", NULL};
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
    cfg_check_members(config_root_setting(&c->lc), "the top level", known, d);
    read_listen(c, d);
    read_store(c, d);
    cfg_read_plugin_path(c, d);
    cfg_read_instances(c, d);
    cfg_read_routes(c, d);
    cfg_read_sla(c, d);
    cfg_read_inventory(c, d);
    read_engine(c, d);
    cfg_read_api(c, d);
    cfg_read_api_limits(c, d);
    read_log(c, d);
    c->pid_file = cfg_get_string(config_root_setting(&c->lc), "pid_file", 0, "top level", d);
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
    free(c->inventory_sellers);
    free(c->sla_sellers);
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
