/*
 * stock - /v1/stock...: a seller's stock records read, listed and written (set, adjusted,
 * loaded in bulk), for the router (api.c).  docs/api.md, "Stock".
 */
#ifndef OH_API_STOCK_H
#define OH_API_STOCK_H

#include "api/api_types.h"

enum MHD_Result api_stock(req_ctx *ctx, const char *method, const char *url);

#endif
