/*
 * host_time - the time parser of oh_host_api (time.c; not named time.h, which would
 * read as the C library's).
 */
#ifndef OH_HOST_TIME_H
#define OH_HOST_TIME_H

#include "host/host_types.h"

/* time_parse of oh_host_api (orderhub/host.h has its contract). */
int host_time_parse(const char *text, int64_t *unix_ms);

#endif
