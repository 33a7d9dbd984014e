#include "config.h"

#include "describe.h"

#include "settings/settings.h"

/* One spec as JSON; a sensitive default is never shown. */
static json_t *spec_json(const oh_setting_spec *s)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", s->name, "type",
                          set_type_name(s->type), "description",
                          s->description ? s->description : "", "required",
                          (s->flags & OH_SETTING_REQUIRED) != 0, "sensitive",
                          (s->flags & OH_SETTING_SENSITIVE) != 0);
    if (o == NULL)
        return NULL;
    const char *def = s->default_value;
    if (def != NULL && !(s->flags & OH_SETTING_REQUIRED))
        json_object_set_new(o, "default",
                            json_string((s->flags & OH_SETTING_SENSITIVE) ? "***" : def));
    if (s->type == OH_SETTING_INT && s->min < s->max) {
        json_object_set_new(o, "min", json_integer(s->min));
        json_object_set_new(o, "max", json_integer(s->max));
    }
    return o;
}

json_t *ldr_describe(const ldr_module *m)
{
    const char *ops[32];
    size_t nops = ldr_module_ops(m, ops, sizeof(ops) / sizeof(ops[0]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:i, s:i, s:i}}", "name", m->desc.name,
                          "version", m->desc.version, "kind", ldr_kind_name(m->desc.kind),
                          "description", m->desc.description ? m->desc.description : "",
                          "path", m->path, "abi", "major", (int)m->desc.abi_major, "minor",
                          (int)m->desc.abi_minor, "struct_size", (int)m->desc.struct_size);
    json_t *op_list = json_array();
    json_t *settings = json_array();
    if (o == NULL || op_list == NULL || settings == NULL) {
        json_decref(o);
        json_decref(op_list);
        json_decref(settings);
        return NULL;
    }
    for (size_t i = 0; i < nops; i++)
        json_array_append_new(op_list, json_string(ops[i]));
    if (m->desc.kind == OH_KIND_CARRIER)
        json_object_set_new(o, "max_batch", json_integer(m->ops.carrier.max_batch));
    for (size_t i = 0; i < m->setting_count; i++)
        json_array_append_new(settings, spec_json(&m->settings[i]));
    json_object_set_new(o, "operations", op_list);
    json_object_set_new(o, "settings", settings);
    return o;
}
