/*
 * order_actions - the table of order actions (POST /v1/orders/{id}/PATH) and their body
 * checks.  Each row names the lifecycle input it sends, so the API's action list is read
 * from here and held to the lifecycle by tests/lifecycle_docs.sh.
 */
#ifndef OH_ORDER_ACTIONS_H
#define OH_ORDER_ACTIONS_H

#include "api/api_types.h"
#include "engine/lifecycle.h"

#include <jansson.h>
#include <stddef.h>

/*
 * A body check: 0 when `body` is acceptable for `order` (the snapshot), else the HTTP
 * status to answer (400 malformed, 422 well-formed but impossible for this order) with
 * `field` and `why` set.
 */
typedef int (*body_check)(const json_t *body, const json_t *order, char *field, size_t fl,
                          char *why, size_t wl);

/* Who may act on an order, as ROLE() bits (api_types.h): the seller side, the buyer side
 * (storefronts), support; an admin is each of them. */
#define SELLERS (ROLE(CFG_ROLE_SELLER) | ROLE(CFG_ROLE_ADMIN))
#define BUYERS (ROLE(CFG_ROLE_STOREFRONT) | ROLE(CFG_ROLE_ADMIN))
#define SUPPORT (ROLE(CFG_ROLE_SUPPORT) | ROLE(CFG_ROLE_ADMIN))

typedef struct api_action {
    const char *path;         /* after /v1/orders/{id}/; "*" stands for a return/dispute id */
    lc_input input;           /* what it sends to the engine */
    unsigned roles;           /* ROLE() bits of cfg_role that may send it */
    const char *sub_field;    /* "return_id"/"dispute_id": the "*" (or a new id) goes there */
    body_check check;         /* NULL: any body of known members */
    const char *const *keep;  /* members passed on (NULL-terminated); the rest is dropped */
    int names_carrier;        /* its "carrier" member must be a configured carrier instance */
} api_action;

/* api_action_find - the action whose path matches `tail` ("returns/ret-1/approve"), with
 * the id standing for "*" copied into sub (sublen bytes; must pass intake_id_ok); NULL
 * when none does.  The row is static. */
const api_action *api_action_find(const char *tail, char *sub, size_t sublen);

/* api_action_check - the action's body checks (free texts, then its own); 0, or the status
 * to answer with field and why set. */
int api_action_check(const api_action *a, const json_t *body, const json_t *order,
                     char *field, size_t fl, char *why, size_t wl);

/* api_order_action - the i-th action of POST /v1/orders/{id}/...: its path ("ack", with
 * "*" for a return or dispute id) and, in *input, the lifecycle input it sends; NULL past
 * the last.  For the test that holds the docs to the lifecycle table. */
const char *api_order_action(size_t i, lc_input *input);

#endif
