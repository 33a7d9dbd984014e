/*
 * ledger - /v1/ledger...: a seller's ledger entries by period and its balance per currency,
 * for the router (api.c).  docs/api.md, "Ledger".
 */
#ifndef OH_API_LEDGER_H
#define OH_API_LEDGER_H

#include "api/api_types.h"

enum MHD_Result api_ledger(req_ctx *ctx, const char *method, const char *url);

#endif
