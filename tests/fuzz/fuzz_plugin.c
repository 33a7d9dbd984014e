/*
 * fuzz_plugin - the shared half of the plugin fuzz targets (see fuzz_plugin.h).
 */
#include "config.h"

#include "fuzz_plugin.h"

#include "host/host.h"
#include "log/log.h"
#include "runtime/instance.h"
#include "settings/settings.h"
#include "util/diag.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX_NUMBERS 8

static ldr_module module;
static struct oh_instance inst;
static int verbose; /* FUZZ_VERBOSE set: each input's outcome on stderr (reading one input) */

static void report(const char *op, int status, int rc, const oh_error *err)
{
    if (verbose)
        fprintf(stderr, "fuzz: %s %s (HTTP %d): rc %d %s\n", module.desc.name, op, status, rc,
                err->message);
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "fuzz: %s: %s\n", what, why);
    abort();
}

void fz_plugin_init(const char *settings)
{
    const oh_plugin *p = orderhub_plugin_entry();
    module.desc = *p;
    /* The loader's host-size copy of the specs; this target was built with this SDK, so
     * the plugin's own array already has the host's stride. */
    module.settings = (oh_setting_spec *)p->settings;
    while (p->settings != NULL && p->settings[module.setting_count].name != NULL)
        module.setting_count++;
    if (p->carrier != NULL)
        module.ops.carrier = *p->carrier;
    if (p->payment != NULL)
        module.ops.payment = *p->payment;
    if (p->notifier != NULL)
        module.ops.notifier = *p->notifier;

    char *text = NULL;
    if (asprintf(&text, "settings = { %s };", settings) < 0)
        die(p->name, "out of memory");
    config_t cfg;
    config_init(&cfg);
    if (config_read_string(&cfg, text) != CONFIG_TRUE)
        die(p->name, config_error_text(&cfg));
    free(text);
    diag_list d = {0};
    oh_settings *s = set_build(module.settings, module.setting_count,
                               config_lookup(&cfg, "settings"), p->name, ".", NULL, 0, &d);
    for (size_t i = 0; i < d.count; i++)
        if (d.items[i].severity == DIAG_ERROR)
            fprintf(stderr, "fuzz: %s\n", d.items[i].text);
    diag_free(&d);
    config_destroy(&cfg);
    if (s == NULL)
        die(p->name, "settings refused");
    inst.id = strdup(p->name);
    inst.module = &module;
    inst.settings = s;
    oh_error err = {{0}};
    if (inst.id == NULL || p->init(host_api(), &inst, s, &inst.state, &err) != OH_OK)
        die(p->name, err.message);
    inst.initialised = 1;
    verbose = getenv("FUZZ_VERBOSE") != NULL;
    /* Every log line a plugin writes is formatted (a bad format argument shows), then
     * dropped: the targets' .options close the target's stderr (close_fd_mask=2). */
    log_set_level(OH_LOG_DEBUG);
}

/* ---- the input ------------------------------------------------------------------------- */

typedef struct fz_input {
    unsigned op;
    int status;
    char *text;                           /* owned copy of the header part, split in place */
    oh_header headers[HOST_MAX_HEADERS];  /* strings borrowed from text */
    size_t nheaders;
    const char *numbers[FZ_MAX_NUMBERS];
    size_t nnumbers;
    const char *order_id;       /* the payment input: NULL / 0 / "" unless given, as */
    const char *currency;       /* `orderhub-plugin payment-parse` without --input */
    const char *transaction_id;
    int64_t amount;
    int intl;
    char *body;                           /* owned: body_len bytes and a NUL */
    size_t body_len;
} fz_input;

static void take_header(fz_input *in, char *line)
{
    char *colon = strchr(line, ':');
    if (colon == NULL || colon == line)
        return;
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    if (strcasecmp(line, "X-Fuzz-Number") == 0) {
        if (in->nnumbers < FZ_MAX_NUMBERS)
            in->numbers[in->nnumbers++] = value;
    } else if (strcasecmp(line, "X-Fuzz-Order") == 0) {
        in->order_id = value;
    } else if (strcasecmp(line, "X-Fuzz-Currency") == 0) {
        in->currency = value;
    } else if (strcasecmp(line, "X-Fuzz-Transaction") == 0) {
        in->transaction_id = value;
    } else if (strcasecmp(line, "X-Fuzz-Amount") == 0) {
        in->amount = strtoll(value, NULL, 10);
    } else if (strcasecmp(line, "X-Fuzz-Shipment") == 0) {
        in->intl = strcmp(value, "intl") == 0;
    } else if (in->nheaders < HOST_MAX_HEADERS) {
        in->headers[in->nheaders++] = (oh_header){.name = line, .value = value};
    }
}

