/*
 * dispatch - the dispatcher thread: claims due outbox actions from the store (with a
 * lease), has the plugin build the request, hands it to the executor, has the plugin parse
 * the answer, and posts the outcome to the order's worker, which settles the action in the
 * same unit as its consequences.  It also turns due timers into messages.
 */
#include "config.h"

#include "dispatch_int.h"

#include "auth_step.h"
#include "host/host.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLAIM_BATCH 64


static void run_free(action_run *r)
{
    json_decref(r->order);
    json_decref(r->payload);
    free(r->a.payload);
    free(r->auth_token);
    free(r->customs);
    eng_docs_free(r->docs, r->ndocs);
    rt_gen_unref(r->gen);
    free(r);
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Let go of a run without settling it: the lease runs out (nothing renews it once it
 * leaves the running set) and the action is claimed again. */
static void run_drop(action_run *r)
{
    running_remove(r->e, r->a.id);
    atomic_fetch_sub(&r->e->actions_running, 1);
    engine *e = r->e;
    run_free(r);
    eng_wake(e);
}

/* Hand an attempt's outcome (or, unsent, its return to the queue) to the order's worker. */
static void post_outcome(action_run *r, int unsent, int rc, const char *input, json_t *data,
                         const char *error, int64_t retry_after_ms)
{
    eng_msg *m = eng_msg_new(MSG_ACTION, r->a.order_id);
    if (m == NULL) {
        /* The lease runs out and the action is claimed again: nothing is lost. */
        log_error("order %s: out of memory settling action %lld", r->a.order_id,
                  (long long)r->a.id);
        json_decref(data);
        run_drop(r);
        return;
    }
    m->action_unsent = unsent;
    m->action_id = r->a.id;
    m->action_attempts = r->a.attempts;
    m->action_rc = rc;
    m->retry_after_ms = retry_after_ms;
    snprintf(m->input, sizeof(m->input), "%s", input ? input : "");
    snprintf(m->action_error, sizeof(m->action_error), "%s", error ? error : "");
    snprintf(m->action_op, sizeof(m->action_op), "%s", r->a.operation);
    snprintf(m->action_instance, sizeof(m->action_instance), "%s", r->a.instance);
    m->data = data;
    m->docs = r->docs;
    m->ndocs = r->ndocs;
    r->docs = NULL;
    r->ndocs = 0;
    /* It stays in the running set until its settlement is durable (on_durable): a
     * lease that ran out meanwhile must not let this process run it again. */
    eng_post(r->e, m);
    atomic_fetch_sub(&r->e->actions_running, 1);
    engine *e = r->e;
    run_free(r);
    eng_wake(e); /* its instance's queue has room for another claim */
}

void disp_finish(action_run *r, int rc, const char *input, json_t *data, const char *error,
                 int64_t retry_after_ms)
{
    post_outcome(r, 0, rc, input, data, error, retry_after_ms);
}

void disp_unsent(action_run *r, int refused, const char *why)
{
    if (refused)
        run_drop(r);
    else
        post_outcome(r, 1, OH_RETRY, NULL, NULL, why, -1);
}

/* ---- inputs of each kind, from the order snapshot -------------------------------------- */

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
static void fill_customs(action_run *r)
{
    const char *from = r->ship.ship_from.country, *to = r->ship.ship_to.country;
    if (from == NULL || to == NULL || strcmp(from, to) == 0)
        return;
    const json_t *items = json_object_get(r->order, "items");
    size_t lines = json_array_size(items) < MAX_CUSTOMS ? json_array_size(items) : MAX_CUSTOMS;
    r->customs = lines ? calloc(lines, sizeof(*r->customs)) : NULL;
    if (r->customs == NULL)
        return; /* no lines: the carrier refuses the label, and the action retries */
    int64_t parcel_g = 0, units = 0;
    for (size_t i = 0; i < r->ship.parcel_count; i++)
        parcel_g += r->parcels[i].weight_g;
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
        r->customs[i] = (oh_customs_item){
            .description = str(it, "name") ? str(it, "name") : str(it, "sku"),
            .hs_code = str(it, "hs_code"),
            .origin_country = origin ? origin : from,
            .quantity = qty,
            .value = qty * json_integer_value(json_object_get(it, "unit_price")),
            .weight_g = own > 0 ? own * qty : units > 0 ? parcel_g * qty / units : 0};
        r->ship.customs_count = i + 1;
    }
    r->ship.customs = r->customs;
}

