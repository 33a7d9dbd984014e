/*
 * signed_webhook - the "t=UNIX,v1=HEX[,v1=HEX...]" webhook signature scheme (Stripe's; the
 * sandbox gateway and carrier sign the same way under their own header name): each v1 is
 * the lower-case hex HMAC-SHA256, keyed with the whole secret, of "UNIX." followed by the
 * raw body.  Any v1 may match (secrets are rolled by signing with both), other schemes
 * (v0) are ignored, every candidate is compared without an early exit, and UNIX must lie
 * within `tolerance_s` of the host clock both ways (a far-future stamp is as suspect as a
 * stale one).  Compiled into each plugin that uses it; nothing is exported.
 */
#ifndef OH_PLUGIN_SIGNED_WEBHOOK_H
#define OH_PLUGIN_SIGNED_WEBHOOK_H

#include <orderhub/orderhub.h>

/*
 * signed_webhook_verify - check `in` against header `header` signed with `secret`.
 * OH_OK when authentic; OH_FAIL with the reason (no secret configured, no header, no
 * timestamp, no v1, outside the tolerance, no match); OH_RETRY when the HMAC cannot be
 * computed.
 */
int signed_webhook_verify(const oh_host_api *host, const oh_inbound *in, const char *header,
                          const char *secret, int64_t tolerance_s, int64_t now_unix,
                          oh_error *err);

#endif
