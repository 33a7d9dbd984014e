#include "config.h"

#include "router.h"

#include "events/events.h"

#include <string.h>

const char *router_order_field(const json_t *order, const char *field)
{
    const json_t *v = NULL;
    if (strcmp(field, "seller") == 0)
        v = json_object_get(json_object_get(order, "seller"), "id");
    else if (strcmp(field, "country") == 0)
        v = json_object_get(json_object_get(order, "shipping_address"), "country");
    else if (strcmp(field, "currency") == 0 || strcmp(field, "service_level") == 0)
        v = json_object_get(order, field);
    return json_string_value(v);
}

int router_matches(const rt_route *r, const char *event, const json_t *order)
{
    if (!evt_route_matches(r->on, event))
        return 0;
    for (size_t i = 0; i < r->when_count; i++) {
        const char *have = router_order_field(order, r->when[i].field);
        int ok = 0;
        for (size_t v = 0; have != NULL && v < r->when[i].value_count && !ok; v++)
            ok = strcmp(have, r->when[i].values[v]) == 0;
        if (!ok)
            return 0;
    }
    return 1;
}

/* What money or a carrier does on each event where events.c allows those kinds. */
static const struct {
    const char *event;
    oh_plugin_kind kind;
    const char *operation;
} operations[] = {
    {"order.placed", OH_KIND_PAYMENT, "authorize"},
    {"order.validated", OH_KIND_PAYMENT, "authorize"},
    {"order.cancelled", OH_KIND_PAYMENT, "void"},
    {"shipment.label_created", OH_KIND_PAYMENT, "capture"},
    {"order.confirmed", OH_KIND_PAYMENT, "capture"}, /* a route choosing capture at once */
    {"delivery.unconfirmed", OH_KIND_PAYMENT, "refund"},
    {"return.inspected", OH_KIND_PAYMENT, "refund"},
    {"dispute.resolved", OH_KIND_PAYMENT, "refund"},
    {"order.acknowledged", OH_KIND_CARRIER, "rate"},
    {"fulfillment.packed", OH_KIND_CARRIER, "label"},
    {"return.approved", OH_KIND_CARRIER, "label"},
};

static const struct {
    const char *event;
    oh_plugin_kind kind;
    const char *field;
    const char *value;
} only_when[] = {
    {"return.inspected", OH_KIND_PAYMENT, "outcome", "refund"},
    {"dispute.resolved", OH_KIND_PAYMENT, "resolution", "refund"},
};

int router_step_applies(oh_plugin_kind kind, const char *event, const json_t *data)
{
    for (size_t i = 0; i < sizeof(only_when) / sizeof(only_when[0]); i++) {
        if (only_when[i].kind == kind && strcmp(only_when[i].event, event) == 0) {
            const char *v = json_string_value(json_object_get(data, only_when[i].field));
            return v != NULL && strcmp(v, only_when[i].value) == 0;
        }
    }
    return 1;
}

const char *router_operation(oh_plugin_kind kind, const char *event)
{
    if (kind == OH_KIND_FILTER)
        return "check";
    if (kind == OH_KIND_NOTIFIER)
        return "notify";
    for (size_t i = 0; i < sizeof(operations) / sizeof(operations[0]); i++) {
        if (operations[i].kind == kind && strcmp(operations[i].event, event) == 0)
            return operations[i].operation;
    }
    return NULL;
}