/* 0, or -1 when the input is too short to name an operation. */
static int split(const uint8_t *data, size_t size, fz_input *in)
{
    static const int statuses[] = FZ_STATUSES;
    memset(in, 0, sizeof(*in));
    if (size < 2)
        return -1;
    in->op = data[0];
    in->status = statuses[data[1] % (sizeof(statuses) / sizeof(statuses[0]))];
    in->currency = "";
    const char *rest = (const char *)data + 2;
    size_t len = size - 2;
    size_t head = 0;
    const char *blank = len > 0 && rest[0] != '\n' ? memmem(rest, len, "\n\n", 2) : NULL;
    if (len > 0 && rest[0] == '\n')
        head = 1; /* an empty header part */
    else if (blank != NULL)
        head = (size_t)(blank - rest) + 2;
    in->text = strndup(rest, head);
    in->body_len = len - head;
    in->body = malloc(in->body_len + 1);
    if (in->text == NULL || in->body == NULL)
        return -1;
    memcpy(in->body, rest + head, in->body_len);
    in->body[in->body_len] = '\0';
    for (char *line = in->text, *nl; line != NULL && *line; line = nl) {
        nl = strchr(line, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        take_header(in, line);
    }
    return 0;
}

static void input_free(fz_input *in)
{
    free(in->text);
    free(in->body);
}

/* ---- carrier ----------------------------------------------------------------------------- */

static const oh_parcel parcels[] = {{1360, 305, 229, 102}};
static const oh_customs_item customs[] = {
    {"Loose leaf green tea, 250 g tin", "0902.10", "JP", 3, 4500, 900},
    {"Ceramic teapot", "6912.00", "CN", 1, 2999, 700}};

static void shipment(int intl, oh_shipment *s)
{
    *s = (oh_shipment){
        .struct_size = sizeof(*s), .order_id = "ORD-20260302-0042",
        .service_level = intl ? "express" : "standard", .idempotency_key = "lbl-1",
        .ship_from = {.name = "Dana Whitfield", .company = "Harbor Tea Co",
                      .street1 = "410 Terminal St", .city = "Baltimore", .region = "MD",
                      .postal_code = "21230", .country = "US", .phone = "4105550142"},
        .ship_to = {.name = "Marcus Ortega", .street1 = "2750 Peachtree Rd NE",
                    .city = "Atlanta", .region = "GA", .postal_code = "30305", .country = "US",
                    .phone = "404-555-0199", .email = "marcus@example.com"},
        .parcels = parcels, .parcel_count = 1, .currency = "USD"};
    if (intl) {
        s->ship_to = (oh_address){.name = "Claire Tremblay",
                                  .street1 = "1200 Rue Sainte-Catherine O", .city = "Montreal",
                                  .region = "QC", .postal_code = "H3B1K9", .country = "CA",
                                  .phone = "514-555-0123"};
        s->customs = customs;
        s->customs_count = sizeof(customs) / sizeof(customs[0]);
    }
}

/* What the engine keeps of a tracking answer: normalised, then its JSON. */
static void settle_track(int rc, oh_track_result *tr)
{
    if (rc == OH_OK && host_track_normalise(tr, module.desc.name) == 0) {
        json_t *j = host_track_result_json(tr);
        char *text = json_dumps(j, 0);
        free(text);
        json_decref(j);
    }
    host_track_result_clear(tr);
}

static void auth_one(const oh_response *resp)
{
    oh_auth_token tok;
    memset(&tok, 0, sizeof(tok));
    tok.struct_size = sizeof(tok);
    oh_error err = {{0}};
    report("auth_parse", resp->status, module.desc.auth_parse(inst.state, resp, &tok, &err),
           &err);
}

int fz_carrier_one(const uint8_t *data, size_t size)
{
    fz_input in;
    if (split(data, size, &in) != 0) {
        input_free(&in);
        return 0;
    }
    const oh_carrier_ops *c = &module.ops.carrier;
    const oh_response resp = {.struct_size = sizeof(resp), .status = in.status,
                              .headers = in.headers, .header_count = in.nheaders,
                              .body = in.body, .body_len = in.body_len};
    unsigned op = in.op % FZ_CARRIER_OPS;
    if ((op == FZ_LABEL && c->label_parse == NULL) || (op == FZ_RATE && c->rate_parse == NULL) ||
        (op == FZ_AUTH && module.desc.auth_parse == NULL) ||
        (op == FZ_CARRIER_WEBHOOK && c->webhook_parse == NULL))
        op = FZ_TRACK;
    oh_error err = {{0}};
    oh_shipment ship;
    shipment(in.intl, &ship);
    switch (op) {
    case FZ_TRACK: {
        oh_track_result tr = {0};
        int rc = c->track_parse(inst.state, in.numbers, in.nnumbers, &resp, &tr, &err);
        report("track_parse", in.status, rc, &err);
        settle_track(rc, &tr);
        break;
    }
    case FZ_LABEL: {
        host_label hl;
        memset(&hl, 0, sizeof(hl));
        hl.label.struct_size = sizeof(hl.label);
        report("label_parse", in.status,
               c->label_parse(inst.state, &ship, &resp, &hl.label, &err), &err);
        host_label_clear(&hl);
        break;
    }
    case FZ_RATE: {
        oh_rate_list rates = {0};
        report("rate_parse", in.status, c->rate_parse(inst.state, &ship, &resp, &rates, &err),
               &err);
        host_rate_list_clear(&rates);
        break;
    }
    case FZ_AUTH:
        auth_one(&resp);
        break;
    case FZ_CARRIER_WEBHOOK: {
        /* The API parses only what verify accepted; a fuzzer cannot forge the HMAC, so
         * parse runs whatever verify said: a remote that holds the secret is an outsider
         * too. */
        const oh_inbound wh = {.struct_size = sizeof(wh), .method = "POST",
                               .path = "/v1/webhooks/fuzz", .query = "", .headers = in.headers,
                               .header_count = in.nheaders, .body = in.body,
                               .body_len = in.body_len};
        report("webhook_verify", 0, c->webhook_verify(inst.state, &wh, FZ_NOW_UNIX, &err), &err);
        oh_track_result tr = {0};
        int rc = c->webhook_parse(inst.state, &wh, &tr, &err);
        report("webhook_parse", 0, rc, &err);
        settle_track(rc, &tr);
        break;
    }
    }
    input_free(&in);
    return 0;
}

/* ---- payment ----------------------------------------------------------------------------- */

int fz_payment_one(const uint8_t *data, size_t size)
{
    fz_input in;
    if (split(data, size, &in) != 0) {
        input_free(&in);
        return 0;
    }
    const oh_payment_ops *p = &module.ops.payment;
    const oh_response resp = {.struct_size = sizeof(resp), .status = in.status,
                              .headers = in.headers, .header_count = in.nheaders,
                              .body = in.body, .body_len = in.body_len};
    oh_payment_input pin = {.struct_size = sizeof(pin), .order_id = in.order_id,
                            .transaction_id = in.transaction_id, .amount = in.amount};
    snprintf(pin.currency, sizeof(pin.currency), "%s", in.currency);
    unsigned op = in.op % FZ_PAYMENT_OPS;
    if ((op == FZ_PAYMENT_WEBHOOK && p->webhook_parse == NULL) ||
        (op == FZ_PAYMENT_AUTH && module.desc.auth_parse == NULL))
        op = FZ_AUTHORIZE;
    oh_error err = {{0}};
    oh_payment_result out = {.struct_size = sizeof(out)};
    static const char *const names[] = {"authorize_parse", "capture_parse", "void_parse",
                                        "refund_parse"};
    const oh_payment_parse_fn parse[] = {p->authorize_parse, p->capture_parse, p->void_parse,
                                         p->refund_parse};
    switch (op) {
    case FZ_AUTHORIZE:
    case FZ_CAPTURE:
    case FZ_VOID:
    case FZ_REFUND:
        report(names[op], in.status, parse[op](inst.state, &pin, &resp, &out, &err), &err);
        break;
    case FZ_PAYMENT_AUTH: auth_one(&resp); break;
    case FZ_PAYMENT_WEBHOOK: {
        const oh_inbound wh = {.struct_size = sizeof(wh), .method = "POST",
                               .path = "/v1/webhooks/fuzz", .query = "", .headers = in.headers,
                               .header_count = in.nheaders, .body = in.body,
                               .body_len = in.body_len};
        report("webhook_verify", 0, p->webhook_verify(inst.state, &wh, FZ_NOW_UNIX, &err), &err);
        oh_payment_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.struct_size = sizeof(ev);
        ev.result.struct_size = sizeof(ev.result);
        report("webhook_parse", 0, p->webhook_parse(inst.state, &wh, &ev, &err), &err);
        break;
    }
    }
    input_free(&in);
    return 0;
}

/* ---- notifier ---------------------------------------------------------------------------- */

int fz_notifier_one(const uint8_t *data, size_t size)
{
    fz_input in;
    if (split(data, size, &in) != 0 || module.ops.notifier.response_parse == NULL) {
        input_free(&in);
        return 0;
    }
    const oh_response resp = {.struct_size = sizeof(resp), .status = in.status,
                              .headers = in.headers, .header_count = in.nheaders,
                              .body = in.body, .body_len = in.body_len};
    json_t *empty = json_object();
    const oh_notify_input nin = {.struct_size = sizeof(nin), .event = "shipment.delivered",
                                 .order_id = "ORD-1001", .dedupe_id = "ORD-1001/fuzz#1",
                                 .role = OH_RECIPIENT_BUYER, .recipient = "+15555550100",
                                 .order = empty, .data = empty, .occurred_at_ms = 1};
    oh_error err = {{0}};
    report("response_parse", in.status,
           module.ops.notifier.response_parse(inst.state, &nin, &resp, &err), &err);
    json_decref(empty);
    input_free(&in);
    return 0;
}
