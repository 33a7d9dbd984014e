/*
 * admin - the admin token's operations and the Prometheus metrics, for the router
 * (api.c).
 */
#ifndef OH_API_ADMIN_H
#define OH_API_ADMIN_H

#include "api/api_types.h"

enum MHD_Result api_admin(req_ctx *ctx, const char *method, const char *url);
enum MHD_Result api_metrics(req_ctx *ctx);

#endif
