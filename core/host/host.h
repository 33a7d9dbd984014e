/*
 * host - the oh_host_api table handed to plugins, and the host side of the SDK structures
 * (requests, track results, labels, rate lists) that the executor and the test kit use:
 * the headers of the files of core/host, for the rest of orderhubd.  A file of core/host
 * includes only the headers of the files it calls, never this one.
 */
#ifndef OH_HOST_H
#define OH_HOST_H

#include "host/host_types.h"

#include "host/host_api.h"
#include "host/host_time.h"
#include "host/kv.h"
#include "host/parse.h"
#include "host/request.h"
#include "host/results.h"
#include "host/track_result.h"

#endif
