#include "config.h"

#include "loader.h"

#include "settings/settings.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Sizes of the 1.0 layouts: the end of the last member that 1.0 defined.  A later minor
 * appends members after these, so these expressions stay right without edits.
 */
#define END_OF(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#define PLUGIN_SIZE_1_0 END_OF(oh_plugin, filter)
#define SPEC_SIZE_1_0 END_OF(oh_setting_spec, max)

typedef void (*any_fn)(void);

/* One operation of a kind's table: where it sits and what the loader demands of it. */
typedef struct op_spec {
    const char *name;
    size_t offset;
    int group; /* 0: mandatory; N > 0: optional, all-or-none with the others of group N */
} op_spec;

#define OP(type, m, g) {#m, offsetof(type, m), g}

static const op_spec payment_ops[] = {
    OP(oh_payment_ops, authorize_build, 0), OP(oh_payment_ops, authorize_parse, 0),
    OP(oh_payment_ops, capture_build, 0),   OP(oh_payment_ops, capture_parse, 0),
    OP(oh_payment_ops, void_build, 0),      OP(oh_payment_ops, void_parse, 0),
    OP(oh_payment_ops, refund_build, 0),    OP(oh_payment_ops, refund_parse, 0),
    OP(oh_payment_ops, webhook_verify, 1),  OP(oh_payment_ops, webhook_parse, 1),
};
static const op_spec carrier_ops[] = {
    OP(oh_carrier_ops, track_build, 0),    OP(oh_carrier_ops, track_parse, 0),
    OP(oh_carrier_ops, label_build, 1),    OP(oh_carrier_ops, label_parse, 1),
    OP(oh_carrier_ops, rate_build, 2),     OP(oh_carrier_ops, rate_parse, 2),
    OP(oh_carrier_ops, webhook_verify, 3), OP(oh_carrier_ops, webhook_parse, 3),
    OP(oh_carrier_ops, void_build, 4),     OP(oh_carrier_ops, void_parse, 4),
};
static const op_spec notifier_ops[] = {
    OP(oh_notifier_ops, render_build, 0),
    OP(oh_notifier_ops, response_parse, 1),
};
static const op_spec filter_ops[] = {
    OP(oh_filter_ops, check, 1),
    OP(oh_filter_ops, check_build, 2),
    OP(oh_filter_ops, check_parse, 2),
};

typedef struct kind_spec {
    oh_plugin_kind kind;
    const char *name;
    size_t desc_offset; /* where the descriptor points at this kind's ops */
    size_t size_1_0;    /* smallest ops struct_size this host can read */
    size_t host_size;
    const op_spec *ops;
    size_t op_count;
} kind_spec;

#define KIND(k, n, field, type, last, table)                                              \
    {k, n, offsetof(oh_plugin, field), END_OF(type, last), sizeof(type), table,           \
     sizeof(table) / sizeof(table[0])}

static const kind_spec kinds[] = {
    KIND(OH_KIND_PAYMENT, "payment", payment, oh_payment_ops, webhook_parse, payment_ops),
    KIND(OH_KIND_CARRIER, "carrier", carrier, oh_carrier_ops, webhook_parse, carrier_ops),
    KIND(OH_KIND_NOTIFIER, "notifier", notifier, oh_notifier_ops, response_parse,
         notifier_ops),
    KIND(OH_KIND_FILTER, "filter", filter, oh_filter_ops, check_parse, filter_ops),
};

static const kind_spec *kind_lookup(oh_plugin_kind kind)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (kinds[i].kind == kind)
            return &kinds[i];
    }
    return NULL;
}

const char *ldr_kind_name(oh_plugin_kind kind)
{
    const kind_spec *k = kind_lookup(kind);
    return k ? k->name : "unknown";
}

static int op_present(const void *ops, const op_spec *op)
{
    any_fn fn;
    memcpy(&fn, (const char *)ops + op->offset, sizeof(fn));
    return fn != NULL;
}

