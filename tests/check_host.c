/*
 * check_host - the services of the host table: hostile input refused by the parsers,
 * request building that refuses header injection, results, kv state, HMAC.
 */
#include "config.h"

#include "host/host.h"
#include "runtime/instance.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlIO.h>

static const oh_host_api *h;

static void setup(void)
{
    h = host_api();
}

START_TEST(table_header)
{
    ck_assert_uint_eq(h->struct_size, sizeof(oh_host_api));
    ck_assert_int_eq(h->abi_major, OH_ABI_MAJOR);
    ck_assert(OH_HOST_HAS(h, kv_get));
}
END_TEST

START_TEST(xml_good_document)
{
    const char *xml = "<?xml version=\"1.0\"?><TrackResponse><TrackInfo ID=\"9400\">"
                      "<Class>Priority Mail&lt;SUP&gt;&amp;#174;</Class></TrackInfo></TrackResponse>";
    oh_error err = {{0}};
    xmlDoc *doc = h->xml_parse(xml, strlen(xml), &err);
    ck_assert_msg(doc != NULL, "%s", err.message);
    xmlNode *root = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)root->name, "TrackResponse");
    xmlChar *text = xmlNodeGetContent(root->children->children);
    ck_assert_str_eq((const char *)text, "Priority Mail<SUP>&#174;");
    xmlFree(text);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(xml_billion_laughs_refused)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol9 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        "]>\n<lolz>&lol9;</lolz>\n";
    oh_error err = {{0}};
    ck_assert_ptr_null(h->xml_parse(xml, strlen(xml), &err));
    ck_assert_msg(strstr(err.message, "DTD") != NULL, "%s", err.message);
}
END_TEST

START_TEST(xml_external_entity_refused)
{
    const char *xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "
                      "\"file:///etc/passwd\"> ]>\n<r>&xxe;</r>\n";
    oh_error err = {{0}};
    ck_assert_ptr_null(h->xml_parse(xml, strlen(xml), &err));
    ck_assert_msg(strstr(err.message, "DTD") != NULL, "%s", err.message);
    const char *ext = "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\">"
                      "<r/>";
    ck_assert_ptr_null(h->xml_parse(ext, strlen(ext), &err));
}
END_TEST

/*
 * Every resource libxml2 tries to open during a parse goes through the input callbacks: this
 * one claims them all, counts the attempt and opens nothing.  A refused document that still
 * made the parser reach for a file or a URL would show up here.
 */
static int xml_open_attempts;

static int count_match(const char *uri)
{
    (void)uri;
    xml_open_attempts++;
    return 1;
}

static void *refuse_open(const char *uri)
{
    (void)uri;
    return NULL;
}

static int refuse_read(void *ctx, char *buf, int len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return -1;
}

static int refuse_close(void *ctx)
{
    (void)ctx;
    return 0;
}

START_TEST(xml_external_entity_reads_nothing)
{
    char *dir = tu_tmpdir();
    char *secret = tu_write(dir, "secret.txt", "MARKER-4f1c9e\n");
    char *dtd = tu_write(dir, "ext.dtd", "<!ENTITY e \"MARKER-4f1c9e\">\n");
    char xxe[1024], ext[1024];
    snprintf(xxe, sizeof(xxe), "<?xml version=\"1.0\"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "
             "\"file://%s\"> ]>\n<r>&xxe;</r>\n", secret);
    snprintf(ext, sizeof(ext), "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"file://%s\">\n"
             "<r>&e;</r>\n", dtd);
    ck_assert_int_ge(xmlRegisterInputCallbacks(count_match, refuse_open, refuse_read,
                                               refuse_close), 0);
    xml_open_attempts = 0;
    oh_error err = {{0}};
    ck_assert_ptr_null(h->xml_parse(xxe, strlen(xxe), &err));
    ck_assert_msg(strstr(err.message, "DTD") != NULL, "%s", err.message);
    ck_assert_ptr_null(strstr(err.message, "MARKER"));
    memset(&err, 0, sizeof(err));
    ck_assert_ptr_null(h->xml_parse(ext, strlen(ext), &err));
    ck_assert_ptr_null(strstr(err.message, "MARKER"));
    ck_assert_int_eq(xml_open_attempts, 0);
    xmlPopInputCallbacks();
    free(secret);
    free(dtd);
    tu_rmdir(dir);
}
END_TEST

/* A full 10^9-"lol" document: refused at the DOCTYPE, before any entity is declared or
 * expanded, so it costs microseconds and no memory. */
