/*
 * fuzz_template - libFuzzer target: the notifier template language
 * (plugins/notifier/common/nt_template.c) and the variables it reads from an event
 * (nt_vars.c).  Input: the template text, optionally followed by a NUL byte and the event
 * as JSON {"event", "occurred_at_ms", "order", "data"} (the shape of
 * plugins/notifier/common/examples/shipment.delivered.json); without one, a fixed
 * shipment.delivered event.
 * The template goes through the production loader (written to a scratch template_dir,
 * read by nt_set_load as init does), then renders in every escape mode.
 */
#include "config.h"

#include "fuzz_tmp.h"
#include "nt_template.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FZ_DEFAULT_EVENT                                                                   \
    "{\"event\":\"shipment.delivered\",\"occurred_at_ms\":1772461800250,"                \
    "\"order\":{\"id\":\"ord-1\",\"state\":\"delivered\",\"currency\":\"USD\","          \
    "\"total\":3799,\"buyer\":{\"name\":\"Zo\\u00eb <L> & Co\",\"email\":\"a@b.test\"}," \
    "\"items\":[{\"sku\":\"MUG\",\"name\":\"Mug\",\"quantity\":2,\"unit_price\":1450}],"   \
    "\"shipping_address\":{\"city\":\"Springfield\",\"country\":\"US\"}},"               \
    "\"data\":{\"status\":\"delivered\",\"tracking_number\":\"SBX1\","                   \
    "\"last_scan\":{\"code\":\"DL\",\"time\":\"2026-03-02T14:05:00-05:00\"}}}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_all(const nt_set *set, const json_t *ev)
{
    const char *event = json_string_value(json_object_get(ev, "event"));
    json_t *order = json_object_get(ev, "order"), *payload = json_object_get(ev, "data");
    json_t *empty = json_object();
    const oh_notify_input in = {
        .struct_size = sizeof(in), .event = event ? event : "shipment.delivered",
        .order_id = "ord-1", .dedupe_id = "ord-1/shipment.delivered#1/chat/notify",
        .role = OH_RECIPIENT_BUYER, .recipient = "a@b.test",
        .order = json_is_object(order) ? order : empty,
        .data = json_is_object(payload) ? payload : empty,
        .occurred_at_ms = json_integer_value(json_object_get(ev, "occurred_at_ms"))};
    const nt_ctx ctx = {.in = &in, .audience = "buyer", .address = "a@b.test"};
    const nt_template *t = nt_find(set, in.event, "txt");
    for (nt_escape esc = NT_TEXT; t != NULL && esc <= NT_SLACK; esc++) {
        size_t len = 0;
        free(nt_render(t, &ctx, esc, &len));
    }
    json_decref(empty);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    fz_tmp_write("chat/default.txt", data, tlen);
    static const char *const exts[] = {"txt", NULL};
    char err[512];
    nt_set *set = NULL;
    if (nt_set_load(fz_tmp_dir(), "chat", exts, "txt", &set, err, sizeof(err)) != 0)
        return 0;
    json_error_t je;
    json_t *ev = nul ? json_loadb((const char *)nul + 1, size - tlen - 1, 0, &je)
                     : json_loads(FZ_DEFAULT_EVENT, 0, &je);
    if (json_is_object(ev))
        render_all(set, ev);
    json_decref(ev);
    nt_set_free(set);
    return 0;
}
