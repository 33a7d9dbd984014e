/*
 * runtime_types - the structures of a generation and of its holder (runtime.h), apart from
 * the functions so that describe.c reads a generation without seeing runtime.c's.
 */
#ifndef OH_RUNTIME_TYPES_H
#define OH_RUNTIME_TYPES_H

#include "config/config_file.h"
#include "runtime/instance.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct rt_route {
    char *on;                  /* owned */
    struct oh_instance **chain; /* owned array of borrowed instances of this generation */
    size_t chain_len;
    const cfg_condition *when;  /* borrowed from the generation's cfg */
    size_t when_count;
    cfg_audience audience;      /* UNSET: each notifier's own (cfg_instance.audience) */
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

/* The current generation, swapped under a lock; readers take a reference. */
typedef struct rt_holder {
    pthread_mutex_t lock;
    rt_gen *current;        /* owned reference */
    unsigned long next_number;
} rt_holder;

#endif