size_t ldr_module_ops(const ldr_module *m, const char **names, size_t max)
{
    const kind_spec *k = kind_lookup(m->desc.kind);
    size_t n = 0;
    if (m->desc.auth_build != NULL && n + 2 <= max) {
        names[n++] = "auth_build";
        names[n++] = "auth_parse";
    }
    for (size_t i = 0; k != NULL && i < k->op_count && n < max; i++) {
        if (op_present(&m->ops, &k->ops[i]))
            names[n++] = k->ops[i].name;
    }
    return n;
}

void ldr_registry_init(ldr_registry *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

static void module_free(ldr_module *m)
{
    if (m == NULL)
        return;
    free(m->settings);
    free(m->path);
    free(m);
}

void ldr_registry_free(ldr_registry *r)
{
    /* The shared objects stay mapped: code is never unloaded while the process runs. */
    for (size_t i = 0; i < r->count; i++)
        module_free(r->mods[i]);
    free(r->mods);
    pthread_mutex_destroy(&r->lock);
    memset(r, 0, sizeof(*r));
}

static int name_is_valid(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    }
    return 1;
}

/* Check the ABI header fields before anything else is read. */
static int check_abi(const oh_plugin *raw, const char *path, char *err, size_t errlen)
{
    if (raw->abi_major != OH_ABI_MAJOR) {
        snprintf(err, errlen,
                 "%s: built for SDK ABI %u.%u, this host speaks %d.%d: major versions differ "
                 "(rebuild the plugin against orderhub-sdk %d.x)",
                 path, raw->abi_major, raw->abi_minor, OH_ABI_MAJOR, OH_ABI_MINOR,
                 OH_ABI_MAJOR);
        return -1;
    }
    if (raw->abi_minor > OH_ABI_MINOR) {
        snprintf(err, errlen,
                 "%s: built for SDK ABI %u.%u, newer than this host's %d.%d "
                 "(upgrade orderhub or rebuild the plugin against SDK %d.%d)",
                 path, raw->abi_major, raw->abi_minor, OH_ABI_MAJOR, OH_ABI_MINOR,
                 OH_ABI_MAJOR, OH_ABI_MINOR);
        return -1;
    }
    if (raw->struct_size < PLUGIN_SIZE_1_0 || raw->struct_size > sizeof(oh_plugin)) {
        snprintf(err, errlen,
                 "%s: descriptor struct_size %u cannot be read (ABI %u.%u expects %zu..%zu "
                 "bytes)",
                 path, raw->struct_size, raw->abi_major, raw->abi_minor,
                 (size_t)PLUGIN_SIZE_1_0, sizeof(oh_plugin));
        return -1;
    }
    return 0;
}

