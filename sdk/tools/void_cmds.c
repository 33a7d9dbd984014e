/*
 * void_cmds - void-request and void-parse: a label bought earlier (LABEL.json) through the
 * plugin's void_build / void_parse.  LABEL.json is what label-parse prints, so a recorded
 * label answer and its void can be tested as a pair: its "tracking_number", "carrier_ref",
 * "service", "parcels" and "is_return" make the oh_label_ref; "cost", "currency" and
 * "documents" are allowed and ignored; anything else is an error (a typo would otherwise
 * be silently absent from the request).
 */
#include "config.h"

#include "void_cmds.h"

#include "tk_request.h"

#include "host/host.h"

#include <stdlib.h>
#include <string.h>

#define TK_LABEL_MAX_BYTES (64u * 1024u)

typedef struct label_file {
    oh_label_ref ref;         /* strings borrowed from root */
    const char **parcels;
    json_t *root;
} label_file;

static const char *member(const json_t *o, const char *key, int *bad)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL)
        return "";
    if (!json_is_string(v))
        *bad = 1;
    return json_is_string(v) ? json_string_value(v) : "";
}

static int label_load(const char *path, label_file *lf)
{
    static const char *const known[] = {"tracking_number", "carrier_ref", "service", "parcels",
                                        "is_return", "cost", "currency", "documents", NULL};
    memset(lf, 0, sizeof(*lf));
    size_t len = 0;
    char *text = tk_read_file(path, TK_LABEL_MAX_BYTES, &len);
    if (text == NULL)
        return -1;
    oh_error err = {{0}};
    lf->root = host_json_parse(text, len, &err);
    free(text);
    const char *why = lf->root == NULL ? err.message : NULL;
    const char *key;
    json_t *v;
    if (why == NULL && !json_is_object(lf->root))
        why = "the top level must be an object";
    json_object_foreach(why == NULL ? lf->root : NULL, key, v) {
        size_t i = 0;
        while (known[i] != NULL && strcmp(known[i], key) != 0)
            i++;
        if (known[i] == NULL)
            why = "unknown member (expected what label-parse prints)";
    }
    int bad = 0;
    const json_t *parcels = json_object_get(lf->root, "parcels");
    const json_t *ret = json_object_get(lf->root, "is_return");
    if (why == NULL) {
        lf->ref = (oh_label_ref){.struct_size = sizeof(lf->ref),
                                 .tracking_number = member(lf->root, "tracking_number", &bad),
                                 .carrier_ref = member(lf->root, "carrier_ref", &bad),
                                 .service = member(lf->root, "service", &bad),
                                 .is_return = json_is_true(ret)};
        if (bad || lf->ref.tracking_number[0] == '\0' || (ret != NULL && !json_is_boolean(ret)))
            why = "\"tracking_number\" (required), \"carrier_ref\" and \"service\" must be "
                  "strings, \"is_return\" a boolean";
    }
    if (why == NULL && parcels != NULL &&
        (!json_is_array(parcels) || json_array_size(parcels) > OH_LABEL_PARCELS_MAX))
        why = "\"parcels\" must be an array of at most 50 tracking numbers";
    if (why == NULL && json_array_size(parcels) > 0) {
        lf->parcels = calloc(json_array_size(parcels), sizeof(*lf->parcels));
        for (size_t i = 0; lf->parcels != NULL && i < json_array_size(parcels); i++) {
            lf->parcels[i] = json_string_value(json_array_get(parcels, i));
            if (lf->parcels[i] == NULL)
                why = "every element of \"parcels\" must be a string";
        }
        if (lf->parcels == NULL)
            why = "out of memory";
        lf->ref.parcel_numbers = lf->parcels;
        lf->ref.parcel_count = json_array_size(parcels);
    }
    if (why != NULL) {
        fprintf(stderr, "orderhub-plugin: %s: %s\n", path, why);
        free(lf->parcels);
        json_decref(lf->root);
        memset(lf, 0, sizeof(*lf));
        return -1;
    }
    return 0;
}

static void label_free(label_file *lf)
{
    free(lf->parcels);
    json_decref(lf->root);
    memset(lf, 0, sizeof(*lf));
}

static int build_void(const tk_instance *t, oh_request *req, oh_error *err, void *arg)
{
    return t->inst.module->ops.carrier.void_build(t->inst.state, arg, req, err);
}

static int void_verb(int argc, char **argv, const tk_common *common, int parse)
{
    tk_args a;
    int rc = tk_args_parse(&a, argc, argv, parse ? TK_OPT_STATUS : TK_OPT_AUTH_TOKEN);
    if (rc == 0 && a.npositional != (parse ? 3u : 2u)) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin %s [--setting key=value]...\n",
                parse ? "void-parse PLUGIN LABEL.json RESPONSE_FILE [--status HTTP_CODE]"
                      : "void-request PLUGIN LABEL.json [--auth-token TOKEN]");
        rc = 2;
    }
    label_file lf = {0};
    tk_answer ans = {0};
    if (rc == 0 && label_load(a.positional[1], &lf) != 0)
        rc = 1;
    if (rc == 0 && parse && tk_answer_read(a.positional[2], a.status, &ans) != 0)
        rc = 1;
    tk_instance t;
    if (rc == 0 && tk_instance_open(common, a.positional[0], OH_KIND_CARRIER, &a, &t) == 0) {
        const ldr_module *m = t.inst.module;
        oh_error err = {{0}};
        rc = 1;
        if (m->ops.carrier.void_build == NULL) {
            fprintf(stderr, "orderhub-plugin: %s cannot void labels\n", m->desc.name);
        } else if (!parse) {
            rc = tk_print_request(&t, a.auth_token, "void_build", build_void, &lf.ref);
        } else {
            int prc = m->ops.carrier.void_parse(t.inst.state, &lf.ref, &ans.resp, &err);
            if (prc != OH_OK)
                tk_report_rejection(m->desc.name, prc, &err);
            else
                rc = tk_print_json(json_pack("{s:s, s:b}", "tracking_number",
                                             lf.ref.tracking_number, "voided", 1));
        }
        tk_instance_close(&t);
    } else if (rc == 0) {
        rc = 1;
    }
    tk_answer_free(&ans);
    label_free(&lf);
    tk_args_free(&a);
    return rc;
}

int cmd_void_request(int argc, char **argv, const tk_common *common)
{
    return void_verb(argc, argv, common, 0);
}

int cmd_void_parse(int argc, char **argv, const tk_common *common)
{
    return void_verb(argc, argv, common, 1);
}
