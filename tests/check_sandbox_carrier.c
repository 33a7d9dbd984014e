/*
 * check_sandbox_carrier - the carrier_sandbox plugin against the sandbox remote over
 * loopback: each scripted journey to its end (chosen by marker and by setting), per-number
 * errors, rate quotes, customs on international labels, and signed inbound webhooks.  The
 * real loader, settings and host table; requests sent with libcurl as the executor would.
 */
#include "config.h"

#include "../contrib/fakes/sandbox_remote.h"
#include "host/host.h"
#include "runtime/instance.h"
#include "runtime/runtime.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STEP_MS 30

static char *dir;
static sandbox_remote *remote;
static ldr_registry reg;
static rt_gen *gen;
static diag_list diags;

static void setup(void)
{
    dir = tu_tmpdir();
    remote = sr_start(0, STEP_MS);
    ck_assert_ptr_nonnull(remote);
    ldr_registry_init(&reg);
    char conf[2048];
    snprintf(conf, sizeof(conf),
             "plugins = (\n"
             " { id = \"carrier\"; module = \"carrier_sandbox\"; settings = {\n"
             "   base_url = \"http://127.0.0.1:%u/sandbox/carrier\"; webhook_secret = \"whsec_t\"; }; },\n"
             " { id = \"lost\"; module = \"carrier_sandbox\"; settings = {\n"
             "   base_url = \"http://127.0.0.1:%u/sandbox/carrier\"; journey = \"lost\"; }; } );\n",
             sr_port(remote), sr_port(remote));
    char *path = tu_write(dir, "orderhub.conf", conf);
    const char *dirs[] = {tu_env("PLUGIN_DIR")};
    rt_build_opts bo = {.extra_dirs = dirs, .extra_dir_count = 1, .init = 1};
    gen = rt_build(&reg, path, &bo, &diags);
    ck_assert_msg(gen != NULL, "%s", tu_diag_dump(&diags));
    free(path);
}

static void teardown(void)
{
    rt_gen_unref(gen);
    diag_free(&diags);
    sr_stop(remote);
    ldr_registry_free(&reg);
    tu_rmdir(dir);
}

static const oh_carrier_ops *ops(void)
{
    return &rt_instance(gen, "carrier")->module->ops.carrier;
}

static void *state(const char *id)
{
    return rt_instance(gen, id)->state;
}

/* ---- sending a built request, as the executor would ------------------------------------ */

typedef struct answer {
    oh_response resp;
    char *body;
    size_t len;
} answer;

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    answer *a = arg;
    char *b = realloc(a->body, a->len + size * n + 1);
    if (b == NULL)
        return 0;
    memcpy(b + a->len, p, size * n);
    a->body = b;
    a->len += size * n;
    b[a->len] = '\0';
    return size * n;
}

