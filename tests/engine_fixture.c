/*
 * engine_fixture - see engine_fixture.h.
 */
#include "config.h"

#include "engine_fixture.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *dir;
sandbox_remote *remote;
hub h;
const char *ef_extra_conf = "";
const char *ef_extra_routes = "";
ldr_registry reg;

void on_reply(void *arg, int rc, const char *state, const char *error)
{
    waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    w->rc = rc;
    snprintf(w->state, sizeof(w->state), "%s", state ? state : "");
    snprintf(w->error, sizeof(w->error), "%s", error ? error : "");
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

int wait_reply(waiter *w)
{
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
    return w->rc;
}

rt_gen *ef_build(const char *file, const char *conf, int test_plugins)
{
    char *path = tu_write(dir, file, conf);
    const char *dirs[2] = {tu_env("PLUGIN_DIR")};
    if (test_plugins)
        dirs[1] = tu_env("TEST_PLUGIN_DIR");
    rt_build_opts bo = {.extra_dirs = dirs, .extra_dir_count = test_plugins ? 2 : 1,
                        .init = 1};
    diag_list d = {0};
    rt_gen *g = rt_build(&reg, path, &bo, &d);
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    diag_free(&d);
    free(path);
    return g;
}

void ef_start_hub(int max_attempts, const char *pay_url)
{
    ef_start_hub_with(max_attempts, pay_url, "\"limits\", \"pay\"", "shipment.label_created");
}

void ef_start_hub_with(int max_attempts, const char *pay_url, const char *placement,
                       const char *capture_on)
{
    char conf[4096], base[128], pay[200];
    snprintf(base, sizeof(base), "http://127.0.0.1:%u/sandbox", sr_port(remote));
    snprintf(pay, sizeof(pay), "%s/payments", base);
    snprintf(conf, sizeof(conf),
             "store = { path = \"hub.db\"; };\n"
             "plugins = (\n"
             " { id = \"limits\"; module = \"filter_limits\"; settings = { max_total = 500000; }; },\n"
             " { id = \"pay\"; module = \"payment_sandbox\"; settings = { base_url = \"%s\";\n"
             "   api_key = \"sk_test\"; decline_over = 100000; }; },\n"
             " { id = \"carrier\"; module = \"carrier_sandbox\"; settings = { base_url = \"%s/carrier\"; }; },\n"
             " { id = \"judge\"; module = \"test_filter\"; settings = { greeting = \"j\"; verdict = \"retry\"; }; },\n"
             " { id = \"timeline\"; module = \"notify_log\"; settings = { path = \"%s/timeline.jsonl\"; }; } );\n"
             "routes = (\n"
             " { on = \"order.placed\"; chain = [%s]; },\n"
             " { on = \"return.approved\"; chain = [\"carrier\"]; },\n"
             " { on = \"return.inspected\"; chain = [\"pay\"]; },\n"
             " { on = \"dispute.resolved\"; chain = [\"pay\"]; },\n"
             " { on = \"order.cancelled\"; chain = [\"pay\"]; },\n"
             " { on = \"fulfillment.packed\"; chain = [\"carrier\"]; },\n"
             " { on = \"%s\"; chain = [\"pay\"]; },\n"
             "%s"
             " { on = \"shipment.*\"; chain = [\"timeline\"]; } );\n%s",
             pay_url ? pay_url : pay, base, dir, placement, capture_on, ef_extra_routes,
             ef_extra_conf);
    rt_gen *g = ef_build("orderhub.conf", conf, 1);
    eng_options eo = {.workers = 2, .max_attempts = max_attempts, .backoff_base_ms = 50,
                      .backoff_max_ms = 200, .poll_ms = 20, .track_poll_ms = 100};
    char err[512];
    ck_assert_msg(hub_start(&h, g, &eo, err, sizeof(err)) == 0, "%s", err);
}

void ef_setup(void)
{
    dir = tu_tmpdir();
    ef_extra_conf = "";
    ef_extra_routes = "";
    remote = sr_start(0, 150);
    ck_assert_ptr_nonnull(remote);
    ldr_registry_init(&reg);
}

void ef_teardown(void)
{
    hub_stop(&h);
    sr_stop(remote);
    ldr_registry_free(&reg);
    tu_rmdir(dir);
}

json_t *sample_order(const char *id, int64_t total)
{
    return json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:[{s:s, s:i, s:I}], s:s, s:I, "
                     "s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s}, s:s}",
                     "id", id, "seller", "id", "s-1", "email", "seller@example.test",
                     "buyer", "name", "Ada Buyer", "email", "ada@example.test",
                     "items", "sku", "MUG-1", "quantity", 1, "unit_price", (json_int_t)total,
                     "currency", "USD", "total", (json_int_t)total,
                     "shipping_address", "name", "Ada Buyer", "street1", "1 Main St", "city",
                     "Springfield", "postal_code", "62701", "country", "US",
                     "payment", "token", "tok_visa", "service_level", "standard");
}

