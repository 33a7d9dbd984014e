/*
 * ka_carrier - the carrier kind's adapter: a label, a rate quote, a tracking poll.  A
 * label or a rate reads the shipment from the order (addresses, parcels, service, and a
 * customs declaration when it leaves the sender's country); a tracking poll reads only the
 * number in its action's payload, never the order.  Tracking polls of one instance may
 * share a request (track_batch.c), through the functions at the end.
 */
#include "config.h"

#include "ka_carrier.h"

#include "eng_clock.h"
#include "ka.h"
#include "rates.h"
#include "host/host.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARCELS 16
#define MAX_CUSTOMS 100 /* the order's item lines (the API's limit) */

typedef struct carrier_in {
    oh_shipment ship;            /* label and rate */
    oh_parcel parcels[MAX_PARCELS];
    oh_customs_item *customs;    /* owned; only for a shipment leaving its country */
    const char *numbers[1];      /* track */
} carrier_in;

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int is_track(const action_run *r)
{
    return strcmp(r->a.operation, "track") == 0;
}

static int needs_order(const action_run *r)
{
    return !is_track(r); /* a poll's number is in its payload */
}

static void address(const json_t *j, oh_address *a)
{
    a->name = str(j, "name");
    a->company = str(j, "company");
    a->street1 = str(j, "street1");
    a->street2 = str(j, "street2");
    a->city = str(j, "city");
    a->region = str(j, "region");
    a->postal_code = str(j, "postal_code");
    a->country = str(j, "country");
    a->phone = str(j, "phone");
    a->email = str(j, "email");
}

/*
 * A shipment leaving the sender's country carries a customs declaration: one line per item
 * of the order, its weight the item's own or its share (by units) of the parcels' weight.
 */
static void fill_customs(carrier_in *c, const json_t *order)
{
    const char *from = c->ship.ship_from.country, *to = c->ship.ship_to.country;
    if (from == NULL || to == NULL || strcmp(from, to) == 0)
        return;
    const json_t *items = json_object_get(order, "items");
    size_t lines = json_array_size(items) < MAX_CUSTOMS ? json_array_size(items) : MAX_CUSTOMS;
    c->customs = lines ? calloc(lines, sizeof(*c->customs)) : NULL;
    if (c->customs == NULL)
        return; /* no lines: the carrier refuses the label, and the action retries */
    int64_t parcel_g = 0, units = 0;
    for (size_t i = 0; i < c->ship.parcel_count; i++)
        parcel_g += c->parcels[i].weight_g;
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
        units += json_integer_value(json_object_get(it, "quantity"));
    json_array_foreach(items, i, it) {
        if (i == lines)
            break;
        int64_t qty = json_integer_value(json_object_get(it, "quantity"));
        int64_t own = json_integer_value(json_object_get(it, "weight_g"));
        const char *origin = str(it, "origin_country");
        c->customs[i] = (oh_customs_item){
            .description = str(it, "name") ? str(it, "name") : str(it, "sku"),
            .hs_code = str(it, "hs_code"),
            .origin_country = origin ? origin : from,
            .quantity = qty,
            .value = qty * json_integer_value(json_object_get(it, "unit_price")),
            .weight_g = own > 0 ? own * qty : units > 0 ? parcel_g * qty / units : 0};
        c->ship.customs_count = i + 1;
    }
    c->ship.customs = c->customs;
}

/* The shipment of a label or a rate quote. */
static void fill_shipment(action_run *r, carrier_in *c)
{
    const json_t *o = r->order;
    /* The seller's choice when packing, else the rate shopping's, else the plugin's. */
    const json_t *packed = json_object_get(o, "fulfillment");
    const json_t *quote = json_object_get(json_object_get(o, "quotes"), r->a.instance);
    const char *level = str(packed, "service_level");
    const char *service = str(packed, "service");
    if (service == NULL && level == NULL)
        service = str(json_object_get(quote, "chosen"), "service");
    c->ship = (oh_shipment){.struct_size = sizeof(c->ship), .order_id = r->a.order_id,
                            .service_level = level ? level : str(o, "service_level"),
                            .service = service, .idempotency_key = r->a.idem_key,
                            .parcels = c->parcels};
    /* A return parcel travels from the buyer back to the seller. */
    const json_t *seller = json_object_get(json_object_get(o, "seller"), "address");
    const json_t *buyer = json_object_get(o, "shipping_address");
    c->ship.is_return = str(json_object_get(r->payload, "data"), "return_id") != NULL;
    address(c->ship.is_return ? buyer : seller, &c->ship.ship_from);
    address(c->ship.is_return ? seller : buyer, &c->ship.ship_to);
    OH_STRLCPY(c->ship.currency, str(o, "currency"));
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(packed, "parcels"), i, p) {
        if (i == MAX_PARCELS)
            break;
        c->parcels[i] = (oh_parcel){json_integer_value(json_object_get(p, "weight_g")),
                                    json_integer_value(json_object_get(p, "length_mm")),
                                    json_integer_value(json_object_get(p, "width_mm")),
                                    json_integer_value(json_object_get(p, "height_mm"))};
        c->ship.parcel_count = i + 1;
    }
    fill_customs(c, o);
}

