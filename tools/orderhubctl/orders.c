/*
 * orders.c - what the order verbs share: an action sent and its answer (the order's new
 * state) printed, a string member of the server's JSON, the out-of-memory message.
 */
#include "config.h"

#include "orders.h"

#include "http.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>

int ord_oom(void)
{
    fprintf(stderr, "orderhubctl: out of memory\n");
    return CTL_REFUSED;
}

/* Options of verbs that take none of their own. */
int ord_no_opt(void *arg, int id, const char *value)
{
    return CTL_USAGE;
}

/* "ID STATE" for an action's answer, plus the id of a return or dispute it opened. */
int ord_print_state(ctl *c, ctl_resp *r, const char *id)
{
    if (c->json) {
        out_raw(r->body, r->len);
        ctl_resp_free(r);
        return CTL_OK;
    }
    const json_t *j = r->json;
    const char *jid = json_string_value(json_object_get(j, "id"));
    char *oid = out_clean(jid ? jid : id);
    char *st = out_scalar(json_object_get(j, "state"));
    if (oid == NULL || st == NULL) {
        free(oid);
        free(st);
        ctl_resp_free(r);
        return ord_oom();
    }
    printf("%s %s\n", oid, st);
    static const char *const extra[] = {"return_id", "dispute_id"};
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
        const json_t *v = json_object_get(j, extra[i]);
        if (v != NULL) {
            char *s = out_scalar(v);
            printf("%s %s\n", extra[i], s ? s : "");
            free(s);
        }
    }
    free(oid);
    free(st);
    ctl_resp_free(r);
    return CTL_OK;
}

/* POST body (NULL: {}) to /v1/orders/{id}/{segments...} and print the new state. */
int ord_post_action(ctl *c, const char *id, json_t *body, const char *s1, const char *s2,
                    const char *s3)
{
    char *path = ctl_path("v1", "orders", id, s1, s2, s3, (const char *)NULL);
    if (path == NULL) {
        json_decref(body);
        return ord_oom();
    }
    ctl_resp r;
    int rc = ctl_call(c, "POST", path, body, NULL, &r);
    free(path);
    json_decref(body);
    return rc != 0 ? rc : ord_print_state(c, &r, id);
}

const char *ord_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}
