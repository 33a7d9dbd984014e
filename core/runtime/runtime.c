#include "config.h"

#include "runtime.h"

#include "events/events.h"
#include "host/host.h"
#include "log/log.h"

#include <stdlib.h>
#include <string.h>

static void gen_destroy(rt_gen *g)
{
    /* Destroy in reverse order of init, so later instances may lean on earlier ones. */
    for (size_t i = g->instance_count; i-- > 0;) {
        struct oh_instance *inst = &g->instances[i];
        if (inst->initialised && inst->module->desc.destroy != NULL)
            inst->module->desc.destroy(inst->state);
        set_free(inst->settings);
        free(inst->id);
        /* No waiter is left: every run holds a reference on the generation. */
        free(inst->auth.token);
        pthread_mutex_destroy(&inst->auth.lock);
    }
    for (size_t i = 0; i < g->route_count; i++) {
        free(g->routes[i].on);
        free(g->routes[i].chain);
    }
    free(g->routes);
    free(g->instances);
    cfg_free(g->cfg);
    free(g);
}

rt_gen *rt_gen_ref(rt_gen *g)
{
    atomic_fetch_add(&g->refs, 1);
    return g;
}

void rt_gen_unref(rt_gen *g)
{
    if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
        gen_destroy(g);
}

struct oh_instance *rt_instance(const rt_gen *g, const char *id)
{
    for (size_t i = 0; i < g->instance_count; i++) {
        if (strcmp(g->instances[i].id, id) == 0)
            return &g->instances[i];
    }
    return NULL;
}

/* Plugin search order: extra dirs (environment, tests), the file's plugin_path, default. */
static const char **search_dirs(const cfg_file *c, const rt_build_opts *o, size_t *n)
{
    const char **dirs = calloc(o->extra_dir_count + c->plugin_path_count + 1, sizeof(char *));
    if (dirs == NULL)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < o->extra_dir_count; i++)
        dirs[(*n)++] = o->extra_dirs[i];
    for (size_t i = 0; i < c->plugin_path_count; i++)
        dirs[(*n)++] = c->plugin_path[i];
    if (o->default_dir != NULL)
        dirs[(*n)++] = o->default_dir;
    return dirs;
}

static void load_instances(rt_gen *g, ldr_registry *reg, const rt_build_opts *o, diag_list *d)
{
    const cfg_file *c = g->cfg;
    size_t ndirs = 0;
    const char **dirs = search_dirs(c, o, &ndirs);
    g->instances = calloc(c->instance_count + 1, sizeof(*g->instances));
    if (dirs == NULL || g->instances == NULL) {
        free(dirs);
        diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
        return;
    }
    for (size_t i = 0; i < c->instance_count; i++) {
        const cfg_instance *ci = &c->instances[i];
        const ldr_module *m = NULL;
        char err[1024];
        if (ldr_find(reg, ci->module, dirs, ndirs, &m, err, sizeof(err)) != 0) {
            diag_add(d, DIAG_ERROR, ci->where.file, ci->where.line,
                     "plugin instance '%s': %s", ci->id, err);
            continue;
        }
        oh_settings *s = set_build(m->settings, m->setting_count, ci->settings, ci->id,
                                   c->base_dir, ci->where.file, ci->where.line, d);
        if (s == NULL)
            continue;
        struct oh_instance *inst = &g->instances[g->instance_count];
        inst->id = strdup(ci->id);
        inst->module = m;
        inst->settings = s;
        inst->where = ci->where;
        inst->limits = ci->limits;
        inst->audience = ci->audience;
        if (ci->audience != CFG_AUDIENCE_UNSET && m->desc.kind != OH_KIND_NOTIFIER)
            diag_add(d, DIAG_ERROR, ci->audience_where.file, ci->audience_where.line,
                     "plugin instance '%s': 'audience' is for notifiers, and %s is a %s "
                     "plugin", ci->id, m->desc.name, ldr_kind_name(m->desc.kind));
        pthread_mutex_init(&inst->auth.lock, NULL);
        if (inst->id == NULL) {
            set_free(s);
            diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
            continue;
        }
        g->instance_count++;
    }
    free(dirs);
}