/* Poll the store until the order reaches `state` (or time runs out). */
int wait_state(const char *id, const char *state, int64_t timeout_ms)
{
    for (int64_t waited = 0; waited < timeout_ms; waited += 20) {
        st_order o;
        char err[256];
        if (store_order_get(h.store, id, &o, err, sizeof(err)) == 0) {
            int match = strcmp(o.state, state) == 0;
            st_order_clear(&o);
            if (match)
                return 1;
        }
        usleep(20000);
    }
    return 0;
}

char *timeline(const char *id)
{
    st_event *ev = NULL;
    size_t n = 0;
    char err[256];
    ck_assert_int_eq(store_events(h.store, id, &ev, &n, err, sizeof(err)), 0);
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < n; i++) {
        strncat(out, ev[i].name, 4095 - strlen(out));
        strncat(out, " ", 4095 - strlen(out));
    }
    st_events_free(ev, n);
    return out;
}

int input(const char *id, const char *in, json_t *data, char *error, size_t len)
{
    waiter w = WAITER;
    ck_assert_int_eq(eng_input(h.engine, id, in, data, on_reply, &w), 0);
    int rc = wait_reply(&w);
    if (error)
        snprintf(error, len, "%s", w.error);
    return rc;
}

/* Drive an order to `completed` through the seller's part. */
void complete_order(const char *id, int64_t total)
{
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order(id, total), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ship_order(id);
}

void ship_order(const char *id)
{
    ck_assert_msg(wait_state(id, "awaiting_shipment", 10000), "%s not paid", id);
    ck_assert_int_eq(input(id, "acknowledge", NULL, NULL, 0), 0);
    ck_assert_int_eq(input(id, "pack", NULL, NULL, 0), 0);
    ck_assert_msg(wait_state(id, "completed", 15000), "%s: %s", id, timeline(id));
}

void ef_set_stock(const char *sku, int64_t on_hand, int64_t low)
{
    st_stock_set s = {.mode = ST_STOCK_SET, .value = on_hand, .low_threshold = low};
    snprintf(s.seller_id, sizeof(s.seller_id), "s-1");
    snprintf(s.sku, sizeof(s.sku), "%s", sku);
    st_unit u = {.stock_sets = &s, .stock_set_count = 1};
    char err[256];
    ck_assert_msg(store_commit(h.store, &u, err, sizeof(err)) == 0, "%s", err);
}

st_stock ef_stock(const char *sku)
{
    st_stock st;
    char err[256];
    ck_assert_msg(store_stock_get(h.store, "s-1", sku, &st, err, sizeof(err)) == 0, "%s %s",
                  sku, err);
    return st;
}

/* The state of a return or dispute in the stored snapshot. */
char *sub_state(const char *id, const char *collection, const char *sub)
{
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, id, &o, err, sizeof(err)), 0);
    json_t *snap = json_loads(o.snapshot, 0, NULL);
    const char *s = json_string_value(
        json_object_get(json_object_get(json_object_get(snap, collection), sub), "state"));
    char *out = strdup(s ? s : "");
    json_decref(snap);
    st_order_clear(&o);
    return out;
}

int wait_sub_state(const char *id, const char *collection, const char *sub,
                          const char *state)
{
    for (int i = 0; i < 500; i++) {
        char *s = sub_state(id, collection, sub);
        int match = strcmp(s, state) == 0;
        free(s);
        if (match)
            return 1;
        usleep(20000);
    }
    return 0;
}

