/*
 * filter_limits - refuses orders over an amount or an item count.
 *
 * Reads the order's "total" (integer, minor units) and the "quantity" of each of its
 * "items".  An order lacking them is refused too: a filter that cannot judge must not wave
 * an order through.
 */
#include <orderhub/orderhub.h>
#include <stdlib.h>

typedef struct limits {
    int64_t max_total;
    int64_t max_items;
} limits;

static const oh_setting_spec settings[] = {
    {"max_total", OH_SETTING_INT, "1000000", "Largest order total accepted (minor units)", 0,
     1, INT64_MAX},
    {"max_items", OH_SETTING_INT, "100", "Largest number of units in one order", 0, 1,
     1000000},
    OH_SETTINGS_END};

static int limits_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                       void **state, oh_error *err)
{
    limits *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    l->max_total = host->setting_int(s, "max_total");
    l->max_items = host->setting_int(s, "max_items");
    *state = l;
    return OH_OK;
}

static void limits_destroy(void *state)
{
    free(state);
}

static int check(void *state, const oh_filter_input *in, oh_error *err)
{
    const limits *l = state;
    const json_t *total = json_object_get(in->order, "total");
    const json_t *items = json_object_get(in->order, "items");
    if (!json_is_integer(total) || !json_is_array(items))
        return oh_error_set(err, OH_REJECT, "order has no integer total or no items");
    if (json_integer_value(total) > l->max_total)
        return oh_error_set(err, OH_REJECT, "order total %lld exceeds the limit of %lld",
                            (long long)json_integer_value(total), (long long)l->max_total);
    int64_t units = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item) {
        const json_t *q = json_object_get(item, "quantity");
        if (!json_is_integer(q) || json_integer_value(q) <= 0)
            return oh_error_set(err, OH_REJECT, "item %zu has no positive quantity", i + 1);
        /* Compared before adding: a huge quantity must not overflow the sum. */
        if (json_integer_value(q) > l->max_items - units)
            return oh_error_set(err, OH_REJECT, "order has more than %lld units",
                                (long long)l->max_items);
        units += json_integer_value(q);
    }
    return OH_OK;
}

static const oh_filter_ops ops = OH_OPS_INIT(oh_filter_ops, .check = check);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "filter_limits", .version = "0.1.0", .kind = OH_KIND_FILTER,
    .description = "Rejects orders over an amount or item-count limit", .settings = settings,
    .init = limits_init, .destroy = limits_destroy, .filter = &ops);

OH_PLUGIN_DEFINE(plugin)