static void send_request(const oh_request *req, answer *a)
{
    *a = (answer){.body = NULL};
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    for (size_t i = 0; i < req->header_count; i++) {
        char line[512];
        snprintf(line, sizeof(line), "%s: %s", req->headers[i].name, req->headers[i].value);
        h = curl_slist_append(h, line);
    }
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (req->body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    a->resp = (oh_response){.struct_size = sizeof(a->resp), .status = (int)status,
                            .body = a->body ? a->body : "", .body_len = a->len};
}

/* ---- labels ------------------------------------------------------------------------------ */

typedef struct shipment_in {
    const char *order_id, *name, *country;
    int64_t weight_g;
    int customs; /* add one customs line */
} shipment_in;

static oh_shipment shipment(const shipment_in *in, oh_parcel *parcel, oh_customs_item *line)
{
    *parcel = (oh_parcel){.weight_g = in->weight_g};
    *line = (oh_customs_item){.description = "Stoneware mug", .hs_code = "691200",
                              .origin_country = "US", .quantity = 2, .value = 2400,
                              .weight_g = 700};
    oh_shipment s = {.struct_size = sizeof(s), .order_id = in->order_id,
                     .service_level = "standard", .parcels = parcel, .parcel_count = 1,
                     .customs = in->customs ? line : NULL, .customs_count = in->customs ? 1 : 0,
                     .currency = "USD"};
    s.ship_from.country = "US";
    s.ship_to.name = in->name;
    s.ship_to.country = in->country;
    return s;
}

/* Create a label through instance `id`; returns the plugin's rc, label in *out. */
static int make_label(const char *id, const shipment_in *in, host_label *out, oh_error *err)
{
    oh_parcel parcel;
    oh_customs_item line;
    oh_shipment s = shipment(in, &parcel, &line);
    oh_request *req = host_request_new();
    ck_assert_int_eq(ops()->label_build(state(id), &s, req, err), OH_OK);
    answer a;
    send_request(req, &a);
    host_request_free(req);
    *out = (host_label){.label = {.struct_size = sizeof(oh_label)}};
    int rc = ops()->label_parse(state(id), &s, &a.resp, &out->label, err);
    free(a.body);
    return rc;
}

static void label_number(const char *id, const shipment_in *in, char *number)
{
    host_label l;
    oh_error err = {{0}};
    ck_assert_msg(make_label(id, in, &l, &err) == OH_OK, "%s", err.message);
    strcpy(number, l.label.tracking_number);
    host_label_clear(&l);
}

/* Track numbers[0..n) once; the result normalised as the daemon does. */
static void track(const char *const *numbers, size_t n, oh_track_result *r)
{
    oh_request *req = host_request_new();
    oh_error err = {{0}};
    ck_assert_int_eq(ops()->track_build(state("carrier"), numbers, n, req, &err), OH_OK);
    answer a;
    send_request(req, &a);
    host_request_free(req);
    *r = (oh_track_result){0};
    ck_assert_msg(ops()->track_parse(state("carrier"), numbers, n, &a.resp, r, &err) == OH_OK,
                  "%s", err.message);
    free(a.body);
    ck_assert_int_eq(host_track_normalise(r, "carrier_sandbox"), 0);
}

static int has_code(const oh_track_shipment *s, const char *code)
{
    int n = 0;
    for (size_t i = 0; i < s->event_count; i++)
        n += strcmp(s->events[i].raw_code, code) == 0;
    return n;
}

START_TEST(journeys_end_where_scripted)
{
    static const shipment_in ins[] = {
        {"jr-plain", "Ada Buyer", "US", 950, 0},
        {"jr-journey-delayed", "Ada Buyer", "US", 950, 0},
        {"jr-3", "Ann Journey_Exception", "US", 950, 0},
        {"jr-JOURNEY-returned-to-sender", "Ada Buyer", "US", 950, 0},
    };
    char numbers[5][64];
    for (size_t i = 0; i < 4; i++)
        label_number("carrier", &ins[i], numbers[i]);
    label_number("lost", &ins[0], numbers[4]); /* the instance's journey setting wins */
    const char *list[5] = {numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]};
    /* Longest journey: 10 steps.  Wait well past it: finished journeys stay put. */
    usleep(16 * STEP_MS * 1000);
    oh_track_result r;
    track(list, 5, &r);
    ck_assert_uint_eq(r.count, 5);
    const oh_track_shipment *s = r.shipments;
    ck_assert_str_eq(s[0].number, numbers[0]);
    ck_assert_int_eq(s[0].status, OH_TRACK_DELIVERED);
    ck_assert_uint_eq(s[0].event_count, 5);
    ck_assert_str_eq(s[0].events[0].proof.signed_by, "J. DOE");
    ck_assert_int_eq(s[1].status, OH_TRACK_DELIVERED);
    ck_assert_int_eq(has_code(&s[1], "DY"), 1);
    ck_assert_uint_eq(s[1].event_count, 7);
    ck_assert_int_eq(s[2].status, OH_TRACK_EXCEPTION);
    ck_assert_str_eq(s[2].events[0].raw_code, "AX");
    ck_assert_int_eq(s[3].status, OH_TRACK_RETURNED_TO_SENDER);
    ck_assert_int_eq(has_code(&s[3], "AF"), 2);
    ck_assert_str_eq(s[3].events[0].raw_code, "RS");
    ck_assert_int_eq(s[4].status, OH_TRACK_IN_TRANSIT);
    ck_assert_uint_eq(s[4].event_count, 3);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(s[i].error_kind, OH_TRACK_ERROR_NONE);
    host_track_result_clear(&r);
}
END_TEST