static void fill_inputs(action_run *r)
{
    const json_t *o = r->order, *payment = json_object_get(o, "payment");
    r->pay = (oh_payment_input){.struct_size = sizeof(r->pay), .order_id = r->a.order_id,
                                .payment_token = str(payment, "token"),
                                .transaction_id = str(payment, "transaction_id"),
                                .idempotency_key = r->a.idem_key,
                                .amount = json_integer_value(json_object_get(o, "total")),
                                .description = str(o, "description")};
    OH_STRLCPY(r->pay.currency, str(o, "currency"));
    const json_t *seller = json_object_get(o, "seller");
    const json_t *ev = r->payload;
    r->note = (oh_notify_input){.struct_size = sizeof(r->note), .event = str(ev, "event"),
                                .order_id = r->a.order_id, .dedupe_id = r->a.idem_key,
                                .role = OH_RECIPIENT_SELLER, .recipient = str(seller, "email"),
                                .order = o, .data = json_object_get(ev, "data"),
                                .occurred_at_ms = r->a.created_ms};
    /* The seller's choice when packing, else the rate shopping's, else the plugin's. */
    const json_t *packed = json_object_get(o, "fulfillment");
    const json_t *quote = json_object_get(json_object_get(o, "quotes"), r->a.instance);
    const char *level = str(packed, "service_level");
    const char *service = str(packed, "service");
    if (service == NULL && level == NULL)
        service = str(json_object_get(quote, "chosen"), "service");
    r->ship = (oh_shipment){.struct_size = sizeof(r->ship), .order_id = r->a.order_id,
                            .service_level = level ? level : str(o, "service_level"),
                            .service = service, .idempotency_key = r->a.idem_key,
                            .parcels = r->parcels};
    address(json_object_get(seller, "address"), &r->ship.ship_from);
    address(json_object_get(o, "shipping_address"), &r->ship.ship_to);
    OH_STRLCPY(r->ship.currency, str(o, "currency"));
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(json_object_get(o, "fulfillment"), "parcels"), i, p) {
        if (i == MAX_PARCELS)
            break;
        r->parcels[i] = (oh_parcel){json_integer_value(json_object_get(p, "weight_g")),
                                    json_integer_value(json_object_get(p, "length_mm")),
                                    json_integer_value(json_object_get(p, "width_mm")),
                                    json_integer_value(json_object_get(p, "height_mm"))};
        r->ship.parcel_count = i + 1;
    }
    r->numbers[0] = str(json_object_get(ev, "data"), "tracking_number");
    fill_customs(r);
}

/* ---- build ------------------------------------------------------------------------------ */

static int build(action_run *r, oh_request *req, oh_error *err)
{
    const ldr_module *m = r->inst->module;
    void *st = r->inst->state;
    const char *op = r->a.operation;
    switch (m->desc.kind) {
    case OH_KIND_PAYMENT: {
        const oh_payment_ops *p = &m->ops.payment;
        oh_payment_build_fn fn = strcmp(op, "authorize") == 0 ? p->authorize_build
                                 : strcmp(op, "capture") == 0 ? p->capture_build
                                 : strcmp(op, "void") == 0    ? p->void_build
                                 : strcmp(op, "refund") == 0  ? p->refund_build
                                                              : NULL;
        return fn ? fn(st, &r->pay, req, err)
                  : oh_error_set(err, OH_FAIL, "payment plugin %s has no %s operation",
                                 m->desc.name, op);
    }
    case OH_KIND_NOTIFIER:
        return m->ops.notifier.render_build(st, &r->note, req, err);
    case OH_KIND_CARRIER: {
        const oh_carrier_ops *c = &m->ops.carrier;
        if (strcmp(op, "track") == 0)
            return r->numbers[0] ? c->track_build(st, r->numbers, 1, req, err)
                                 : oh_error_set(err, OH_FAIL, "shipment has no tracking number");
        if (strcmp(op, "label") == 0 && c->label_build != NULL)
            return c->label_build(st, &r->ship, req, err);
        if (strcmp(op, "rate") == 0 && c->rate_build != NULL)
            return c->rate_build(st, &r->ship, req, err);
        return oh_error_set(err, OH_FAIL, "carrier plugin %s has no %s operation",
                            m->desc.name, op);
    }
    case OH_KIND_FILTER:
        break;
    }
    return oh_error_set(err, OH_FAIL, "operation %s is not run by this engine", op);
}

