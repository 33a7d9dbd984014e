/*
 * loader - opens plugin shared objects and validates their descriptors (docs/architecture.md §8).
 *
 * A registry remembers every module it opened, by resolved path.  A module is dlopen'ed and
 * validated once per process; it is never dlclose'd once accepted, so reloads reuse its code
 * (new plugin code needs a restart, by design).  Refused modules are closed at once.
 *
 * Every refusal is one line naming the file and the reason.
 */
#ifndef OH_LOADER_H
#define OH_LOADER_H

#include <orderhub/plugin.h>
#include <pthread.h>

typedef struct ldr_module {
    char *path;                 /* resolved path of the .so, owned */
    void *handle;               /* dlopen handle, never closed */
    oh_plugin desc;             /* the descriptor, zero-extended to this host's size */
    oh_setting_spec *settings;  /* host-size copies of the specs, NULL-name terminated */
    size_t setting_count;
    union {                     /* zero-extended copy of the kind's ops; desc.<kind> points here */
        oh_payment_ops payment;
        oh_carrier_ops carrier;
        oh_notifier_ops notifier;
        oh_filter_ops filter;
    } ops;
} ldr_module;

typedef struct ldr_registry {
    pthread_mutex_t lock;
    ldr_module **mods; /* owned */
    size_t count;
    size_t cap;
} ldr_registry;

/* ldr_registry_init / ldr_registry_free - the registry; free keeps the code mapped. */
void ldr_registry_init(ldr_registry *r);
void ldr_registry_free(ldr_registry *r);

/*
 * ldr_open - open and validate the module at `path`.  On success *out points into the
 * registry (valid until ldr_registry_free) and 0 is returned; on refusal -1 with one line in
 * err naming the file.
 */
int ldr_open(ldr_registry *r, const char *path, const ldr_module **out, char *err,
             size_t errlen);

/*
 * ldr_find - look for NAME.so in dirs[0..ndirs-1] in order and ldr_open the first found.
 * A missing file is refused with the directories searched.
 */
int ldr_find(ldr_registry *r, const char *name, const char *const *dirs, size_t ndirs,
             const ldr_module **out, char *err, size_t errlen);

/* ldr_kind_name - "payment", "carrier", "notifier", "filter" or "unknown". */
const char *ldr_kind_name(oh_plugin_kind kind);

/* ldr_module_ops - names of the operations the module implements, for `info` output. */
size_t ldr_module_ops(const ldr_module *m, const char **names, size_t max);

#endif