START_TEST(xml_billion_laughs_not_expanded)
{
    char xml[4096];
    size_t n = (size_t)snprintf(xml, sizeof(xml),
                                "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                                " <!ENTITY lol0 \"lol\">\n");
    for (int level = 1; level <= 9; level++) {
        n += (size_t)snprintf(xml + n, sizeof(xml) - n, " <!ENTITY lol%d \"", level);
        for (int k = 0; k < 10; k++)
            n += (size_t)snprintf(xml + n, sizeof(xml) - n, "&lol%d;", level - 1);
        n += (size_t)snprintf(xml + n, sizeof(xml) - n, "\">\n");
    }
    n += (size_t)snprintf(xml + n, sizeof(xml) - n, "]>\n<lolz>&lol9;</lolz>\n");
    ck_assert_uint_lt(n, sizeof(xml));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    oh_error err = {{0}};
    ck_assert_ptr_null(h->xml_parse(xml, n, &err));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_msg(strstr(err.message, "DTD") != NULL, "%s", err.message);
    ck_assert_ptr_null(strstr(err.message, "lollol"));
    long ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
    ck_assert_msg(ms < 500, "refusal took %ld ms: was something expanded?", ms);
}
END_TEST

START_TEST(xml_malformed_and_oversized)
{
    oh_error err = {{0}};
    ck_assert_ptr_null(h->xml_parse("<a><b></a>", 10, &err));
    ck_assert_msg(strstr(err.message, "not well-formed") != NULL, "%s", err.message);
    ck_assert_ptr_null(strchr(err.message, '\n'));
    ck_assert_ptr_null(h->xml_parse("<a/>", HOST_PARSE_MAX_BYTES + 1, &err));
    ck_assert_msg(strstr(err.message, "limit") != NULL, "%s", err.message);
}
END_TEST

START_TEST(json_limits)
{
    oh_error err = {{0}};
    json_t *j = h->json_parse("{\"a\":[1,2,{\"b\":\"]]]\"}]}", 23, &err);
    ck_assert_msg(j != NULL, "%s", err.message);
    json_decref(j);
    ck_assert_ptr_null(h->json_parse("{\"a\":1,\"a\":2}", 13, &err));
    ck_assert_msg(strstr(err.message, "duplicate") != NULL, "%s", err.message);
    ck_assert_ptr_null(h->json_parse("{\"a\":", 5, &err));
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    ck_assert_ptr_null(h->json_parse(deep, sizeof(deep), &err));
    ck_assert_msg(strstr(err.message, "nested deeper") != NULL, "%s", err.message);
    /* Sixty-four levels are still fine. */
    j = h->json_parse(deep + 36, 128, &err);
    ck_assert_msg(j != NULL, "%s", err.message);
    json_decref(j);
}
END_TEST

START_TEST(request_building)
{
    oh_request *req = host_request_new();
    ck_assert_int_eq(h->request_set(req, "POST", "https://api.example.test/v1/x"), 0);
    ck_assert_int_eq(h->request_header(req, "Authorization", "Bearer abc", OH_HEADER_SENSITIVE), 0);
    ck_assert_int_eq(h->request_header(req, "X-Evil", "a\r\nHost: other", 0), -1);
    ck_assert_int_eq(h->request_header(req, "Bad:Name", "v", 0), -1);
    ck_assert_int_eq(h->request_set(req, "GET", "http://x/\r\n"), -1);
    ck_assert_int_eq(h->request_body(req, "{}", 2), 0);
    ck_assert_str_eq(req->method, "POST");
    ck_assert_uint_eq(req->header_count, 1);
    ck_assert_str_eq(oh_header_find(req->headers, req->header_count, "authorization"),
                     "Bearer abc");
    ck_assert_str_eq(req->body, "{}");
    const char *rcpt[] = {"buyer@example.test", "seller@example.test"};
    ck_assert_int_eq(h->request_mail(req, "hub@example.test", rcpt, 2), 0);
    ck_assert_str_eq(req->mail_rcpt[1], "seller@example.test");
    host_request_free(req);
}
END_TEST

START_TEST(url_encoding)
{
    char out[64];
    ck_assert_int_eq(h->url_encode("1Z 999/ä&=~", out, sizeof(out)), 24);
    ck_assert_str_eq(out, "1Z%20999%2F%C3%A4%26%3D~");
    ck_assert_int_eq(h->url_encode("abcdef", out, 4), -1);
}
END_TEST

