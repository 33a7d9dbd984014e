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

#include "loader/loader.h"
#include "runtime/describe.h"
#include "runtime/runtime_types.h"

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

/* The holder of the current generation (rt_holder). */
void rt_holder_init(rt_holder *h);
/* rt_holder_install - make g current (takes the caller's reference); the old is unref'd. */
void rt_holder_install(rt_holder *h, rt_gen *g);
/* rt_holder_get - a new reference to the current generation, or NULL. */
rt_gen *rt_holder_get(rt_holder *h);
void rt_holder_free(rt_holder *h);

#endif