static void load_routes(rt_gen *g, diag_list *d)
{
    const cfg_file *c = g->cfg;
    g->routes = calloc(c->route_count + 1, sizeof(*g->routes));
    if (g->routes == NULL) {
        diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
        return;
    }
    for (size_t i = 0; i < c->route_count; i++) {
        const cfg_route *cr = &c->routes[i];
        unsigned kinds = 0;
        if (evt_route_kinds(cr->on, &kinds) != 0) {
            diag_add(d, DIAG_ERROR, cr->where.file, cr->where.line,
                     "route: 'on' = \"%s\" is no lifecycle event nor a 'family.*' pattern "
                     "matching one (see orderhub.conf(5))", cr->on);
            continue;
        }
        rt_route *r = &g->routes[g->route_count];
        r->when = cr->when;
        r->when_count = cr->when_count;
        r->audience = cr->audience;
        r->on = strdup(cr->on);
        r->chain = calloc(cr->chain_len, sizeof(*r->chain));
        if (r->on == NULL || r->chain == NULL) {
            free(r->on);
            free(r->chain);
            diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
            continue;
        }
        for (size_t k = 0; k < cr->chain_len; k++) {
            struct oh_instance *inst = rt_instance(g, cr->chain[k]);
            int defined = 0;
            for (size_t j = 0; j < c->instance_count; j++)
                defined |= strcmp(c->instances[j].id, cr->chain[k]) == 0;
            if (inst == NULL) {
                /* An instance that failed to load was reported already. */
                if (!defined)
                    diag_add(d, DIAG_ERROR, cr->chain_where.file, cr->chain_where.line,
                             "route on '%s': unknown plugin instance '%s'", cr->on,
                             cr->chain[k]);
                continue;
            }
            oh_plugin_kind kind = inst->module->desc.kind;
            if (kind == OH_KIND_FILTER && inst->module->ops.filter.check == NULL) {
                diag_add(d, DIAG_ERROR, cr->chain_where.file, cr->chain_where.line,
                         "route on '%s': filter '%s' (%s) decides through a remote service "
                         "(check_build/check_parse), which this engine does not run yet",
                         cr->on, inst->id, inst->module->desc.name);
                continue;
            }
            if (!(kinds & EVT_KIND_BIT(kind))) {
                diag_add(d, DIAG_ERROR, cr->chain_where.file, cr->chain_where.line,
                         "route on '%s': instance '%s' is a %s plugin (%s), which cannot act "
                         "on '%s'", cr->on, inst->id, ldr_kind_name(kind),
                         inst->module->desc.name, cr->on);
                continue;
            }
            r->chain[r->chain_len++] = inst;
        }
        g->route_count++;
    }
}

static void init_instances(rt_gen *g, diag_list *d)
{
    /* Every instance is tried, so one run reports every init failure. */
    for (size_t i = 0; i < g->instance_count; i++) {
        struct oh_instance *inst = &g->instances[i];
        oh_error err = {{0}};
        int rc = inst->module->desc.init(host_api(), inst, inst->settings, &inst->state, &err);
        if (rc != OH_OK) {
            diag_add(d, DIAG_ERROR, inst->where.file, inst->where.line,
                     "plugin instance '%s' (%s): init failed: %s", inst->id,
                     inst->module->desc.name, err.message[0] ? err.message : "no reason given");
            continue;
        }
        inst->initialised = 1;
    }
}

rt_gen *rt_build(ldr_registry *reg, const char *path, const rt_build_opts *opts,
                 diag_list *d)
{
    cfg_file *c = cfg_load(path, d);
    if (c == NULL)
        return NULL;
    rt_gen *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        cfg_free(c);
        diag_add(d, DIAG_ERROR, NULL, 0, "out of memory");
        return NULL;
    }
    atomic_init(&g->refs, 1);
    g->cfg = c;
    load_instances(g, reg, opts, d);
    load_routes(g, d);
    /* Plugins are initialised only once everything they depend on checked out. */
    if (opts->init && !diag_failed(d))
        init_instances(g, d);
    if (diag_failed(d)) {
        gen_destroy(g);
        return NULL;
    }
    return g;
}

void rt_holder_init(rt_holder *h)
{
    pthread_mutex_init(&h->lock, NULL);
    h->current = NULL;
    h->next_number = 1;
}

void rt_holder_install(rt_holder *h, rt_gen *g)
{
    pthread_mutex_lock(&h->lock);
    rt_gen *old = h->current;
    g->number = h->next_number++;
    h->current = g;
    pthread_mutex_unlock(&h->lock);
    /* Work still holding the old generation keeps it alive until it lets go. */
    rt_gen_unref(old);
}

rt_gen *rt_holder_get(rt_holder *h)
{
    pthread_mutex_lock(&h->lock);
    rt_gen *g = h->current ? rt_gen_ref(h->current) : NULL;
    pthread_mutex_unlock(&h->lock);
    return g;
}

void rt_holder_free(rt_holder *h)
{
    rt_gen_unref(h->current);
    h->current = NULL;
    pthread_mutex_destroy(&h->lock);
}