/* ---- parse (on the executor thread) ---------------------------------------------------- */

static void parse_payment(action_run *r, const oh_response *resp)
{
    const oh_payment_ops *p = &r->inst->module->ops.payment;
    const char *op = r->a.operation;
    oh_payment_parse_fn fn = strcmp(op, "authorize") == 0 ? p->authorize_parse
                             : strcmp(op, "capture") == 0 ? p->capture_parse
                             : strcmp(op, "void") == 0    ? p->void_parse
                                                          : p->refund_parse;
    oh_payment_result out = {.struct_size = sizeof(out)};
    oh_error err = {{0}};
    int rc = fn(r->inst->state, &r->pay, resp, &out, &err);
    if (rc != OH_OK) {
        disp_finish(r, rc, NULL, NULL, err.message, r->retry_after_ms);
        return;
    }
    static const char *const inputs[] = {
        [OH_PAYMENT_AUTHORIZED] = "payment_authorized", [OH_PAYMENT_DECLINED] = "payment_declined",
        [OH_PAYMENT_CAPTURED] = "payment_captured", [OH_PAYMENT_CANCELED] = "payment_voided",
        [OH_PAYMENT_REFUNDED] = "refund"};
    if (out.status == OH_PAYMENT_ERROR || out.status == OH_PAYMENT_UNSET) {
        disp_finish(r, out.retryable ? OH_RETRY : OH_FAIL, NULL, NULL,
               out.message[0] ? out.message : "gateway error", r->retry_after_ms);
        return;
    }
    const char *input = (size_t)out.status < sizeof(inputs) / sizeof(inputs[0])
                            ? inputs[out.status] : NULL;
    const char *event = str(r->payload, "event");
    /* Only what the gateway said: an empty field must not erase a known one. */
    json_t *data = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "transaction_id",
                             out.transaction_id, "amount", (json_int_t)out.amount, "currency",
                             out.currency, "code", out.code, "decline_code", out.decline_code,
                             "message", out.message);
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(data, tmp, key, value) {
        if (json_is_string(value) && json_string_length(value) == 0)
            json_object_del(data, key);
    }
    if (out.status == OH_PAYMENT_REFUNDED) {
        /* A refund has its own id at the gateway; the payment's transaction stays the
         * authorization's, which a later partial refund (or capture) must reference. */
        json_t *id = json_object_get(data, "transaction_id");
        if (id != NULL) {
            json_object_set(data, "refund_id", id);
            json_object_del(data, "transaction_id");
        }
    }
    if (out.status == OH_PAYMENT_REFUNDED && event != NULL) {
        /* The refund settles what asked for it: a return, or an unconfirmed delivery; after
         * a dispute (already resolved) it is journaled as payment.refunded only. */
        const char *rid = str(json_object_get(r->payload, "data"), "return_id");
        if (strcmp(event, "return.inspected") == 0 && rid != NULL) {
            input = "return.refund";
            json_object_set_new(data, "return_id", json_string(rid));
        } else if (strcmp(event, "delivery.unconfirmed") != 0) {
            input = "payment_refunded"; /* journaled, the order's state kept */
        }
    }
    /* requires_action, processing, held_for_review: the answer comes later by webhook. */
    disp_finish(r, OH_OK, input, data, NULL, r->retry_after_ms);
}

/*
 * Move a label's documents into the run (stored with the unit that records the label) and
 * list them in the event's data: {"documents":[{"name","mime_type","bytes"}]}.
 */
