#include "config.h"

#include "describe.h"

#include <stdlib.h>
#include <string.h>

static json_t *instance_json(const struct oh_instance *inst)
{
    const oh_plugin *d = &inst->module->desc;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o?}", "id", inst->id, "module", d->name,
                          "kind", ldr_kind_name(d->kind), "version", d->version, "path",
                          inst->module->path, "settings", set_to_json(inst->settings));
    if (o != NULL) {
        char abi[32];
        snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
        json_object_set_new(o, "abi", json_string(abi));
    }
    return o;
}

json_t *rt_describe(const rt_gen *g)
{
    json_t *insts = json_array(), *routes = json_array();
    for (size_t i = 0; insts != NULL && i < g->instance_count; i++)
        json_array_append_new(insts, instance_json(&g->instances[i]));
    for (size_t i = 0; routes != NULL && i < g->route_count; i++) {
        json_t *chain = json_array();
        for (size_t k = 0; chain != NULL && k < g->routes[i].chain_len; k++)
            json_array_append_new(chain, json_string(g->routes[i].chain[k]->id));
        json_t *when = json_object();
        for (size_t k = 0; when != NULL && k < g->routes[i].when_count; k++) {
            const cfg_condition *c = &g->routes[i].when[k];
            json_t *values = json_array();
            for (size_t v = 0; values != NULL && v < c->value_count; v++)
                json_array_append_new(values, json_string(c->values[v]));
            json_object_set_new(when, c->field, values);
        }
        json_array_append_new(routes, json_pack("{s:s, s:o?, s:o?}", "on", g->routes[i].on,
                                                "chain", chain, "when", when));
    }
    return json_pack("{s:o?, s:o?}", "instances", insts, "routes", routes);
}
