/*
 * orderhubd - the orderhub daemon: loads the configuration and its plugins, runs until
 * SIGTERM/SIGINT, reloads atomically on SIGHUP.
 */
#include "config.h"

#include "daemon/pidfile.h"
#include "log/log.h"
#include "api/api.h"
#include "config/config_api.h"
#include "engine/hub.h"
#include "loader/plugin_path.h"
#include "runtime/runtime.h"

#include <curl/curl.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct options {
    const char *config;
    const char *pid_file;
    int check_only;
    int verbose;
    int daemon;
    int use_syslog;
    int log_level; /* -1: from the file, else info */
    int create_store;     /* --create-store: an existing empty store file may be initialised */
    int skip_store_check; /* --skip-store-check: no PRAGMA quick_check at start */
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: orderhubd [OPTION]...\n"
            "Follow e-commerce orders through their lifecycle, talking to gateways, carriers\n"
            "and notification channels through plugins.\n\n"
            "  -c, --config FILE     configuration file (default %s)\n"
            "  -t, --check-config    load and check everything (plugins initialised), then exit\n"
            "                        0 when valid, 1 after printing every error\n"
            "  -v, --verbose         with --check-config: print the instances and routes as JSON\n"
            "  -d, --daemon          detach and run in the background (logs go to syslog)\n"
            "  -p, --pid-file FILE   write and lock a pid file\n"
            "  -l, --log-level LVL   error, warn, info or debug (default: the file's, or info)\n"
            "  -s, --syslog          log to syslog instead of stderr\n"
            "      --create-store    initialise the store file even if it exists and is empty\n"
            "                        (a missing one is always created; a foreign one never is)\n"
            "      --skip-store-check  start without the store's PRAGMA quick_check (logged)\n"
            "  -V, --version         print the version and the plugin SDK ABI\n"
            "  -h, --help            this help\n\n"
            "Environment: ORDERHUB_PLUGIN_PATH (colon-separated directories searched before\n"
            "the file's plugin_path and %s).\n"
            "Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT stop.\n",
            OH_DEFAULT_CONFIG, OH_PLUGINDIR);
}

