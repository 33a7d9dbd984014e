/*
 * store_health - the store's health over HTTP: GET /healthz and POST /v1/store/check.
 */
#ifndef OH_API_STORE_HEALTH_H
#define OH_API_STORE_HEALTH_H

#include "api/api_types.h"

enum MHD_Result api_healthz(req_ctx *ctx);
enum MHD_Result api_store_check(req_ctx *ctx);  /* admin only: the caller checks */
/* Interrupt and join a running check (api_stop, before the store may close). */
void api_store_check_stop(api *a);

#endif