/* Copy the kind's ops table (zero-extended) and check its mandatory operations. */
static int check_ops(ldr_module *m, const char *path, char *err, size_t errlen)
{
    const kind_spec *k = kind_lookup(m->desc.kind);
    if (k == NULL) {
        snprintf(err, errlen, "%s: unknown plugin kind %d (this host knows payment, carrier, "
                 "notifier, filter)", path, (int)m->desc.kind);
        return -1;
    }
    const void *raw_ops;
    memcpy(&raw_ops, (const char *)&m->desc + k->desc_offset, sizeof(raw_ops));
    if (raw_ops == NULL) {
        snprintf(err, errlen, "%s: %s plugin without its .%s operations table", path,
                 k->name, k->name);
        return -1;
    }
    uint32_t size;
    memcpy(&size, raw_ops, sizeof(size));
    if (size < k->size_1_0 || size > k->host_size) {
        snprintf(err, errlen, "%s: %s operations struct_size %u cannot be read (expects "
                 "%zu..%zu bytes)", path, k->name, size, k->size_1_0, k->host_size);
        return -1;
    }
    memset(&m->ops, 0, sizeof(m->ops));
    memcpy(&m->ops, raw_ops, size);
    const void *copy = &m->ops;
    memcpy((char *)&m->desc + k->desc_offset, &copy, sizeof(copy));

    for (size_t i = 0; i < k->op_count; i++) {
        const op_spec *op = &k->ops[i];
        int present = op_present(&m->ops, op);
        if (op->group == 0 && !present) {
            snprintf(err, errlen, "%s: missing mandatory operation %s.%s", path, k->name,
                     op->name);
            return -1;
        }
        for (size_t j = 0; op->group != 0 && j < k->op_count; j++) {
            if (k->ops[j].group == op->group && present && !op_present(&m->ops, &k->ops[j])) {
                snprintf(err, errlen, "%s: operation %s.%s is set but %s.%s is not (they "
                         "come together)", path, k->name, op->name, k->name, k->ops[j].name);
                return -1;
            }
        }
    }
    if (m->desc.kind == OH_KIND_FILTER && m->ops.filter.check == NULL &&
        m->ops.filter.check_build == NULL) {
        snprintf(err, errlen, "%s: missing mandatory operation filter.check (or the pair "
                 "filter.check_build/check_parse)", path);
        return -1;
    }
    if (m->desc.kind == OH_KIND_CARRIER && m->ops.carrier.max_batch == 0) {
        snprintf(err, errlen, "%s: carrier.max_batch is 0 (must be at least 1)", path);
        return -1;
    }
    if ((m->desc.auth_build == NULL) != (m->desc.auth_parse == NULL)) {
        snprintf(err, errlen, "%s: auth_build and auth_parse come together", path);
        return -1;
    }
    return 0;
}

/* Copy the settings array with the plugin's stride and validate each spec. */
static int copy_settings(ldr_module *m, const char *path, char *err, size_t errlen)
{
    const oh_setting_spec *raw = m->desc.settings;
    if (raw == NULL)
        return 0;
    size_t stride = m->desc.setting_spec_size;
    if (stride < SPEC_SIZE_1_0 || stride > sizeof(oh_setting_spec)) {
        snprintf(err, errlen, "%s: setting_spec_size %zu cannot be read (expects %zu..%zu)",
                 path, stride, (size_t)SPEC_SIZE_1_0, sizeof(oh_setting_spec));
        return -1;
    }
    size_t n = 0;
    while (((const oh_setting_spec *)((const char *)raw + n * stride))->name != NULL) {
        if (++n > 256) {
            snprintf(err, errlen, "%s: more than 256 settings (missing OH_SETTINGS_END?)",
                     path);
            return -1;
        }
    }
    m->settings = calloc(n + 1, sizeof(*m->settings));
    if (m->settings == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(&m->settings[i], (const char *)raw + i * stride, stride);
        char why[256];
        if (set_spec_check(m->settings, i, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "%s: %s", path, why);
            return -1;
        }
    }
    m->setting_count = n;
    m->desc.settings = m->settings;
    return 0;
}

static int validate(ldr_module *m, const oh_plugin *raw, char *err, size_t errlen)
{
    const char *path = m->path;
    if (check_abi(raw, path, err, errlen) != 0)
        return -1;
    memset(&m->desc, 0, sizeof(m->desc));
    memcpy(&m->desc, raw, raw->struct_size);
    if (!name_is_valid(m->desc.name)) {
        snprintf(err, errlen, "%s: descriptor name missing or not [a-z0-9_]{1,64}", path);
        return -1;
    }
    if (m->desc.version == NULL || m->desc.version[0] == '\0') {
        snprintf(err, errlen, "%s: descriptor has no version", path);
        return -1;
    }
    if (m->desc.init == NULL) {
        snprintf(err, errlen, "%s: missing mandatory operation init", path);
        return -1;
    }
    if (check_ops(m, path, err, errlen) != 0)
        return -1;
    return copy_settings(m, path, err, errlen);
}

