/*
 * orderhub/notifier.h - operations of a notification channel plugin (kind OH_KIND_NOTIFIER).
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * A notifier renders one lifecycle event for one recipient into a request: a signed webhook,
 * an smtp:// message, an SMS API call, a chat webhook, or a file:// append for local logs.
 * The host sends it, retries it (same dedupe id every time) and dead-letters it when it
 * keeps failing.
 */
#ifndef ORDERHUB_NOTIFIER_H
#define ORDERHUB_NOTIFIER_H

#include <jansson.h>
#include <orderhub/abi.h>
#include <orderhub/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * oh_recipient_role - who a notification is for: the `audience` of the route that sent the
 * event, else of the instance, else OH_RECIPIENT_SELLER (orderhub.conf(5)).  The host
 * decides it when the route runs and keeps it with the queued notification, so retries
 * after a reload still go to the same audience.
 */
typedef enum oh_recipient_role {
    OH_RECIPIENT_BUYER = 1,
    OH_RECIPIENT_SELLER = 2,
    OH_RECIPIENT_OPERATOR = 3
} oh_recipient_role;

/*
 * oh_notify_input - one event for one recipient (since 1.0).  Borrowed: every pointer is
 * owned by the host and valid during the call; do not json_decref the json_t values (take a
 * reference with json_incref if you keep one, which you should not need).
 */
typedef struct oh_notify_input {
    uint32_t struct_size;
    const char *event;          /**< canonical event name, e.g. "shipment.delivered" */
    const char *order_id;
    const char *dedupe_id;      /**< stable across retries: send it so receivers dedupe */
    oh_recipient_role role;     /**< the audience; a plugin setting naming one may win */
    /**
     * The role's e-mail address from the order, or NULL: buyer: buyer.email, else
     * shipping_address.email; seller: seller.email; operator: always NULL (no order holds
     * it: the plugin's settings name the operator's address).  A plugin that writes to a
     * phone or URL reads that from the order itself.
     */
    const char *recipient;
    const json_t *order;        /**< order snapshot (object), borrowed */
    const json_t *data;         /**< event payload (object), borrowed */
    int64_t occurred_at_ms;     /**< when the event happened, Unix milliseconds */
} oh_notify_input;

/*
 * oh_notifier_ops - operations table of a notifier plugin (since 1.0).
 *
 * render_build is mandatory.  response_parse is optional: without it the host judges the
 * answer itself (2xx: OH_OK; 408, 429, 5xx and network errors: OH_RETRY; anything else:
 * OH_FAIL).
 */
typedef struct oh_notifier_ops {
    uint32_t struct_size;
    /**
     * Mandatory.  Render `in` into `req`.  OH_STOP means: nothing to send for this event
     * (no address for the audience, say); the notification is then done, not failed.  When
     * a notification of order.confirmed to an audience configured as the seller is
     * answered OH_OK, the host journals seller.notified (once, while the order awaits
     * shipment).
     */
    int (*render_build)(void *state, const oh_notify_input *in, oh_request *req,
                        oh_error *err);
    /** Optional.  Judge the receiver's answer: OH_OK, OH_RETRY or OH_FAIL. */
    int (*response_parse)(void *state, const oh_notify_input *in, const oh_response *resp,
                          oh_error *err);
} oh_notifier_ops;

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_NOTIFIER_H */
