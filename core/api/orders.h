/*
 * orders - /v1/orders...: placement, reads, listing and actions, for the router (api.c).
 */
#ifndef OH_API_ORDERS_H
#define OH_API_ORDERS_H

#include "api/api_types.h"

enum MHD_Result api_orders(req_ctx *ctx, const char *method, const char *url);

#endif
