/*
 * check_engine_labels - labels as the engine buys them from the sandbox carrier: a parcel
 * number for each parcel of the order (never two parcels under one number), the carrier's
 * shipment id kept for a void, and a return label that travels from the buyer back to the
 * seller.  The sandbox remote tells what the label request really carried.
 */
#include "config.h"

#include "engine_fixture.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The order's snapshot member `name` (a new reference; NULL when absent). */
static json_t *snapshot_member(const char *id, const char *name)
{
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, id, &o, err, sizeof(err)), 0);
    json_t *snap = json_loads(o.snapshot, 0, NULL);
    json_t *m = json_incref(json_object_get(snap, name));
    json_decref(snap);
    st_order_clear(&o);
    return m;
}

/* Wait until the order's "shipment" names a tracking number; the shipment, or NULL. */
static json_t *wait_shipment(const char *id)
{
    for (int i = 0; i < 500; i++) {
        json_t *s = snapshot_member(id, "shipment");
        if (json_string_value(json_object_get(s, "tracking_number")) != NULL)
            return s;
        json_decref(s);
        usleep(20000);
    }
    return NULL;
}

/* A placed order whose seller has a return address; waits until it is paid. */
static void place_paid(const char *id)
{
    json_t *o = sample_order(id, 2500);
    json_object_set_new(json_object_get(o, "seller"), "address",
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "Acme Returns Desk",
                                  "street1", "5 Dock Rd", "city", "Columbus", "postal_code",
                                  "43004", "country", "US"));
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, o, on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state(id, "awaiting_shipment", 10000), "%s not paid", id);
    ck_assert_int_eq(input(id, "acknowledge", NULL, NULL, 0), 0);
}

START_TEST(two_parcels_two_numbers)
{
    ef_start_hub(0, NULL);
    place_paid("lbl-1");
    json_t *pack = json_pack("{s:[{s:i}, {s:i}]}", "parcels", "weight_g", 800, "weight_g", 2300);
    ck_assert_int_eq(input("lbl-1", "pack", pack, NULL, 0), 0);
    json_t *s = wait_shipment("lbl-1");
    ck_assert_msg(s != NULL, "no label: %s", timeline("lbl-1"));
    const json_t *parcels = json_object_get(s, "parcels");
    ck_assert_uint_eq(json_array_size(parcels), 2);
    const char *a = json_string_value(json_object_get(json_array_get(parcels, 0),
                                                      "tracking_number"));
    const char *b = json_string_value(json_object_get(json_array_get(parcels, 1),
                                                      "tracking_number"));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_ne(a, b);
    ck_assert_str_eq(json_string_value(json_object_get(s, "tracking_number")), a);
    ck_assert_msg(strncmp(json_string_value(json_object_get(s, "carrier_ref")), "SHP", 3) == 0,
                  "carrier_ref %s", json_string_value(json_object_get(s, "carrier_ref")));
    char from[64], to[64];
    ck_assert(sr_label_route(remote, b, from, sizeof(from), to, sizeof(to)));
    /* Each parcel's own label is kept, and it is that parcel's. */
    for (int i = 1; i <= 2; i++) {
        char name[32];
        snprintf(name, sizeof(name), "label-parcel-%d", i);
        st_document d;
        char err[256];
        ck_assert_msg(store_document_get(h.store, "lbl-1", name, &d, err, sizeof(err)) == 0,
                      "%s: %s", name, err);
        ck_assert_msg(memmem(d.data, d.len, i == 1 ? a : b, strlen(a)) != NULL,
                      "%s does not print its number", name);
        st_document_clear(&d);
    }
    json_decref(s);
}
END_TEST

START_TEST(one_parcel_has_no_parcel_list)
{
    ef_start_hub(0, NULL);
    place_paid("lbl-2");
    ck_assert_int_eq(input("lbl-2", "pack", NULL, NULL, 0), 0);
    json_t *s = wait_shipment("lbl-2");
    ck_assert_msg(s != NULL, "no label: %s", timeline("lbl-2"));
    ck_assert_ptr_null(json_object_get(s, "parcels"));
    json_decref(s);
}
END_TEST

START_TEST(return_label_travels_back)
{
    ef_start_hub(0, NULL);
    place_paid("lbl-3");
    ck_assert_int_eq(input("lbl-3", "pack", NULL, NULL, 0), 0);
    ck_assert_msg(wait_state("lbl-3", "completed", 15000), "%s", timeline("lbl-3"));
    char from[64], to[64];
    json_t *out = wait_shipment("lbl-3");
    const char *outbound = json_string_value(json_object_get(out, "tracking_number"));
    ck_assert(sr_label_route(remote, outbound, from, sizeof(from), to, sizeof(to)));
    ck_assert_str_eq(to, "Ada Buyer");
    json_decref(out);

    json_t *req = json_pack("{s:s, s:s}", "return_id", "r1", "reason", "too small");
    ck_assert_int_eq(input("lbl-3", "return.request", req, NULL, 0), 0);
    ck_assert_int_eq(input("lbl-3", "return.approve", json_pack("{s:s}", "return_id", "r1"),
                           NULL, 0), 0);
    ck_assert_msg(wait_sub_state("lbl-3", "returns", "r1", "label_issued"), "%s",
                  timeline("lbl-3"));
    json_t *returns = snapshot_member("lbl-3", "returns");
    const char *back = json_string_value(json_object_get(json_object_get(returns, "r1"),
                                                         "tracking_number"));
    ck_assert_ptr_nonnull(back);
    ck_assert(sr_label_route(remote, back, from, sizeof(from), to, sizeof(to)));
    ck_assert_str_eq(from, "Ada Buyer");
    ck_assert_str_eq(to, "Acme Returns Desk");
    json_decref(returns);
}
END_TEST

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Suite *s = suite_create("engine_labels");
    TCase *tc = tcase_create("labels");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, ef_setup, ef_teardown);
    tcase_add_test(tc, two_parcels_two_numbers);
    tcase_add_test(tc, one_parcel_has_no_parcel_list);
    tcase_add_test(tc, return_label_travels_back);
    suite_add_tcase(s, tc);
    int rc = tu_run(s);
    curl_global_cleanup();
    return rc;
}