static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'},   {"check-config", no_argument, NULL, 't'},
        {"verbose", no_argument, NULL, 'v'},        {"daemon", no_argument, NULL, 'd'},
        {"pid-file", required_argument, NULL, 'p'}, {"log-level", required_argument, NULL, 'l'},
        {"syslog", no_argument, NULL, 's'},         {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},           {"create-store", no_argument, NULL, 1},
        {"skip-store-check", no_argument, NULL, 2}, {NULL, 0, NULL, 0}};
    *o = (options){.config = OH_DEFAULT_CONFIG, .log_level = -1};
    int c;
    while ((c = getopt_long(argc, argv, "c:tvdp:l:sVh", longs, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 't': o->check_only = 1; break;
        case 'v': o->verbose = 1; break;
        case 'd': o->daemon = 1; break;
        case 'p': o->pid_file = optarg; break;
        case 's': o->use_syslog = 1; break;
        case 1: o->create_store = 1; break;
        case 2: o->skip_store_check = 1; break;
        case 'l':
            if ((o->log_level = log_level_parse(optarg)) < 0) {
                fprintf(stderr, "orderhubd: unknown log level '%s' (error, warn, info, "
                        "debug)\n", optarg);
                return 2;
            }
            break;
        case 'V':
            printf("orderhubd %s (plugin SDK ABI %d.%d)\n", PACKAGE_VERSION, OH_ABI_MAJOR,
                   OH_ABI_MINOR);
            return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "orderhubd: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return -1;
}

/* The directories from ORDERHUB_PLUGIN_PATH, read once in main. */
static struct {
    char **dirs;
    size_t count;
} env_path;

static rt_gen *build(ldr_registry *reg, const char *config, int init, diag_list *d)
{
    rt_build_opts opts = {.extra_dirs = (const char *const *)env_path.dirs,
                          .extra_dir_count = env_path.count,
                          .default_dir = OH_PLUGINDIR,
                          .init = init};
    return rt_build(reg, config, &opts, d);
}

static void report(const diag_list *d, int to_log)
{
    for (size_t i = 0; i < d->count; i++) {
        const diag_entry *e = &d->items[i];
        if (to_log)
            log_msg(e->severity == DIAG_ERROR ? OH_LOG_ERROR : OH_LOG_WARN, "%s", e->text);
        else
            fprintf(stderr, "%s: %s\n", e->severity == DIAG_ERROR ? "error" : "warning",
                    e->text);
    }
    if (d->oom) {
        if (to_log)
            log_error("out of memory while reading the configuration");
        else
            fprintf(stderr, "error: out of memory while reading the configuration\n");
    }
}

/* After the probe showed warnings on the terminal, the init pass logs errors only. */
static void report_errors(const diag_list *d)
{
    for (size_t i = 0; i < d->count; i++) {
        if (d->items[i].severity == DIAG_ERROR)
            log_error("%s", d->items[i].text);
    }
    if (d->oom)
        log_error("out of memory while reading the configuration");
}

static int check_config(ldr_registry *reg, const options *o)
{
    diag_list d = {0};
    rt_gen *g = build(reg, o->config, 1, &d);
    report(&d, 0);
    diag_free(&d);
    if (g == NULL) {
        fprintf(stderr, "%s: configuration is not valid\n", o->config);
        return 1;
    }
    if (o->verbose) {
        json_t *j = rt_describe(g);
        char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(j);
    }
    printf("%s: configuration OK (%zu plugin instances, %zu routes)\n", o->config,
           g->instance_count, g->route_count);
    rt_gen_unref(g);
    return 0;
}

static void log_generation(const rt_gen *g)
{
    for (size_t i = 0; i < g->instance_count; i++) {
        const struct oh_instance *inst = &g->instances[i];
        const oh_plugin *p = &inst->module->desc;
        json_t *s = set_to_json(inst->settings);
        char *text = s ? json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        log_info("instance '%s': %s %s (%s plugin, ABI %u.%u) settings %s", inst->id, p->name,
                 p->version, ldr_kind_name(p->kind), p->abi_major, p->abi_minor,
                 text ? text : "{}");
        free(text);
        json_decref(s);
    }
    for (size_t i = 0; i < g->route_count; i++) {
        char chain[512] = "";
        size_t used = 0;
        for (size_t k = 0; k < g->routes[i].chain_len && used < sizeof(chain); k++) {
            int n = snprintf(chain + used, sizeof(chain) - used, "%s%s", k ? " -> " : "",
                             g->routes[i].chain[k]->id);
            used += n > 0 ? (size_t)n : 0;
        }
        log_info("route on '%s': %s", g->routes[i].on, chain);
    }
}

/* Log level: the command line wins, then the file, then info. */
static void apply_log_level(const options *o, const rt_gen *g)
{
    int level = o->log_level;
    if (level < 0 && g != NULL && g->cfg->log_level != NULL)
        level = log_level_parse(g->cfg->log_level);
    log_set_level(level < 0 ? OH_LOG_INFO : (oh_log_level)level);
}

static void reload(ldr_registry *reg, hub *h, const char *config, const options *o)
{
    diag_list d = {0};
    log_info("SIGHUP: reloading %s", config);
    rt_gen *g = build(reg, config, 1, &d);
    report(&d, 1);
    diag_free(&d);
    rt_gen *old = rt_holder_get(&h->generations);
    if (g == NULL) {
        log_error("reload refused: keeping configuration generation %lu running",
                  old ? old->number : 0ul);
    } else {
        /* These are read once, at start: say so rather than pretend. */
        const cfg_file *was = old ? old->cfg : NULL;
        if (was != NULL && (strcmp(was->listen, g->cfg->listen) != 0 ||
                            strcmp(was->store_path, g->cfg->store_path) != 0 ||
                            memcmp(&was->engine, &g->cfg->engine, sizeof(was->engine)) != 0 ||
                            !cfg_api_limits_equal(&was->api_limits, &g->cfg->api_limits)))
            log_warn("reload: listen, store, engine or API limit settings changed; they take "
                     "effect at the next restart");
        hub_install(h, g);
        apply_log_level(o, g);
        log_info("configuration reloaded: generation %lu (%zu plugin instances, %zu routes)",
                 g->number, g->instance_count, g->route_count);
        log_generation(g);
    }
    rt_gen_unref(old);
}

/* Wait for signals in the main thread; every other thread keeps them blocked. */
static int run(ldr_registry *reg, hub *h, const char *config, const options *o,
               const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            reload(reg, h, config, o);
        } else {
            log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return 0;
        }
    }
}

/* What the unprivileged probe of the file resolved before we detach (and change to /). */
typedef struct startup {
    char *config;   /* absolute path of the main file */
    char *pid_file; /* absolute, or NULL */
    int syslog;     /* log to syslog */
} startup;

static void startup_free(startup *st)
{
    free(st->config);
    free(st->pid_file);
}

/*
 * Validate the file without initialising plugins, on the terminal that started us, and
 * resolve every path that must survive daemonize's chdir("/").  A relative --pid-file is
 * the starting directory's; a relative pid_file in the file is the file's directory's.
 */