START_TEST(delay_shows_mid_journey)
{
    static const shipment_in in = {"mid-journey-delayed", "Ada", "US", 100, 0};
    char number[64];
    label_number("carrier", &in, number);
    const char *list[] = {number};
    /* The DY scan shows at step 6, the next one at step 8: poll for that window. */
    oh_track_result r;
    int seen = 0;
    for (int i = 0; i < 400 && !seen; i++) {
        track(list, 1, &r);
        size_t n = r.shipments[0].event_count;
        seen = n == 4;
        ck_assert_msg(n < 5, "the delay window was missed (machine too slow?)");
        if (!seen) {
            host_track_result_clear(&r);
            usleep(5000);
        }
    }
    ck_assert(seen);
    ck_assert_int_eq(r.shipments[0].status, OH_TRACK_EXCEPTION);
    ck_assert_str_eq(r.shipments[0].events[0].raw_code, "DY");
    host_track_result_clear(&r);
}
END_TEST

START_TEST(unknown_and_invalid_numbers)
{
    const char *list[] = {"SBX999999", "1Z999AA10123456784"};
    oh_track_result r;
    track(list, 2, &r);
    ck_assert_uint_eq(r.count, 2);
    ck_assert_int_eq(r.shipments[0].error_kind, OH_TRACK_ERROR_NOT_FOUND);
    ck_assert_str_eq(r.shipments[0].error_code, "TRK404");
    ck_assert_str_eq(r.shipments[0].error, "not found");
    ck_assert_int_eq(r.shipments[1].error_kind, OH_TRACK_ERROR_INVALID_NUMBER);
    ck_assert_str_eq(r.shipments[1].error_code, "TRK400");
    ck_assert_uint_eq(r.shipments[1].event_count, 0);
    host_track_result_clear(&r);
}
END_TEST

/* ---- rates ------------------------------------------------------------------------------- */

static void quote(const shipment_in *in, oh_rate_list *l)
{
    oh_parcel parcel;
    oh_customs_item line;
    oh_shipment s = shipment(in, &parcel, &line);
    oh_request *req = host_request_new();
    oh_error err = {{0}};
    ck_assert_int_eq(ops()->rate_build(state("carrier"), &s, req, &err), OH_OK);
    ck_assert_str_eq(req->method, "POST");
    ck_assert(strstr(req->url, "/sandbox/carrier/rates") != NULL);
    answer a;
    send_request(req, &a);
    host_request_free(req);
    *l = (oh_rate_list){0};
    ck_assert_msg(ops()->rate_parse(state("carrier"), &s, &a.resp, l, &err) == OH_OK, "%s",
                  err.message);
    free(a.body);
}

static void expect_rate(const oh_rate *r, const char *service, const char *level,
                        int64_t amount, int days)
{
    ck_assert_str_eq(r->service, service);
    ck_assert_str_eq(r->service_level, level);
    ck_assert_int_eq(r->amount, amount);
    ck_assert_str_eq(r->currency, "USD");
    ck_assert_int_eq(r->transit_days, days);
}

