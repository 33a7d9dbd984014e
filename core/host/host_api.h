/*
 * host_api - the oh_host_api table handed to plugins, assembled from the other files of
 * core/host.
 */
#ifndef OH_HOST_HOST_API_H
#define OH_HOST_HOST_API_H

#include "host/host_types.h"

/* host_api - the table (static storage, valid for the process). */
const oh_host_api *host_api(void);

/* host_now_override - fix the clock seen by plugins (tests, `--now`); 0 restores it. */
void host_now_override(int64_t unix_ms);

#endif
