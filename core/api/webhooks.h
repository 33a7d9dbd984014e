/*
 * webhooks - POST /v1/webhooks/{instance}, for the router (api.c): signed by the plugin's
 * scheme, no token.
 */
#ifndef OH_API_WEBHOOKS_H
#define OH_API_WEBHOOKS_H

#include "api/api_types.h"

enum MHD_Result api_webhook(req_ctx *ctx, const char *method, const char *instance);

#endif