static int fill(action_run *r, const char **why)
{
    carrier_in *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        *why = "out of memory";
        return -1;
    }
    if (is_track(r))
        c->numbers[0] = str(json_object_get(r->payload, "data"), "tracking_number");
    else
        fill_shipment(r, c);
    r->in = c;
    return 0;
}

static void release(void *in)
{
    carrier_in *c = in;
    if (c != NULL)
        free(c->customs);
    free(c);
}

static int build(action_run *r, oh_request *req, oh_error *err)
{
    const ldr_module *m = r->inst->module;
    const oh_carrier_ops *ops = &m->ops.carrier;
    carrier_in *c = r->in;
    const char *op = r->a.operation;
    if (is_track(r))
        return c->numbers[0] ? ka_carrier_track_build(r->inst, c->numbers, 1, req, err)
                             : oh_error_set(err, OH_FAIL, "shipment has no tracking number");
    if (strcmp(op, "label") == 0 && ops->label_build != NULL)
        return ops->label_build(r->inst->state, &c->ship, req, err);
    if (strcmp(op, "rate") == 0 && ops->rate_build != NULL)
        return ops->rate_build(r->inst->state, &c->ship, req, err);
    return oh_error_set(err, OH_FAIL, "carrier plugin %s has no %s operation", m->desc.name,
                        op);
}

/*
 * Move a label's documents into the run (stored with the unit that records the label) and
 * list them in the event's data: {"documents":[{"name","mime_type","bytes"}]}.  Names:
 * "label", "customs", "label-parcel-N" for parcel N's own label (1-based), each prefixed
 * "return-RID-" for a return's label.
 */
static int take_documents(action_run *r, host_label *hl, json_t *data)
{
    const char *rid = str(json_object_get(r->payload, "data"), "return_id");
    size_t total = 2 + hl->parcel_count;
    json_t *list = json_array();
    r->docs = calloc(total, sizeof(*r->docs));
    if (r->docs == NULL || list == NULL) {
        json_decref(list);
        return -1;
    }
    for (size_t i = 0; i < total; i++) {
        host_document *hd = i < 2 ? &hl->documents[i] : &hl->parcel_docs[i - 2];
        if (hd->data == NULL)
            continue;
        char kind[32];
        if (i < 2)
            snprintf(kind, sizeof(kind), "%s", i == 0 ? "label" : "customs");
        else
            snprintf(kind, sizeof(kind), "label-parcel-%zu", i - 1);
        st_document *d = &r->docs[r->ndocs];
        snprintf(d->order_id, sizeof(d->order_id), "%s", r->a.order_id);
        if (rid != NULL)
            snprintf(d->name, sizeof(d->name), "return-%s-%s", rid, kind);
        else
            snprintf(d->name, sizeof(d->name), "%s", kind);
        snprintf(d->mime_type, sizeof(d->mime_type), "%s", hd->mime_type);
        d->data = hd->data; /* taken */
        d->len = hd->len;
        d->created_ms = eng_now_ms();
        hd->data = NULL;
        r->ndocs++;
        json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "name", d->name, "mime_type",
                                              d->mime_type, "bytes", (json_int_t)d->len));
    }
    json_object_set_new(data, "documents", list);
    return 0;
}

/* The label as the order keeps it: {carrier, tracking_number, service, status, parcels?}. */
static json_t *label_json(const action_run *r, const host_label *hl)
{
    json_t *data = json_pack("{s:s, s:s, s:s, s:s}", "carrier", r->inst->id, "tracking_number",
                             hl->label.tracking_number, "service", hl->label.service, "status",
                             "pending");
    if (data == NULL)
        return NULL;
    if (hl->label.carrier_ref[0] != '\0')
        json_object_set_new(data, "carrier_ref", json_string(hl->label.carrier_ref));
    if (hl->parcel_count > 1) {
        json_t *parcels = json_array();
        for (size_t i = 0; i < hl->parcel_count; i++)
            json_array_append_new(parcels, json_pack("{s:s}", "tracking_number",
                                                     hl->parcels[i]));
        json_object_set_new(data, "parcels", parcels);
    }
    return data;
}

