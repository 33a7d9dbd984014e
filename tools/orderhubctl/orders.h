/*
 * orders - what the verbs on orders share (orders.c).
 */
#ifndef OH_CTL_ORDERS_H
#define OH_CTL_ORDERS_H

#include "ctl.h"
#include "http.h"

#include <jansson.h>

/* ord_oom - "out of memory" on stderr; CTL_REFUSED. */
int ord_oom(void);

/* ord_no_opt - the option handler of a verb that takes no options of its own. */
int ord_no_opt(void *arg, int id, const char *value);

/* ord_print_state - print an action's answer r ("ID STATE", and the id of a return or
 * dispute it opened; the JSON as is with --json) and free it; the exit status.  id: the
 * order's, when the answer names none. */
int ord_print_state(ctl *c, ctl_resp *r, const char *id);

/* ord_post_action - POST body (NULL: {}; stolen) to /v1/orders/{id}/{s1}/{s2}/{s3} (NULL
 * segments end the path) and print the new state; the exit status. */
int ord_post_action(ctl *c, const char *id, json_t *body, const char *s1, const char *s2,
                    const char *s3);

/* ord_str - member `key` of obj as a string; "" when absent or not a string. */
const char *ord_str(const json_t *obj, const char *key);

#endif
