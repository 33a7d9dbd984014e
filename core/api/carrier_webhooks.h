/*
 * carrier_webhooks - a carrier's verified webhook, for webhooks.c.
 */
#ifndef OH_API_CARRIER_WEBHOOKS_H
#define OH_API_CARRIER_WEBHOOKS_H

#include "api/api_types.h"

/* api_carrier_webhook - a verified carrier webhook (its tracking updates) for `inst`. */
enum MHD_Result api_carrier_webhook(req_ctx *ctx, struct oh_instance *inst,
                                    const oh_inbound *in);

#endif
