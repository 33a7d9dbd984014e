/*
 * tk_shipment - read the test kit's SHIPMENT.json into an oh_shipment (see tk_shipment.h).
 * The file goes through the host's own JSON parser (size and depth limits, duplicate keys
 * refused), then every member is checked for its name and type.
 */
#include "config.h"

#include "tk_shipment.h"
#include "tk_instance.h"

#include "host/host.h"

#include <stdlib.h>
#include <string.h>

#define TK_SHIPMENT_MAX_BYTES (1024u * 1024u)
#define TK_SHIPMENT_MAX_LINES 1000

typedef struct reader {
    const char *path;
    int failed;
} reader;

static void complain(reader *r, const char *where, const char *what)
{
    if (!r->failed)
        fprintf(stderr, "orderhub-plugin: %s: %s: %s\n", r->path, where, what);
    r->failed = 1;
}

/* Members of `obj` must all be in `names` (NULL-terminated). */
static void only(reader *r, const json_t *obj, const char *where, const char *const *names)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (names[i] != NULL && strcmp(names[i], key) != 0)
            i++;
        if (names[i] == NULL) {
            char msg[160];
            snprintf(msg, sizeof(msg), "unknown member \"%.60s\"", key);
            complain(r, where, msg);
        }
    }
    (void)v;
}

static const char *str(reader *r, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        char msg[96];
        snprintf(msg, sizeof(msg), "\"%s\" must be a string", key);
        complain(r, where, msg);
        return NULL;
    }
    return json_string_value(v);
}

static int64_t num(reader *r, const json_t *obj, const char *key, const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v)) {
        char msg[96];
        snprintf(msg, sizeof(msg), "\"%s\" must be an integer", key);
        complain(r, where, msg);
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

static void address(reader *r, const json_t *obj, const char *where, oh_address *a)
{
    static const char *const names[] = {"name", "company", "street1", "street2", "city",
                                        "region", "postal_code", "country", "phone", "email",
                                        NULL};
    if (obj == NULL)
        return;
    if (!json_is_object(obj)) {
        complain(r, where, "must be an object");
        return;
    }
    only(r, obj, where, names);
    a->name = str(r, obj, "name", where);
    a->company = str(r, obj, "company", where);
    a->street1 = str(r, obj, "street1", where);
    a->street2 = str(r, obj, "street2", where);
    a->city = str(r, obj, "city", where);
    a->region = str(r, obj, "region", where);
    a->postal_code = str(r, obj, "postal_code", where);
    a->country = str(r, obj, "country", where);
    a->phone = str(r, obj, "phone", where);
    a->email = str(r, obj, "email", where);
}

/* An optional array of objects, at most TK_SHIPMENT_MAX_LINES long. */
static size_t lines(reader *r, const json_t *v, const char *where)
{
    if (v == NULL)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > TK_SHIPMENT_MAX_LINES) {
        complain(r, where, "must be an array of at most 1000 objects");
        return 0;
    }
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_object(json_array_get(v, i)))
            complain(r, where, "every element must be an object");
    return r->failed ? 0 : json_array_size(v);
}

static void read_all(reader *r, tk_shipment *sh)
{
    static const char *const top[] = {"order_id", "service_level", "service",
                                      "idempotency_key", "currency", "ship_from", "ship_to",
                                      "parcels", "customs", "is_return", NULL};
    static const char *const parcel[] = {"weight_g", "length_mm", "width_mm", "height_mm",
                                         NULL};
    static const char *const item[] = {"description", "hs_code", "origin_country", "quantity",
                                       "value", "weight_g", NULL};
    const json_t *j = sh->root;
    oh_shipment *s = &sh->s;
    if (!json_is_object(j)) {
        complain(r, "top level", "must be an object");
        return;
    }
    only(r, j, "top level", top);
    s->order_id = str(r, j, "order_id", "top level");
    s->service_level = str(r, j, "service_level", "top level");
    s->service = str(r, j, "service", "top level");
    s->idempotency_key = str(r, j, "idempotency_key", "top level");
    const char *cur = str(r, j, "currency", "top level");
    if (cur != NULL && strlen(cur) != 3)
        complain(r, "currency", "must be a 3-letter ISO 4217 code");
    else if (cur != NULL)
        memcpy(s->currency, cur, 4);
    const json_t *ret = json_object_get(j, "is_return");
    if (ret != NULL && !json_is_boolean(ret))
        complain(r, "is_return", "must be true or false");
    s->is_return = json_is_true(ret);
    address(r, json_object_get(j, "ship_from"), "ship_from", &s->ship_from);
    address(r, json_object_get(j, "ship_to"), "ship_to", &s->ship_to);
    const json_t *pl = json_object_get(j, "parcels"), *cl = json_object_get(j, "customs");
    size_t np = lines(r, pl, "parcels"), nc = lines(r, cl, "customs");
    sh->parcels = calloc(np + 1, sizeof(*sh->parcels));
    sh->customs = calloc(nc + 1, sizeof(*sh->customs));
    if (sh->parcels == NULL || sh->customs == NULL) {
        complain(r, "top level", "out of memory");
        return;
    }
    for (size_t i = 0; i < np; i++) {
        const json_t *p = json_array_get(pl, i);
        only(r, p, "parcels", parcel);
        sh->parcels[i] = (oh_parcel){num(r, p, "weight_g", "parcels"),
                                     num(r, p, "length_mm", "parcels"),
                                     num(r, p, "width_mm", "parcels"),
                                     num(r, p, "height_mm", "parcels")};
    }
    for (size_t i = 0; i < nc; i++) {
        const json_t *c = json_array_get(cl, i);
        only(r, c, "customs", item);
        sh->customs[i] = (oh_customs_item){str(r, c, "description", "customs"),
                                           str(r, c, "hs_code", "customs"),
                                           str(r, c, "origin_country", "customs"),
                                           num(r, c, "quantity", "customs"),
                                           num(r, c, "value", "customs"),
                                           num(r, c, "weight_g", "customs")};
    }
    s->parcels = sh->parcels;
    s->parcel_count = np;
    s->customs = sh->customs;
    s->customs_count = nc;
}

int tk_shipment_load(const char *path, tk_shipment *out)
{
    memset(out, 0, sizeof(*out));
    out->s.struct_size = (uint32_t)sizeof(out->s);
    size_t len = 0;
    char *text = tk_read_file(path, TK_SHIPMENT_MAX_BYTES, &len);
    if (text == NULL)
        return -1;
    oh_error err = {{0}};
    out->root = host_json_parse(text, len, &err);
    free(text);
    if (out->root == NULL) {
        fprintf(stderr, "orderhub-plugin: %s: %s\n", path, err.message);
        return -1;
    }
    reader r = {path, 0};
    read_all(&r, out);
    if (r.failed) {
        tk_shipment_free(out);
        return -1;
    }
    return 0;
}

void tk_shipment_free(tk_shipment *sh)
{
    json_decref(sh->root);
    free(sh->parcels);
    free(sh->customs);
    memset(sh, 0, sizeof(*sh));
}
