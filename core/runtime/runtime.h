/*
 * runtime - a "generation": the plugin instances and routes of one loaded configuration,
 * and the holder through which the daemon swaps generations atomically on reload.
 *
 * Building a generation parses the file, loads every module, validates every instance's
 * settings and every route, and (unless only checking) initialises every instance.  Any
 * failure leaves no trace: the partly built generation is torn down and the caller keeps
 * the one it had.
 */
#ifndef OH_RUNTIME_H
#define OH_RUNTIME_H

#include "config/config_file.h"
#include "loader/loader.h"
#include "runtime/instance.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct rt_route {
    char *on;                  /* owned */
    struct oh_instance **chain; /* owned array of borrowed instances of this generation */
    size_t chain_len;
    const cfg_condition *when;  /* borrowed from the generation's cfg */
    size_t when_count;
} rt_route;

typedef struct rt_gen {
    atomic_int refs;
    unsigned long number;       /* 1 for the first generation, +1 per successful reload */
    cfg_file *cfg;              /* owned: the parsed file (sla, listen, store, log) */
    struct oh_instance *instances; /* owned array */
    size_t instance_count;
    rt_route *routes;           /* owned array */
    size_t route_count;
} rt_gen;

typedef struct rt_build_opts {
    const char *const *extra_dirs; /* searched before the file's plugin_path (env, tests) */
    size_t extra_dir_count;
    const char *default_dir;       /* searched last (the installed plugin directory) */
    int init;                      /* call init (0: validate only, as before daemonizing) */
} rt_build_opts;

/*
 * rt_build - build a generation from the file at `path`.  Every problem is added to `d`;
 * returns the generation (one reference, owned by the caller) or NULL.
 */
rt_gen *rt_build(ldr_registry *reg, const char *path, const rt_build_opts *opts,
                 diag_list *d);

/* rt_gen_ref / rt_gen_unref - count references; the last unref destroys the instances. */
rt_gen *rt_gen_ref(rt_gen *g);
void rt_gen_unref(rt_gen *g);

/* rt_instance - the instance called `id` in g, or NULL. */
struct oh_instance *rt_instance(const rt_gen *g, const char *id);

/* The current generation, swapped under a lock; readers take a reference. */
typedef struct rt_holder {
    pthread_mutex_t lock;
    rt_gen *current;        /* owned reference */
    unsigned long next_number;
} rt_holder;

void rt_holder_init(rt_holder *h);
/* rt_holder_install - make g current (takes the caller's reference); the old is unref'd. */
void rt_holder_install(rt_holder *h, rt_gen *g);
/* rt_holder_get - a new reference to the current generation, or NULL. */
rt_gen *rt_holder_get(rt_holder *h);
void rt_holder_free(rt_holder *h);

/*
 * rt_describe - the generation as JSON: {"instances":[{id, module, kind, version, abi,
 * settings (sensitive values "***")}], "routes":[{on, chain}]}.  New reference or NULL.
 */
#include <jansson.h>
json_t *rt_describe(const rt_gen *g);
#endif
