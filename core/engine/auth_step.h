/*
 * auth_step - the token of a plugin's auth step, fetched on the executor and cached per
 * instance (see auth_step.c).
 */
#ifndef OH_AUTH_STEP_H
#define OH_AUTH_STEP_H

#include "engine_int.h"
#include "executor/executor.h"

/*
 * auth_ready_fn - the token is there (rc OH_OK; `token` valid during the call only, NULL
 * when the plugin has no auth step) or could not be had (rc OH_RETRY / OH_FAIL, `why`).
 */
typedef void (*auth_ready_fn)(void *arg, const char *token, int rc, const char *why);

/*
 * auth_token_get - call `ready` with the instance's token: at once when it has no auth step
 * or a fresh token is cached (returns 0), else once the fetch it starts or joins ends, on
 * the executor thread (returns 1).
 */
int auth_token_get(executor *ex, struct oh_instance *inst, auth_ready_fn ready, void *arg);

/* auth_token_drop - the remote refused `token` (HTTP 401): forget it if still cached. */
void auth_token_drop(struct oh_instance *inst, const char *token);

#endif