static ldr_module *registry_lookup(ldr_registry *r, const char *path)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->mods[i]->path, path) == 0)
            return r->mods[i];
    }
    return NULL;
}

static int registry_add(ldr_registry *r, ldr_module *m)
{
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        ldr_module **mods = realloc(r->mods, cap * sizeof(*mods));
        if (mods == NULL)
            return -1;
        r->mods = mods;
        r->cap = cap;
    }
    r->mods[r->count++] = m;
    return 0;
}

/* Open and validate a module not yet in the registry.  Caller holds the lock. */
static ldr_module *open_new(ldr_registry *r, const char *resolved, char *err, size_t errlen)
{
    ldr_module *m = calloc(1, sizeof(*m));
    if (m == NULL || (m->path = strdup(resolved)) == NULL) {
        snprintf(err, errlen, "%s: out of memory", resolved);
        module_free(m);
        return NULL;
    }
    /* RTLD_LOCAL: plugins never see each other's symbols; RTLD_NOW: fail here, not later. */
    m->handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
    if (m->handle == NULL) {
        snprintf(err, errlen, "%s: cannot load: %s", resolved, dlerror());
        module_free(m);
        return NULL;
    }
    void *sym = dlsym(m->handle, OH_PLUGIN_ENTRY_SYMBOL);
    oh_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof(entry));
    const oh_plugin *raw = entry ? entry() : NULL;
    int ok = 0;
    if (entry == NULL)
        snprintf(err, errlen, "%s: no symbol %s: not an orderhub plugin", resolved,
                 OH_PLUGIN_ENTRY_SYMBOL);
    else if (raw == NULL)
        snprintf(err, errlen, "%s: %s() returned NULL", resolved, OH_PLUGIN_ENTRY_SYMBOL);
    else
        ok = validate(m, raw, err, errlen) == 0;
    if (ok && registry_add(r, m) != 0) {
        snprintf(err, errlen, "%s: out of memory", resolved);
        ok = 0;
    }
    if (!ok) {
        dlclose(m->handle); /* refused: none of its code will ever run again */
        module_free(m);
        return NULL;
    }
    return m;
}

int ldr_open(ldr_registry *r, const char *path, const ldr_module **out, char *err,
             size_t errlen)
{
    char resolved[PATH_MAX];
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if (realpath(path, resolved) == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    ldr_module *m = registry_lookup(r, resolved);
    if (m == NULL)
        m = open_new(r, resolved, err, errlen);
    pthread_mutex_unlock(&r->lock);
    *out = m;
    return m ? 0 : -1;
}

int ldr_find(ldr_registry *r, const char *name, const char *const *dirs, size_t ndirs,
             const ldr_module **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!name_is_valid(name)) {
        snprintf(err, errlen, "module name '%s' is not [a-z0-9_]{1,64}", name);
        return -1;
    }
    char searched[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < ndirs; i++) {
        char path[PATH_MAX];
        int n = snprintf(path, sizeof(path), "%s/%s.so", dirs[i], name);
        if (n < 0 || (size_t)n >= sizeof(path))
            continue;
        if (access(path, F_OK) == 0) {
            if (ldr_open(r, path, out, err, errlen) != 0)
                return -1;
            /* Routes and logs name modules by file name: the two must agree. */
            if (strcmp((*out)->desc.name, name) != 0) {
                snprintf(err, errlen, "%s: descriptor names the plugin '%s', not '%s' as its "
                         "file name says", (*out)->path, (*out)->desc.name, name);
                *out = NULL;
                return -1;
            }
            return 0;
        }
        if (used < sizeof(searched)) {
            n = snprintf(searched + used, sizeof(searched) - used, "%s%s", i ? ", " : "",
                         dirs[i]);
            if (n > 0)
                used += (size_t)n;
        }
    }
    snprintf(err, errlen, "%s.so: no such file in the plugin path (%s)", name,
             ndirs ? searched : "empty");
    return -1;
}