static int take_documents(action_run *r, host_label *hl, json_t *data)
{
    static const char *const kinds[2] = {"label", "customs"};
    const char *rid = str(json_object_get(r->payload, "data"), "return_id");
    json_t *list = json_array();
    r->docs = calloc(2, sizeof(*r->docs));
    if (r->docs == NULL || list == NULL) {
        json_decref(list);
        return -1;
    }
    for (size_t i = 0; i < 2; i++) {
        host_document *hd = &hl->documents[i];
        if (hd->data == NULL)
            continue;
        st_document *d = &r->docs[r->ndocs];
        snprintf(d->order_id, sizeof(d->order_id), "%s", r->a.order_id);
        if (rid != NULL)
            snprintf(d->name, sizeof(d->name), "return-%s-%s", rid, kinds[i]);
        else
            snprintf(d->name, sizeof(d->name), "%s", kinds[i]);
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

void disp_settle_track(action_run *r, int rc, const oh_track_result *tr, const char *errmsg)
{
    oh_error err = {{0}};
    if (rc != OH_OK)
        snprintf(err.message, sizeof(err.message), "%s", errmsg ? errmsg : "");
    /* The answer for the number asked; a batch answer holds others too. */
    const oh_track_shipment *s = NULL;
    for (size_t i = 0; rc == OH_OK && i < tr->count && s == NULL; i++)
        if (strcasecmp(tr->shipments[i].number, r->numbers[0]) == 0)
            s = &tr->shipments[i];
    if (rc == OH_OK && s == NULL && tr->count == 1 && r->batch_size == 1)
        s = &tr->shipments[0]; /* one asked, one answered: carriers reformat numbers */
    json_t *data = NULL;
    if (s != NULL && s->error[0] == '\0') {
        data = host_track_shipment_json(s);
    } else if (rc == OH_OK) {
        log_info("order %s: tracking %s: %s", r->a.order_id, r->numbers[0],
                 s ? s->error : "not in the answer");
        if (s != NULL && (s->error_kind == OH_TRACK_ERROR_AUTH ||
                          s->error_kind == OH_TRACK_ERROR_RATE_LIMITED))
            rc = oh_error_set(&err, OH_RETRY, "carrier: %s", s->error);
    }
    disp_finish(r, rc, data ? "track_result" : NULL, data, err.message, r->retry_after_ms);
}

static void parse_carrier(action_run *r, const oh_response *resp)
{
    const oh_carrier_ops *c = &r->inst->module->ops.carrier;
    oh_error err = {{0}};
    if (strcmp(r->a.operation, "label") == 0) {
        host_label hl;
        memset(&hl, 0, sizeof(hl));
        hl.label.struct_size = sizeof(hl.label);
        int rc = c->label_parse(r->inst->state, &r->ship, resp, &hl.label, &err);
        if (rc == OH_OK && hl.label.tracking_number[0] == '\0')
            rc = oh_error_set(&err, OH_FAIL, "label answer carries no tracking number");
        json_t *data = rc == OH_OK ? json_pack("{s:s, s:s, s:s, s:s}", "carrier", r->inst->id,
                                               "tracking_number", hl.label.tracking_number,
                                               "service", hl.label.service, "status", "pending")
                                   : NULL;
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
        disp_finish(r, rc, rc == OH_OK ? (rid ? "return.label_created" : "label_created") : NULL, data,
               err.message, r->retry_after_ms);
    } else if (strcmp(r->a.operation, "track") == 0) {
        oh_track_result tr = {0};
        int rc = c->track_parse(r->inst->state, r->numbers, 1, resp, &tr, &err);
        if (rc == OH_OK && host_track_normalise(&tr, r->inst->module->desc.name) != 0)
            rc = oh_error_set(&err, OH_RETRY, "out of memory");
        disp_settle_track(r, rc, &tr, err.message);
        host_track_result_clear(&tr);
    } else {
        oh_rate_list rates = {0};
        int rc = c->rate_parse(r->inst->state, &r->ship, resp, &rates, &err);
        json_t *data = rc == OH_OK ? rates_quote_json(&rates, r->ship.service_level) : NULL;
        host_rate_list_clear(&rates);
        disp_finish(r, rc, data ? "rates_quoted" : NULL, data, err.message, r->retry_after_ms);
    }
}

static void on_response(void *arg, const oh_request *req, const ex_result *res)
{
    action_run *r = arg;
    r->retry_after_ms = res->retry_after_ms;
    if (!res->sent) {
        disp_unsent(r, r->gate.refused, res->error);
        return;
    }
    if (res->outcome != EX_RESPONSE) {
        disp_finish(r, ex_classify(res) == EX_RETRY ? OH_RETRY : OH_FAIL, NULL, NULL, res->error,
               res->retry_after_ms);
        return;
    }
    if (res->response.status == 401 && r->auth_token != NULL) {
        /* An expired or revoked token: the next attempt fetches a new one.  Credentials
         * the remote refuses fail in the auth step itself, permanently. */
        auth_token_drop(r->inst, r->auth_token);
        disp_finish(r, OH_RETRY, NULL, NULL, "remote refused the auth token (HTTP 401)",
               res->retry_after_ms);
        return;
    }
    /* Payment and carrier plugins parse an API's answer: a portal's page is no such thing
     * even when the request named no Accept type (notifiers' receivers may answer HTML). */
    if (r->inst->module->desc.kind != OH_KIND_NOTIFIER && ex_is_html_answer(&res->response)) {
        disp_finish(r, OH_RETRY, NULL, NULL, EX_HTML_ANSWER_ERROR, res->retry_after_ms);
        return;
    }
    switch (r->inst->module->desc.kind) {
    case OH_KIND_PAYMENT:
        parse_payment(r, &res->response);
        return;
    case OH_KIND_CARRIER:
        parse_carrier(r, &res->response);
        return;
    case OH_KIND_NOTIFIER: {
        const oh_notifier_ops *n = &r->inst->module->ops.notifier;
        oh_error err = {{0}};
        int rc;
        if (n->response_parse != NULL) {
            rc = n->response_parse(r->inst->state, &r->note, &res->response, &err);
        } else {
            ex_verdict v = strncmp(req->url, "smtp", 4) == 0 ? ex_classify_smtp(res)
                                                             : ex_classify(res);
            rc = v == EX_OK ? OH_OK : v == EX_RETRY ? OH_RETRY : OH_FAIL;
            if (rc != OH_OK)
                snprintf(err.message, sizeof(err.message), "receiver answered HTTP %d",
                         res->response.status);
        }
        disp_finish(r, rc, NULL, NULL, err.message, res->retry_after_ms);
        return;
    }
    case OH_KIND_FILTER:
        break;
    }
    disp_finish(r, OH_FAIL, NULL, NULL, "unexpected plugin kind", -1);
}

/* ---- running one claimed action ------------------------------------------------------ */

/* The executor is about to send the run's request: record that first (lease.c). */
static void run_gate(void *arg, ex_ticket *ticket)
{
    action_run *r = arg;
    r->gate.e = r->e;
    r->gate.ids = &r->a.id;
    r->gate.n = 1;
    lease_gate_ask(&r->gate, ticket);
}

/* With the instance's auth token (if its plugin has an auth step): build, then send. */
static void build_and_submit(void *arg, const char *token, int rc, const char *why)
{
    action_run *r = arg;
    if (rc != OH_OK) {
        disp_finish(r, rc, NULL, NULL, why ? why : "auth step failed", -1);
        return;
    }
    oh_request *req = host_request_new();
    oh_error perr = {{0}};
    if (req != NULL)
        req->auth_token = token;
    rc = req ? build(r, req, &perr) : oh_error_set(&perr, OH_RETRY, "out of memory");
    if (req != NULL)
        req->auth_token = NULL; /* the token lives in the cache, not in the request */
    if (rc == OH_STOP && r->inst->module->desc.kind == OH_KIND_NOTIFIER) {
        /* notifier.h: OH_STOP is "nothing to send for this event" (no address for the
         * audience, say): the action is done, not failed. */
        host_request_free(req);
        log_info("order %s: %s has nothing to send for %s: %s", r->a.order_id, r->inst->id,
                 r->note.event ? r->note.event : "?", perr.message);
        disp_finish(r, OH_OK, NULL, NULL, perr.message, -1);
        return;
    }
    if (rc != OH_OK || req->url == NULL) {
        host_request_free(req);
        disp_finish(r, rc == OH_OK ? OH_FAIL : rc, NULL, NULL,
                    perr.message[0] ? perr.message : "plugin built no request", -1);
        return;
    }
    if (token != NULL && (r->auth_token = strdup(token)) == NULL) {
        host_request_free(req);
        disp_finish(r, OH_RETRY, NULL, NULL, "out of memory", -1);
        return;
    }
    /* The instance's queue was set when its generation was installed (hub.c). */
    if (ex_submit_gated(r->e->o.executor, r->inst->id, req, run_gate, on_response, r) != 0)
        disp_finish(r, OH_RETRY, NULL, NULL, "executor refused the request", -1);
}

/* A claimed action made ready to send: NULL when it was settled (or skipped) here. */
static action_run *prepare_run(engine *e, st_action *a)
{
    /* Its lease ran out while this process still runs it: the claim renewed the lease. */
    if (!running_add(e, a->id)) {
        free(a->payload); /* the element only: the array is freed by the caller */
        return NULL;
    }
    action_run *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        running_remove(e, a->id);
        free(a->payload);
        return NULL; /* the lease expires and the action is claimed again */
    }
    r->e = e;
    r->a = *a; /* takes the payload */
    r->batch_size = 1;
    atomic_fetch_add(&e->actions_running, 1);
    r->gen = rt_holder_get(e->o.generations);
    if (r->a.attempts >= e->o.max_attempts) {
        /* Its earlier holders died mid-attempt: stop feeding it to new processes. */
        disp_finish(r, OH_FAIL, NULL, NULL, "attempts exhausted by processes that stopped during "
               "them", -1);
        return NULL;
    }
    r->inst = r->gen ? rt_instance(r->gen, r->a.instance) : NULL;
    if (r->inst == NULL) {
        disp_finish(r, OH_FAIL, NULL, NULL, "plugin instance is not in the configuration", -1);
        return NULL;
    }
    char err[512];
    st_order o;
    int rc = store_order_get(e->o.store, r->a.order_id, &o, err, sizeof(err));
    if (rc != 0) {
        disp_finish(r, rc == 1 ? OH_FAIL : OH_RETRY, NULL, NULL, rc == 1 ? "order is gone" : err,
               -1);
        return NULL;
    }
    r->order = json_loads(o.snapshot ? o.snapshot : "{}", 0, NULL);
    st_order_clear(&o);
    r->payload = json_loads(r->a.payload ? r->a.payload : "{}", 0, NULL);
    if (r->order == NULL || r->payload == NULL) {
        disp_finish(r, OH_FAIL, NULL, NULL, "stored order or action is not JSON", -1);
        return NULL;
    }
    fill_inputs(r);
    return r;
}

static int batchable(const action_run *r)
{
    return r->inst->module->desc.kind == OH_KIND_CARRIER &&
           strcmp(r->a.operation, "track") == 0 && r->inst->module->ops.carrier.max_batch > 1 &&
           r->numbers[0] != NULL;
}

/*
 * Send what was claimed: track actions of a carrier that takes several numbers per
 * request go out together (track_batch.c), everything else one request each.
 */
static void run_actions(engine *e, st_action *a, size_t n)
{
    action_run **runs = calloc(n ? n : 1, sizeof(*runs));
    size_t nruns = 0;
    for (size_t i = 0; i < n; i++) {
        action_run *r = prepare_run(e, &a[i]);
        if (r == NULL)
            continue;
        if (runs != NULL && batchable(r))
            runs[nruns++] = r;
        else
            auth_token_get(e->o.executor, r->inst, build_and_submit, r);
    }
    /* Group by instance, keeping claim order within each group. */
    for (size_t i = 0; i < nruns; i++) {
        if (runs[i] == NULL)
            continue;
        const struct oh_instance *inst = runs[i]->inst;
        action_run **group = calloc(nruns - i, sizeof(*group));
        size_t ng = 0;
        for (size_t k = i; k < nruns; k++) {
            if (runs[k] != NULL && runs[k]->inst == inst) {
                if (group != NULL)
                    group[ng++] = runs[k];
                else
                    auth_token_get(e->o.executor, runs[k]->inst, build_and_submit, runs[k]);
                runs[k] = NULL;
            }
        }
        if (group != NULL)
            track_batch_run(e, group, ng);
        free(group);
    }
    free(runs);
}


/* ---- the loop ---------------------------------------------------------------------------- */

/*
 * Due timers are claimed with a lease, like actions: another process never fires these,
 * and a timer whose unit never commits (a crash, a failed unit) is claimed again, and
 * posted again, once the lease ends.  Until then the lease keeps it from being posted twice.
 */
static void poll_timers(engine *e)
{
    st_timer *t = NULL;
    size_t n = 0;
    char err[512];
    if (store_timers_claim(e->o.store, e->owner, eng_now_ms(), e->o.lease_ms, CLAIM_BATCH, &t,
                           &n, err, sizeof(err)) != 0) {
        log_error("timers: %s", err);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        eng_msg *m = eng_msg_new(MSG_TIMER, t[i].order_id);
        if (m == NULL)
            continue; /* out of memory: posted when the lease ends */
        m->timer_id = t[i].id;
        snprintf(m->timer_name, sizeof(m->timer_name), "%s", t[i].name);
        eng_post(e, m);
    }
    st_timers_free(t, n);
}

/* Claim up to `max` of `instance`'s due actions and expired leases, and send them. */
static size_t claim_and_run(engine *e, const char *instance, size_t max)
{
    st_action *a = NULL;
    size_t n = 0;
    char err[512];
    if (store_actions_claim_for(e->o.store, eng_now_ms(), e->owner, e->o.lease_ms, instance,
                                max, &a, &n, err, sizeof(err)) != 0) {
        log_error("actions: %s", err);
        return 0;
    }
    run_actions(e, a, n);
    free(a); /* each element's payload now belongs to its run */
    return n;
}

/*
 * Actions of instances a reload removed (or that a stopped process held for them): claimed
 * by name, a batch at a time, and dead-lettered by prepare_run (the instance is gone).
 */
static size_t claim_removed_instances(engine *e, const rt_gen *g)
{
    char **names = NULL;
    size_t n = 0, claimed = 0;
    char err[512];
    if (store_action_instances(e->o.store, &names, &n, err, sizeof(err)) != 0) {
        log_error("actions: %s", err);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (g == NULL || rt_instance(g, names[i]) == NULL)
            claimed += claim_and_run(e, names[i], CLAIM_BATCH);
    }
    st_strings_free(names, n);
    return claimed;
}

/*
 * Each instance gets as many of its due actions - expired leases of a stopped process
 * first - as its executor queue has room for, so a backlog (100,000 tracking polls due at
 * once, or everything a crashed process held) waits in the store, not in memory, never
 * delays another instance's actions, and is never claimed only to wait in a queue (where a
 * lease could run out for nothing).  Actions of removed instances are looked for once a
 * second.
 */
static size_t poll_actions(engine *e, int64_t *removed_at)
{
    size_t claimed = 0;
    rt_gen *g = rt_holder_get(e->o.generations);
    for (size_t i = 0; g != NULL && i < g->instance_count; i++) {
        const struct oh_instance *inst = &g->instances[i];
        if (inst->module->desc.kind == OH_KIND_FILTER)
            continue;
        size_t room = ex_queue_room(e->o.executor, inst->id);
        if (room > 0)
            claimed += claim_and_run(e, inst->id, room < CLAIM_BATCH ? room : CLAIM_BATCH);
    }
    int64_t now = eng_now_ms();
    if (now >= *removed_at) {
        *removed_at = now + 1000;
        claimed += claim_removed_instances(e, g);
    }
    rt_gen_unref(g);
    return claimed;
}

void *dispatch_main(void *arg)
{
    engine *e = arg;
    int64_t removed_at = 0, renew_at = eng_now_ms() + e->o.lease_ms / 3;
    pthread_mutex_lock(&e->lock);
    while (!e->stopping) {
        pthread_mutex_unlock(&e->lock);
        /* A third of the lease: two renewals may be late (a slow commit) before it ends. */
        if (eng_now_ms() >= renew_at) {
            renew_at = eng_now_ms() + e->o.lease_ms / 3;
            lease_renew_held(e);
        }
        size_t claimed = poll_actions(e, &removed_at);
        poll_timers(e);
        pthread_mutex_lock(&e->lock);
        if (claimed > 0 || e->stopping)
            continue;
        int64_t now = eng_now_ms(), next = store_next_due_ms(e->o.store);
        int64_t wait = next > now ? next - now : 0;
        if (wait > e->o.poll_ms)
            wait = e->o.poll_ms;
        if (wait > renew_at - now)
            wait = renew_at > now ? renew_at - now : 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        if (wait > 0)
            pthread_cond_timedwait(&e->cond, &e->lock, &ts);
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}
