/*
 * carrier_webhooks - a carrier's verified tracking webhook: each tracking number it names
 * is looked up (store: tracking numbers -> orders) and its update fed to the order's
 * worker exactly like a poll's answer.  The carrier gets its answer only when every
 * update is durable: 200 with what became of each number, or 503 (it sends again, and
 * scans already seen are dropped) when one could not be written.
 */
#include "config.h"

#include "carrier_webhooks.h"

#include "reply.h"

#include "host/host.h"
#include "log/log.h"

#include <stdlib.h>
#include <string.h>

typedef struct batch {
    req_ctx *ctx;
    pthread_mutex_t lock;
    int left;        /* engine replies still due */
    int failed;      /* one of them could not be written */
    json_t *results; /* [{"number", "order_id"?, "result", "reason"?}] */
} batch;

typedef struct item {
    batch *b;
    size_t index;
} item;

static void batch_finish(batch *b)
{
    json_t *answer = json_pack("{s:s, s:O}", "status", b->failed ? "retry" : "done",
                               "results", b->results);
    char *text = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
    json_decref(answer);
    api_reply_raw(b->ctx, text == NULL ? 500 : b->failed ? 503 : 200,
                  text ? text : "{\"error\":\"out of memory\"}");
    free(text);
    json_decref(b->results);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

static void mark_failed(batch *b)
{
    pthread_mutex_lock(&b->lock);
    b->failed = 1;
    pthread_mutex_unlock(&b->lock);
}

static void set_result(json_t *r, const char *result, const char *reason)
{
    json_object_set_new(r, "result", json_string(result));
    if (reason != NULL && reason[0] != '\0')
        json_object_set_new(r, "reason", json_string(reason));
}

/* The engine's reply for one number.  Any thread. */
static void item_reply(void *arg, int rc, const char *state, const char *error)
{
    (void)state;
    item *it = arg;
    batch *b = it->b;
    pthread_mutex_lock(&b->lock);
    json_t *r = json_array_get(b->results, it->index);
    if (rc == 0)
        set_result(r, "applied", NULL);
    else if (rc == ENG_EREFUSED || rc == ENG_ENOTFOUND)
        set_result(r, "ignored", error);
    else {
        set_result(r, "failed", error);
        b->failed = 1;
    }
    int last = --b->left == 0;
    pthread_mutex_unlock(&b->lock);
    free(it);
    if (last)
        batch_finish(b);
}

/* Post one shipment's update; 1 when a reply will come, 0 when settled here. */
static int post_one(batch *b, size_t index, const char *instance, const oh_track_shipment *s)
{
    json_t *r = json_array_get(b->results, index);
    if (s->error[0] != '\0') {
        set_result(r, "ignored", s->error);
        return 0;
    }
    char order_id[ST_ID_MAX], err[256];
    int rc = store_tracking_order(b->ctx->a->h->store, instance, s->number, order_id, err,
                                  sizeof(err));
    if (rc == 1) {
        set_result(r, "unknown", "no order has this tracking number");
        return 0;
    }
    if (rc != 0) {
        set_result(r, "failed", err);
        mark_failed(b);
        return 0;
    }
    json_object_set_new(r, "order_id", json_string(order_id));
    item *it = malloc(sizeof(*it));
    json_t *data = host_track_shipment_json(s);
    if (it == NULL || data == NULL) {
        free(it);
        json_decref(data);
        set_result(r, "failed", "out of memory");
        mark_failed(b);
        return 0;
    }
    *it = (item){b, index};
    json_object_set_new(data, "via", json_string("webhook"));
    pthread_mutex_lock(&b->lock);
    b->left++;
    pthread_mutex_unlock(&b->lock);
    if (eng_input(b->ctx->a->h->engine, order_id, "track_result", data, item_reply, it) != 0)
        item_reply(it, -1, NULL, "the engine refused the update");
    return 1;
}

enum MHD_Result api_carrier_webhook(req_ctx *ctx, struct oh_instance *inst,
                                    const oh_inbound *in)
{
    oh_track_result tr = {0};
    oh_error err = {{0}};
    int rc = inst->module->desc.carrier->webhook_parse(inst->state, in, &tr, &err);
    if (rc == OH_OK && host_track_normalise(&tr, inst->module->desc.name) != 0)
        rc = oh_error_set(&err, OH_RETRY, "out of memory");
    if (rc != OH_OK) {
        host_track_result_clear(&tr);
        return api_send_error(ctx, rc == OH_RETRY ? 503 : 400,
                              err.message[0] ? err.message : "unreadable tracking update", "");
    }
    batch *b = calloc(1, sizeof(*b));
    if (b == NULL || (b->results = json_array()) == NULL) {
        free(b);
        host_track_result_clear(&tr);
        return api_send_error(ctx, 503, "out of memory", "");
    }
    b->ctx = ctx;
    pthread_mutex_init(&b->lock, NULL);
    for (size_t i = 0; i < tr.count; i++)
        json_array_append_new(b->results, json_pack("{s:s}", "number", tr.shipments[i].number));
    /* One reply is held back until every number is posted, so none can finish the batch
     * while the loop still runs. */
    b->left = 1;
    api_suspend(ctx);
    for (size_t i = 0; i < tr.count; i++)
        post_one(b, i, inst->id, &tr.shipments[i]);
    host_track_result_clear(&tr);
    pthread_mutex_lock(&b->lock);
    int last = --b->left == 0;
    pthread_mutex_unlock(&b->lock);
    if (last)
        batch_finish(b);
    return MHD_YES;
}
