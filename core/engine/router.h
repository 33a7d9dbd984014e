/*
 * router - which plugin chains an event runs through (docs/architecture.md §4), and what
 * each kind of step does on that event.
 *
 * A route matches an event when its `on` names it (or its family with "family.*") and
 * every `when` condition holds for the order.  Routes run in file order.
 */
#ifndef OH_ROUTER_H
#define OH_ROUTER_H

#include "runtime/runtime.h"

#include <jansson.h>

/* router_matches - nonzero when route r applies to `event` for `order`. */
int router_matches(const rt_route *r, const char *event, const json_t *order);

/*
 * router_operation - the operation a step of `kind` performs on `event`: "check" for
 * filters, "notify" for notifiers, "authorize" / "void" / "capture" / "refund" for
 * payment, "label" / "rate" for carriers; NULL when the kind does nothing there (the
 * configuration check prevents that for routes it accepted).
 */
const char *router_operation(oh_plugin_kind kind, const char *event);

/*
 * router_step_applies - whether a step of `kind` acts on this occurrence of `event`, given
 * the event's data: money goes back on an inspected return only when its outcome is
 * "refund", on a resolved dispute only when the resolution is "refund".
 */
int router_step_applies(oh_plugin_kind kind, const char *event, const json_t *data);

/* router_order_field - the order's value for a condition field, or NULL. */
const char *router_order_field(const json_t *order, const char *field);

#endif