START_TEST(track_results)
{
    oh_track_result r = {0};
    oh_track_shipment *s = h->track_add_shipment(&r, "9400111899223");
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 5; i++) {
        oh_track_event *e = h->track_add_event(&r.shipments[0]);
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(e->status, OH_TRACK_UNKNOWN);
        OH_STRLCPY(e->raw_code, "01");
    }
    ck_assert_uint_eq(r.shipments[0].event_count, 5);
    ck_assert_str_eq(r.shipments[0].events[4].raw_code, "01");
    ck_assert_str_eq(oh_track_status_name(OH_TRACK_RETURNED_TO_SENDER), "returned_to_sender");
    ck_assert_str_eq(oh_track_status_name((oh_track_status)99), "unknown");
    host_track_result_clear(&r);
}
END_TEST

START_TEST(rate_needs_struct_size)
{
    oh_rate_list l = {0};
    oh_rate rate = {.amount = 899};
    OH_STRLCPY(rate.service, "ground");
    ck_assert_int_eq(h->rate_add(&l, &rate), -1); /* struct_size not set */
    rate.struct_size = sizeof(rate);
    ck_assert_int_eq(h->rate_add(&l, &rate), 0);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_str_eq(l.rates[0].service, "ground");
    ck_assert_int_eq(l.rates[0].amount, 899);
    host_rate_list_clear(&l);
}
END_TEST

START_TEST(kv_state_per_instance)
{
    struct oh_instance a = {.id = "a"}, b = {.id = "b"};
    char buf[16];
    host_kv_reset();
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), -1);
    ck_assert_int_eq(h->kv_set(&a, "cursor", "42"), 0);
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "42");
    ck_assert_int_eq(h->kv_get(&b, "cursor", buf, sizeof(buf)), -1);
    ck_assert_int_eq(h->kv_set(&a, "cursor", "a-much-longer-value"), 0);
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), -2);
    ck_assert_int_eq(h->kv_set(&a, "cursor", NULL), 0);
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), -1);
    host_kv_reset();
}
END_TEST

START_TEST(hmac_rfc4231)
{
    unsigned char mac[32];
    const char *data = "what do ya want for nothing?";
    ck_assert_int_eq(h->hmac_sha256("Jefe", 4, data, strlen(data), mac), 0);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(time_parsing)
{
    int64_t ms = 0;
    /* 14:05 at -05:00 is 19:05 UTC: the offset is applied, and reported. */
    ck_assert_int_eq(h->time_parse("2026-03-02T14:05:00-05:00", &ms), 1);
    ck_assert_int_eq(ms, 1772478300000LL);
    ck_assert_int_eq(h->time_parse("2026-03-02T19:05:00.250Z", &ms), 1);
    ck_assert_int_eq(ms, 1772478300250LL);
    ck_assert_int_eq(h->time_parse("2026-03-02T14:05:00+0530", &ms), 1);
    ck_assert_int_eq(ms, 1772440500000LL);
    /* Local time without an offset: read as UTC, and said so. */
    ck_assert_int_eq(h->time_parse("2026-03-02T14:05:00", &ms), 0);
    ck_assert_int_eq(ms, 1772460300000LL);
    ck_assert_int_eq(h->time_parse("2026-03-02", &ms), 0);
    ck_assert_int_eq(h->time_parse("2024-02-29T00:00", &ms), 0);
    ck_assert_int_eq(h->time_parse("2026-02-29", &ms), -1);
    ck_assert_int_eq(h->time_parse("2026-13-01", &ms), -1);
    ck_assert_int_eq(h->time_parse("2026-03-02T24:00:00", &ms), -1);
    ck_assert_int_eq(h->time_parse("January 6, 2016", &ms), -1);
    ck_assert_int_eq(h->time_parse("2026-03-02T14:05:00-05:00 ", &ms), -1);
    ck_assert_int_eq(h->time_parse("", &ms), -1);
}
END_TEST

START_TEST(clock_override)
{
    host_now_override(1700000000123);
    ck_assert_int_eq(h->now_ms(), 1700000000123);
    host_now_override(0);
    ck_assert_int_gt(h->now_ms(), 1700000000123);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("host");
    TCase *tc = tcase_create("host");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, table_header);
    tcase_add_test(tc, xml_good_document);
    tcase_add_test(tc, xml_billion_laughs_refused);
    tcase_add_test(tc, xml_external_entity_refused);
    tcase_add_test(tc, xml_external_entity_reads_nothing);
    tcase_add_test(tc, xml_billion_laughs_not_expanded);
    tcase_add_test(tc, xml_malformed_and_oversized);
    tcase_add_test(tc, json_limits);
    tcase_add_test(tc, request_building);
    tcase_add_test(tc, url_encoding);
    tcase_add_test(tc, track_results);
    tcase_add_test(tc, rate_needs_struct_size);
    tcase_add_test(tc, kv_state_per_instance);
    tcase_add_test(tc, hmac_rfc4231);
    tcase_add_test(tc, time_parsing);
    tcase_add_test(tc, clock_override);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