static int probe(ldr_registry *reg, const options *o, startup *st)
{
    diag_list d = {0};
    rt_gen *g = build(reg, o->config, 0, &d);
    report(&d, 0);
    diag_free(&d);
    if (g == NULL) {
        fprintf(stderr, "orderhubd: %s is not valid; not starting\n", o->config);
        return -1;
    }
    const char *pid = o->pid_file ? o->pid_file : g->cfg->pid_file;
    char cwd[4096];
    const char *base = o->pid_file ? getcwd(cwd, sizeof(cwd)) : g->cfg->base_dir;
    st->config = strdup(g->cfg->path);
    if (pid != NULL && pid[0] != '/' && base != NULL)
        st->pid_file = asprintf(&st->pid_file, "%s/%s", base, pid) < 0 ? NULL : st->pid_file;
    else if (pid != NULL)
        st->pid_file = strdup(pid);
    st->syslog = o->use_syslog || o->daemon || g->cfg->log_syslog == 1;
    rt_gen_unref(g);
    if (st->config == NULL || (pid != NULL && st->pid_file == NULL)) {
        fprintf(stderr, "orderhubd: out of memory\n");
        return -1;
    }
    return 0;
}

/* The command line's store options over the file's; what the store will do, logged. */
static void store_settings(const options *o, cfg_file *cfg)
{
    if (o->create_store)
        cfg->store_init_empty = 1;
    if (o->skip_store_check)
        cfg->store_check_at_start = 0;
    if (!cfg->store_check_at_start)
        log_warn("store %s: integrity check at start disabled (%s): a damaged page is "
                 "found only when something reads it; run 'orderhubctl check-store'",
                 cfg->store_path, o->skip_store_check ? "--skip-store-check"
                                                      : "store.check_at_start = false");
    if (access(cfg->store_path, F_OK) != 0)
        log_info("store %s does not exist: creating a new database", cfg->store_path);
}

static void log_store_health(store *s, const char *path)
{
    st_health hl;
    store_health(s, &hl);
    if (hl.check == ST_CHECK_PASSED)
        log_info("store %s: integrity check passed in %lld ms", path,
                 (long long)hl.check_took_ms);
}

/* Initialise the first generation and serve until a stop signal. */
static int serve(ldr_registry *reg, const options *o, const startup *st, const sigset_t *set,
                 int ready_fd)
{
    char err[512];
    int pid_fd = -1;
    if (st->pid_file != NULL && (pid_fd = pidfile_acquire(st->pid_file, err, sizeof(err))) < 0) {
        log_error("%s", err);
        daemon_ready(ready_fd, 0);
        return 1;
    }
    diag_list d = {0};
    rt_gen *g = build(reg, st->config, 1, &d);
    report_errors(&d);
    diag_free(&d);
    if (g == NULL) {
        log_error("%s is not valid; not starting", st->config);
        daemon_ready(ready_fd, 0);
        pidfile_release(st->pid_file, pid_fd);
        return 1;
    }
    apply_log_level(o, g);
    log_generation(g);
    store_settings(o, g->cfg);
    /* The store, the executor and the engine resume any unfinished work at once. */
    hub h;
    api *front = NULL;
    char listen[300];
    snprintf(listen, sizeof(listen), "%s", g->cfg->listen);
    if (hub_start(&h, g, NULL, err, sizeof(err)) != 0 ||
        api_start(&h, listen, &front, err, sizeof(err)) != 0) {
        log_error("cannot start: %s", err);
        hub_stop(&h);
        daemon_ready(ready_fd, 0);
        pidfile_release(st->pid_file, pid_fd);
        return 1;
    }
    log_store_health(h.store, g->cfg->store_path);
    log_info("orderhubd %s started (plugin SDK ABI %d.%d, pid %ld, config %s, API on "
             "%s:%u)", PACKAGE_VERSION, OH_ABI_MAJOR, OH_ABI_MINOR, (long)getpid(),
             st->config, api_host(front), api_port(front));
    daemon_ready(ready_fd, 1);
    int rc = run(reg, &h, st->config, o, set);
    api_stop(front);
    hub_stop(&h);
    log_info("stopped");
    pidfile_release(st->pid_file, pid_fd);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;

    env_path.dirs = ldr_split_path(getenv("ORDERHUB_PLUGIN_PATH"), &env_path.count);
    ldr_registry reg;
    ldr_registry_init(&reg);
    startup st = {0};
    /* Once, before any thread: libcurl's global state. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (o.check_only) {
        rc = check_config(&reg, &o);
    } else if (probe(&reg, &o, &st) != 0) {
        rc = 1;
    } else {
        /* Signals are blocked before any thread exists, then taken by sigwait in run(). */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);
        log_setup("orderhubd", st.syslog,
                  o.log_level < 0 ? OH_LOG_INFO : (oh_log_level)o.log_level);
        int ready_fd = -1;
        char err[512];
        if (o.daemon && daemonize(&ready_fd, err, sizeof(err)) != 0) {
            fprintf(stderr, "orderhubd: %s\n", err);
            rc = 1;
        } else {
            rc = serve(&reg, &o, &st, &set, ready_fd);
        }
    }
    startup_free(&st);
    curl_global_cleanup();
    ldr_registry_free(&reg);
    ldr_free_path(env_path.dirs);
    return rc;
}