START_TEST(rates_by_weight_and_destination)
{
    /* README tariff: base + per started kg; 950 g is 1 kg, 2100 g is 3 kg. */
    static const shipment_in home = {"r-1", "Ada", "US", 950, 0};
    static const shipment_in canada = {"r-2", "Ada", "CA", 2100, 0};
    static const shipment_in germany = {"r-3", "Ada", "DE", 2100, 0};
    oh_rate_list l;
    quote(&home, &l);
    ck_assert_uint_eq(l.count, 3);
    expect_rate(&l.rates[0], "economy", "economy", 450 + 150, 6);
    expect_rate(&l.rates[1], "ground", "standard", 699 + 200, 4);
    expect_rate(&l.rates[2], "express", "express", 1499 + 400, 2);
    host_rate_list_clear(&l);
    quote(&canada, &l);
    expect_rate(&l.rates[1], "ground", "standard", 1500 + 3 * 500, 7);
    host_rate_list_clear(&l);
    quote(&germany, &l);
    expect_rate(&l.rates[0], "economy", "economy", 1800 + 3 * 700, 15);
    expect_rate(&l.rates[2], "express", "express", 4500 + 3 * 1500, 4);
    host_rate_list_clear(&l);
}
END_TEST

/* ---- customs ----------------------------------------------------------------------------- */

START_TEST(international_labels_need_customs)
{
    static const shipment_in bare = {"c-1", "Erika", "DE", 800, 0};
    static const shipment_in declared = {"c-2", "Erika", "DE", 800, 1};
    static const shipment_in home = {"c-3", "Ada", "US", 800, 0};
    host_label l;
    oh_error err = {{0}};
    ck_assert_int_eq(make_label("carrier", &bare, &l, &err), OH_FAIL);
    ck_assert_msg(strstr(err.message, "HTTP 400 CUSTOMS_REQUIRED") != NULL, "%s", err.message);
    host_label_clear(&l);
    err = (oh_error){{0}};
    ck_assert_msg(make_label("carrier", &declared, &l, &err) == OH_OK, "%s", err.message);
    ck_assert_str_eq(l.label.service, "ground");
    ck_assert_int_eq(l.label.cost, 2400 + 900);
    ck_assert_str_eq(l.documents[0].mime_type, "application/zpl");
    ck_assert_str_eq(l.documents[1].mime_type, "application/pdf");
    ck_assert(l.documents[1].len > 0 &&
              strstr((const char *)l.documents[1].data, "CN23") != NULL &&
              strstr((const char *)l.documents[1].data, "Stoneware mug x2") != NULL);
    host_label_clear(&l);
    ck_assert_msg(make_label("carrier", &home, &l, &err) == OH_OK, "%s", err.message);
    ck_assert_int_eq(l.label.cost, 899);
    ck_assert_uint_eq(l.documents[1].len, 0);
    host_label_clear(&l);
}
END_TEST

/* ---- webhooks ---------------------------------------------------------------------------- */

static int hook(const char *id, const char *body, const char *signature, int64_t now,
                oh_track_result *r, oh_error *err)
{
    oh_header h = {.name = "Sandbox-Signature", .value = (char *)signature};
    oh_inbound in = {.struct_size = sizeof(in), .method = "POST", .path = "/v1/webhooks",
                     .query = "", .headers = &h, .header_count = signature ? 1 : 0,
                     .body = body, .body_len = strlen(body)};
    int rc = ops()->webhook_verify(state(id), &in, now, err);
    if (rc == OH_OK && r != NULL)
        rc = ops()->webhook_parse(state(id), &in, r, err);
    return rc;
}

static void sign(const char *secret, long long t, const char *body, char *out, size_t len)
{
    char text[1024];
    unsigned char mac[32];
    snprintf(text, sizeof(text), "%lld.%s", t, body);
    ck_assert_int_eq(host_api()->hmac_sha256(secret, strlen(secret), text, strlen(text), mac), 0);
    int n = snprintf(out, len, "t=%lld,v1=", t);
    for (int i = 0; i < 32; i++)
        n += snprintf(out + n, len - (size_t)n, "%02x", mac[i]);
}