static void parse_label(action_run *r, const oh_response *resp)
{
    carrier_in *c = r->in;
    oh_error err = {{0}};
    host_label hl;
    memset(&hl, 0, sizeof(hl));
    hl.label.struct_size = sizeof(hl.label);
    int rc = r->inst->module->ops.carrier.label_parse(r->inst->state, &c->ship, resp, &hl.label,
                                                      &err);
    if (rc == OH_OK)
        rc = host_label_check(&c->ship, &hl, &err);
    json_t *data = rc == OH_OK ? label_json(r, &hl) : NULL;
    if (data != NULL && hl.label.cost > 0)
        json_object_set_new(data, "cost", json_pack("{s:I, s:s}", "amount",
                                                    (json_int_t)hl.label.cost, "currency",
                                                    hl.label.currency));
    if (data != NULL && take_documents(r, &hl, data) != 0) {
        json_decref(data);
        data = NULL;
        rc = oh_error_set(&err, OH_RETRY, "out of memory keeping the label's documents");
    }
    host_label_clear(&hl);
    /* A return label belongs to its return, not to the outbound shipment. */
    const char *rid = str(json_object_get(r->payload, "data"), "return_id");
    if (data != NULL && rid != NULL)
        json_object_set_new(data, "return_id", json_string(rid));
    eng_run_finish(r, rc, rc == OH_OK ? (rid ? "return.label_created" : "label_created") : NULL,
                   data, err.message, r->retry_after_ms);
}

static void parse(action_run *r, const ex_result *res)
{
    carrier_in *c = r->in;
    oh_error err = {{0}};
    if (strcmp(r->a.operation, "label") == 0) {
        parse_label(r, &res->response);
    } else if (is_track(r)) {
        oh_track_result tr = {0};
        int rc = ka_carrier_track_parse(r->inst, c->numbers, 1, &res->response, &tr, &err);
        ka_carrier_settle_track(r, rc, &tr, err.message);
        host_track_result_clear(&tr);
    } else {
        oh_rate_list rates = {0};
        int rc = r->inst->module->ops.carrier.rate_parse(r->inst->state, &c->ship,
                                                         &res->response, &rates, &err);
        json_t *data = rc == OH_OK ? rates_quote_json(&rates, c->ship.service_level) : NULL;
        host_rate_list_clear(&rates);
        eng_run_finish(r, rc, data ? "rates_quoted" : NULL, data, err.message, r->retry_after_ms);
    }
}

static int batchable(const action_run *r)
{
    const carrier_in *c = r->in;
    return is_track(r) && r->inst->module->ops.carrier.max_batch > 1 && c->numbers[0] != NULL;
}

const ka_adapter ka_carrier = {.kind = OH_KIND_CARRIER, .needs_order = needs_order,
                               .fill = fill, .release = release, .build = build,
                               .parse = parse, .batchable = batchable};

/* ---- tracking polls, alone or batched ---------------------------------------------------- */

const char *ka_carrier_number(const action_run *r)
{
    const carrier_in *c = r->in;
    return c != NULL ? c->numbers[0] : NULL;
}

int ka_carrier_track_build(struct oh_instance *inst, const char *const *numbers, size_t n,
                           oh_request *req, oh_error *err)
{
    return inst->module->ops.carrier.track_build(inst->state, numbers, n, req, err);
}

int ka_carrier_track_parse(struct oh_instance *inst, const char *const *numbers, size_t n,
                           const oh_response *resp, oh_track_result *tr, oh_error *err)
{
    int rc = inst->module->ops.carrier.track_parse(inst->state, numbers, n, resp, tr, err);
    if (rc == OH_OK && host_track_normalise(tr, inst->module->desc.name) != 0)
        rc = oh_error_set(err, OH_RETRY, "out of memory");
    return rc;
}

void ka_carrier_settle_track(action_run *r, int rc, const oh_track_result *tr,
                             const char *errmsg)
{
    const char *number = ka_carrier_number(r);
    oh_error err = {{0}};
    if (rc != OH_OK)
        snprintf(err.message, sizeof(err.message), "%s", errmsg ? errmsg : "");
    /* The answer for the number asked; a batch answer holds others too. */
    const oh_track_shipment *s = NULL;
    for (size_t i = 0; rc == OH_OK && i < tr->count && s == NULL; i++)
        if (strcasecmp(tr->shipments[i].number, number) == 0)
            s = &tr->shipments[i];
    if (rc == OH_OK && s == NULL && tr->count == 1 && r->batch_size == 1)
        s = &tr->shipments[0]; /* one asked, one answered: carriers reformat numbers */
    json_t *data = NULL;
    if (s != NULL && s->error[0] == '\0') {
        data = host_track_shipment_json(s);
    } else if (rc == OH_OK) {
        log_info("order %s: tracking %s: %s", r->a.order_id, number,
                 s ? s->error : "not in the answer");
        if (s != NULL && (s->error_kind == OH_TRACK_ERROR_AUTH ||
                          s->error_kind == OH_TRACK_ERROR_RATE_LIMITED))
            rc = oh_error_set(&err, OH_RETRY, "carrier: %s", s->error);
    }
    eng_run_finish(r, rc, data ? "track_result" : NULL, data, err.message, r->retry_after_ms);
}
