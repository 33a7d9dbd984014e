/*
 * json_walk - strict reading of a carrier's or gateway's JSON answer, shared by the JSON
 * plugins: members are optional (remote APIs omit many, or send null) but never of the
 * wrong type.  The first member of a wrong type is remembered and the caller refuses the
 * whole answer after the walk, so a changed or hostile shape is reported by name instead
 * of half-read.  Compiled into each plugin that uses it; nothing is exported.
 */
#ifndef OH_PLUGIN_JSON_WALK_H
#define OH_PLUGIN_JSON_WALK_H

#include <jansson.h>

typedef struct walk {
    const char *bad; /* the first member of a wrong type, or NULL */
} walk;

/* obj[key] when present, not null and of `type`; NULL otherwise (a wrong type is noted). */
const json_t *member(walk *w, const json_t *obj, const char *key, json_type type);

/* The string obj[key], or NULL (see member). */
const char *str(walk *w, const json_t *obj, const char *key);

#define OBJ(w, o, k) member((w), (o), (k), JSON_OBJECT)
#define ARR(w, o, k) member((w), (o), (k), JSON_ARRAY)

#endif