START_TEST(webhooks_signed_and_parsed)
{
    const char *body = "{\"id\":\"whk_1\",\"number\":\"SBX100001\",\"events\":["
                       "{\"code\":\"IT\",\"text\":\"In transit\",\"time\":\"2026-03-02T10:00:00.000+00:00\"},"
                       "{\"code\":\"OD\",\"text\":\"Out for delivery\",\"time\":\"2026-03-02T11:00:00.000+00:00\","
                       "\"city\":\"Springfield\",\"country\":\"US\"}]}";
    const long long t = 1772445600;
    char good[160], wrong[160], rotated[400];
    sign("whsec_t", t, body, good, sizeof(good));
    sign("whsec_old", t, body, wrong, sizeof(wrong));
    snprintf(rotated, sizeof(rotated), "%s,%s", wrong, strstr(good, "v1="));
    oh_track_result r = {0};
    oh_error err = {{0}};
    ck_assert_msg(hook("carrier", body, good, t + 10, &r, &err) == OH_OK, "%s", err.message);
    ck_assert_uint_eq(r.count, 1);
    ck_assert_str_eq(r.shipments[0].number, "SBX100001");
    ck_assert_int_eq(r.shipments[0].status, OH_TRACK_OUT_FOR_DELIVERY);
    ck_assert_uint_eq(r.shipments[0].event_count, 2);
    host_track_result_clear(&r);
    ck_assert_int_eq(hook("carrier", body, rotated, t, NULL, &err), OH_OK);
    ck_assert_int_eq(hook("carrier", body, wrong, t, NULL, &err), OH_FAIL);
    ck_assert_str_eq(err.message, "no v1 signature matches");
    ck_assert_int_eq(hook("carrier", body, good, t + 301, NULL, &err), OH_FAIL);
    ck_assert(strstr(err.message, "tolerance") != NULL);
    ck_assert_int_eq(hook("carrier", body, NULL, t, NULL, &err), OH_FAIL);
    ck_assert_str_eq(err.message, "no Sandbox-Signature header");
    good[strlen(good) - 1] = '\0'; /* 63 hex digits */
    ck_assert_int_eq(hook("carrier", body, good, t, NULL, &err), OH_FAIL);
    /* An instance without webhook_secret refuses every webhook. */
    ck_assert_int_eq(hook("lost", body, good, t, NULL, &err), OH_FAIL);
    ck_assert(strstr(err.message, "webhook_secret") != NULL);
    /* Signed but malformed: refused by parse. */
    const char *bad = "[\"number\"]";
    sign("whsec_t", t, bad, good, sizeof(good));
    r = (oh_track_result){0};
    ck_assert_int_eq(hook("carrier", bad, good, t, &r, &err), OH_FAIL);
    host_track_result_clear(&r);
}
END_TEST

START_TEST(journey_setting_checked_at_init)
{
    char *path = tu_write(dir, "bad.conf",
                          "plugins = ( { id = \"c\"; module = \"carrier_sandbox\";\n"
                          "  settings = { journey = \"scenic\"; }; } );\n");
    const char *dirs[] = {tu_env("PLUGIN_DIR")};
    rt_build_opts bo = {.extra_dirs = dirs, .extra_dir_count = 1, .init = 1};
    diag_list d = {0};
    ck_assert_ptr_null(rt_build(&reg, path, &bo, &d));
    ck_assert_msg(tu_diag_has(&d, "journey must be empty or one of"), "%s", tu_diag_dump(&d));
    diag_free(&d);
    free(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sandbox_carrier");
    TCase *tc = tcase_create("remote");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, journeys_end_where_scripted);
    tcase_add_test(tc, delay_shows_mid_journey);
    tcase_add_test(tc, unknown_and_invalid_numbers);
    tcase_add_test(tc, rates_by_weight_and_destination);
    tcase_add_test(tc, international_labels_need_customs);
    tcase_add_test(tc, webhooks_signed_and_parsed);
    tcase_add_test(tc, journey_setting_checked_at_init);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = tu_run(suite());
    curl_global_cleanup();
    return rc;
}
