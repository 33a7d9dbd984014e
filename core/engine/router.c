#include "config.h"

#include "router.h"

#include "engine/lifecycle.h"
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

/* What each kind does on each event is the lifecycle table's (lifecycle_table.c). */
int router_step_applies(oh_plugin_kind kind, const char *event, const json_t *data)
{
    const lc_event_op *row;
    if (lc_event_operation(kind, event, &row) == NULL || row == NULL || row->only_field == NULL)
        return 1;
    const char *v = json_string_value(json_object_get(data, row->only_field));
    return v != NULL && strcmp(v, row->only_value) == 0;
}

const char *router_operation(oh_plugin_kind kind, const char *event)
{
    return lc_event_operation(kind, event, NULL);
}
