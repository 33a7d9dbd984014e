/*
 * orderhub/orderhub.h - the whole orderhub plugin SDK in one include.
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 *   abi.h       ABI version, oh_result codes, oh_error
 *   settings.h  declarative settings schema
 *   http.h      oh_request / oh_response / oh_inbound (sans-I/O)
 *   host.h      oh_host_api: the services the host hands a plugin
 *   payment.h   payment gateway operations
 *   carrier.h   carrier operations and the canonical tracking statuses
 *   notifier.h  notification channel operations
 *   filter.h    filter (verdict) operations
 *   plugin.h    the descriptor, OH_PLUGIN_INIT, OH_PLUGIN_DEFINE
 *
 * Compile with `pkg-config --cflags orderhub-sdk`.  See sdk/GUIDE.md.
 */
#ifndef ORDERHUB_ORDERHUB_H
#define ORDERHUB_ORDERHUB_H

#include <orderhub/abi.h>
#include <orderhub/carrier.h>
#include <orderhub/filter.h>
#include <orderhub/host.h>
#include <orderhub/http.h>
#include <orderhub/notifier.h>
#include <orderhub/payment.h>
#include <orderhub/plugin.h>
#include <orderhub/settings.h>

#endif /* ORDERHUB_ORDERHUB_H */
