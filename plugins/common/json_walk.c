#include "json_walk.h"

const json_t *member(walk *w, const json_t *obj, const char *key, json_type type)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_typeof(v) != type) {
        if (w->bad == NULL)
            w->bad = key;
        return NULL;
    }
    return v;
}

const char *str(walk *w, const json_t *obj, const char *key)
{
    return json_string_value(member(w, obj, key, JSON_STRING));
}
