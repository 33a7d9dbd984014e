/*
 * transfer - one request on one curl easy handle.  Executor thread only.
 */
#ifndef OH_EXECUTOR_TRANSFER_H
#define OH_EXECUTOR_TRANSFER_H

#include "executor/ex_types.h"

ex_scheme ex_scheme_of(const char *url);
/* ext_start - set the job's easy handle up and add it to the multi handle: 0.  When the
 * job finished at once (file://, a request we cannot build) returns -1 with *res filled. */
int ext_start(executor *ex, ex_job *job, ex_result *res);
/* ext_result - the outcome of a finished transfer. */
void ext_result(ex_job *job, CURLcode rc, ex_result *res);
/* ext_cleanup - detach from the multi handle (if added) and free the transfer state. */
void ext_cleanup(executor *ex, ex_job *job);

#endif
