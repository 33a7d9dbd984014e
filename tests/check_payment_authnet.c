/*
 * check_payment_authnet - payment_authorizenet through the daemon's own loader, settings
 * and host table: the createTransactionRequest each operation builds (element order, exact
 * amounts, escaping, refId and invoiceNumber limits, refusals), and every recorded answer
 * in plugins/payment/authorizenet/fixtures/ parsed and compared field by field with its
 * hand-written NAME.expected.json (or refused with NAME.expected-error).  The same files
 * `orderhub-plugin payment-parse` runs; this suite does not need that verb.
 */
#include "config.h"

#include "host/host.h"
#include "runtime/instance.h"
#include "runtime/runtime.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS "AnetApi/xml/v1/schema/AnetApiSchema.xsd"

static char *dir;
static ldr_registry reg;
static rt_gen *gen;
static diag_list diags;

static void setup(void)
{
    dir = tu_tmpdir();
    ldr_registry_init(&reg);
    char *path = tu_write(dir, "orderhub.conf",
                          "plugins = ( { id = \"anet\"; module = \"payment_authorizenet\";\n"
                          "  settings = { base_url = \"http://127.0.0.1:9/xml/v1/request.api\";\n"
                          "    api_login_id = \"login<&>\"; transaction_key = \"key&1\"; }; } );\n");
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
    ldr_registry_free(&reg);
    tu_rmdir(dir);
}

static const oh_payment_ops *ops(void)
{
    return &rt_instance(gen, "anet")->module->ops.payment;
}

static void *state(void)
{
    return rt_instance(gen, "anet")->state;
}

static oh_payment_input input(void)
{
    oh_payment_input in = {.struct_size = sizeof(in), .order_id = "ORD-1001",
                           .payment_token = "eyJjb2RlIjoiNTBfMl8wNjAw&<x>",
                           .transaction_id = "60123456789:1111",
                           .idempotency_key = "ORD-1001/order.placed#1/anet/authorize",
                           .amount = 1234, .description = "Mug <red> & lid"};
    memcpy(in.currency, "USD", 4);
    return in;
}

/* Build with `fn`; the body parsed (caller frees), or NULL with err filled. */
static xmlDoc *build(oh_payment_build_fn fn, const oh_payment_input *in, int *rc, oh_error *err)
{
    oh_request *req = host_request_new();
    *rc = fn(state(), in, req, err);
    xmlDoc *doc = NULL;
    if (*rc == OH_OK) {
        ck_assert_str_eq(req->method, "POST");
        ck_assert_str_eq(req->url, "http://127.0.0.1:9/xml/v1/request.api");
        ck_assert_str_eq(oh_header_find(req->headers, req->header_count, "Content-Type"),
                         "text/xml; charset=utf-8");
        doc = xmlReadMemory(req->body, (int)req->body_len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
        ck_assert_msg(doc != NULL, "body is not XML: %s", req->body);
    }
    host_request_free(req);
    return doc;
}

static xmlNode *kid(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)name)) {
            ck_assert_msg(c->ns && xmlStrEqual(c->ns->href, (const xmlChar *)NS),
                          "%s outside the API namespace", name);
            return c;
        }
    return NULL;
}

/* Text at a path of child names ("a/b/c"), static buffer; NULL when absent. */
static const char *at(xmlDoc *doc, const char *path)
{
    static char buf[1024];
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", path);
    xmlNode *n = xmlDocGetRootElement(doc);
    for (char *s = strtok(copy, "/"); s && n; s = strtok(NULL, "/"))
        n = kid(n, s);
    if (n == NULL)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    snprintf(buf, sizeof(buf), "%s", (const char *)t);
    xmlFree(t);
    return buf;
}

/* The names of the element children of the node at `path`, space-separated. */
static const char *names(xmlDoc *doc, const char *path)
{
    static char buf[512];
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", path);
    xmlNode *n = xmlDocGetRootElement(doc);
    for (char *s = strtok(copy, "/"); s && n; s = strtok(NULL, "/"))
        n = kid(n, s);
    buf[0] = '\0';
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", buf[0] ? " " : "",
                     (const char *)c->name);
    return buf;
}

START_TEST(authorize_request)
{
    oh_payment_input in = input();
    oh_error err = {{0}};
    int rc;
    xmlDoc *doc = build(ops()->authorize_build, &in, &rc, &err);
    ck_assert_msg(rc == OH_OK, "%s", err.message);
    ck_assert_str_eq((const char *)xmlDocGetRootElement(doc)->name, "createTransactionRequest");
    ck_assert_str_eq(names(doc, ""), "merchantAuthentication refId transactionRequest");
    ck_assert_str_eq(at(doc, "merchantAuthentication/name"), "login<&>");
    ck_assert_str_eq(at(doc, "merchantAuthentication/transactionKey"), "key&1");
    char first[32];
    snprintf(first, sizeof(first), "%s", at(doc, "refId"));
    ck_assert_uint_eq(strlen(first), 20);
    ck_assert_uint_eq(strspn(first, "0123456789abcdef"), 20);
    ck_assert_str_eq(names(doc, "transactionRequest"),
                     "transactionType amount payment order transactionSettings");
    ck_assert_str_eq(at(doc, "transactionRequest/transactionType"), "authOnlyTransaction");
    ck_assert_str_eq(at(doc, "transactionRequest/amount"), "12.34");
    ck_assert_str_eq(at(doc, "transactionRequest/payment/opaqueData/dataDescriptor"),
                     "COMMON.ACCEPT.INAPP.PAYMENT");
    ck_assert_str_eq(at(doc, "transactionRequest/payment/opaqueData/dataValue"),
                     "eyJjb2RlIjoiNTBfMl8wNjAw&<x>");
    ck_assert_str_eq(at(doc, "transactionRequest/order/invoiceNumber"), "ORD-1001");
    ck_assert_str_eq(at(doc, "transactionRequest/order/description"),
                     "orderhub ORD-1001: Mug <red> & lid");
    ck_assert_str_eq(at(doc, "transactionRequest/transactionSettings/setting/settingName"),
                     "duplicateWindow");
    ck_assert_str_eq(at(doc, "transactionRequest/transactionSettings/setting/settingValue"),
                     "28800");
    xmlFreeDoc(doc);
    /* The same key gives the same refId (a retry after a crash); another key another. */
    doc = build(ops()->authorize_build, &in, &rc, &err);
    ck_assert_str_eq(at(doc, "refId"), first);
    xmlFreeDoc(doc);
    in.idempotency_key = "ORD-1001/order.placed#1/anet/authorizf";
    doc = build(ops()->authorize_build, &in, &rc, &err);
    ck_assert_str_ne(at(doc, "refId"), first);
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(amounts_exact)
{
    static const struct {
        int64_t minor;
        const char *text;
    } cases[] = {{1, "0.01"}, {5, "0.05"}, {100, "1.00"}, {1234, "12.34"},
                 {100000, "1000.00"}, {999999999999, "9999999999.99"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        oh_payment_input in = input();
        in.amount = cases[i].minor;
        oh_error err = {{0}};
        int rc;
        xmlDoc *doc = build(ops()->capture_build, &in, &rc, &err);
        ck_assert_str_eq(at(doc, "transactionRequest/amount"), cases[i].text);
        xmlFreeDoc(doc);
    }
}
END_TEST

START_TEST(follow_on_requests)
{
    oh_payment_input in = input();
    oh_error err = {{0}};
    int rc;
    xmlDoc *doc = build(ops()->capture_build, &in, &rc, &err);
    ck_assert_str_eq(names(doc, "transactionRequest"), "transactionType amount refTransId");
    ck_assert_str_eq(at(doc, "transactionRequest/transactionType"),
                     "priorAuthCaptureTransaction");
    ck_assert_str_eq(at(doc, "transactionRequest/refTransId"), "60123456789");
    xmlFreeDoc(doc);
    doc = build(ops()->void_build, &in, &rc, &err);
    ck_assert_str_eq(names(doc, "transactionRequest"), "transactionType refTransId");
    ck_assert_str_eq(at(doc, "transactionRequest/transactionType"), "voidTransaction");
    xmlFreeDoc(doc);
    in.amount = 500;
    doc = build(ops()->refund_build, &in, &rc, &err);
    ck_assert_str_eq(names(doc, "transactionRequest"),
                     "transactionType amount payment refTransId order transactionSettings");
    ck_assert_str_eq(at(doc, "transactionRequest/amount"), "5.00");
    ck_assert_str_eq(at(doc, "transactionRequest/payment/creditCard/cardNumber"), "1111");
    ck_assert_str_eq(at(doc, "transactionRequest/payment/creditCard/expirationDate"), "XXXX");
    ck_assert_str_eq(at(doc, "transactionRequest/refTransId"), "60123456789");
    xmlFreeDoc(doc);
}
END_TEST

START_TEST(refusals)
{
    oh_payment_input in = input();
    oh_error err = {{0}};
    int rc;
    in.transaction_id = "60123456789"; /* no last four digits: a refund cannot be sent */
    ck_assert_ptr_null(build(ops()->refund_build, &in, &rc, &err));
    ck_assert_int_eq(rc, OH_FAIL);
    ck_assert_ptr_nonnull(strstr(err.message, "last four digits"));
    in = input();
    memcpy(in.currency, "EUR", 4);
    ck_assert_ptr_null(build(ops()->authorize_build, &in, &rc, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "currency EUR"));
    in = input();
    in.amount = 0;
    ck_assert_ptr_null(build(ops()->authorize_build, &in, &rc, &err));
    in = input();
    in.transaction_id = "60123456789:11x1";
    ck_assert_ptr_null(build(ops()->void_build, &in, &rc, &err));
    ck_assert_int_eq(rc, OH_FAIL);
    ck_assert_ptr_null(strstr(err.message, "key&1")); /* no secret in an error */
}
END_TEST

START_TEST(long_order_id)
{
    oh_payment_input in = input();
    in.order_id = "marketplace-order-000000000000000000042"; /* over invoiceNumber's 20 */
    oh_error err = {{0}};
    int rc;
    xmlDoc *doc = build(ops()->authorize_build, &in, &rc, &err);
    const char *inv = at(doc, "transactionRequest/order/invoiceNumber");
    ck_assert_uint_eq(strlen(inv), 20);
    ck_assert_int_eq(strncmp(inv, "oh-", 3), 0);
    ck_assert_ptr_nonnull(strstr(at(doc, "transactionRequest/order/description"),
                                 "marketplace-order-000000000000000000042"));
    xmlFreeDoc(doc);
}
END_TEST

/* ---- recorded answers ------------------------------------------------------------------ */

static oh_payment_parse_fn parser_for(const char *name)
{
    const oh_payment_ops *p = ops();
    return strncmp(name, "authorize-", 10) == 0 ? p->authorize_parse
           : strncmp(name, "capture-", 8) == 0  ? p->capture_parse
           : strncmp(name, "void-", 5) == 0     ? p->void_parse
           : strncmp(name, "refund-", 7) == 0   ? p->refund_parse
                                                : NULL;
}

static void expect_field(const json_t *want, const char *key, const char *got, const char *f)
{
    const json_t *w = json_object_get(want, key);
    if (json_is_null(w))
        ck_assert_msg(got[0] == '\0', "%s: %s is '%s', expected null", f, key, got);
    else
        ck_assert_msg(json_is_string(w) && strcmp(json_string_value(w), got) == 0,
                      "%s: %s is '%s', expected '%s'", f, key, got,
                      json_is_string(w) ? json_string_value(w) : "?");
}

static void run_fixture(const char *fdir, const char *file)
{
    static const char *const statuses[] = {
        "unset", "authorized", "captured", "declined", "error", "requires_action",
        "processing", "canceled", "refunded", "held_for_review"};
    char path[1024], stem[512];
    snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(file) - 4), file);
    snprintf(path, sizeof(path), "%s/%s", fdir, file);
    char *body = tu_read(path);
    ck_assert_ptr_nonnull(body);
    snprintf(path, sizeof(path), "%s/%s.args", fdir, stem);
    char *args = tu_read(path);
    int status = 200;
    if (args && strstr(args, "--status "))
        status = atoi(strstr(args, "--status ") + 9);
    free(args);
    oh_response resp = {.struct_size = sizeof(resp), .status = status, .body = body,
                        .body_len = strlen(body)};
    oh_payment_input in = input();
    oh_payment_result out = {.struct_size = sizeof(out)};
    oh_error err = {{0}};
    oh_payment_parse_fn fn = parser_for(stem);
    ck_assert_msg(fn != NULL, "%s: name must start with authorize|capture|void|refund-", file);
    int rc = fn(state(), &in, &resp, &out, &err);
    snprintf(path, sizeof(path), "%s/%s.expected.json", fdir, stem);
    json_error_t je;
    json_t *want = json_load_file(path, 0, &je);
    if (want != NULL) {
        ck_assert_msg(rc == OH_OK, "%s: rc %d: %s", file, rc, err.message);
        ck_assert_str_eq(statuses[out.status], json_string_value(json_object_get(want, "status")));
        expect_field(want, "transaction_id", out.transaction_id, file);
        expect_field(want, "currency", out.currency, file);
        expect_field(want, "code", out.code, file);
        expect_field(want, "decline_code", out.decline_code, file);
        expect_field(want, "message", out.message, file);
        ck_assert_msg(json_integer_value(json_object_get(want, "amount")) == out.amount,
                      "%s: amount %lld", file, (long long)out.amount);
        ck_assert_msg(json_is_true(json_object_get(want, "retryable")) == (out.retryable != 0),
                      "%s: retryable %d", file, out.retryable);
        json_decref(want);
    } else {
        snprintf(path, sizeof(path), "%s/%s.expected-error", fdir, stem);
        char *line = tu_read(path);
        ck_assert_msg(line != NULL, "%s: neither expected.json nor expected-error", file);
        line[strcspn(line, "\n")] = '\0';
        ck_assert_msg(rc != OH_OK, "%s: accepted, expected a rejection", file);
        ck_assert_msg(strstr(err.message, line) != NULL, "%s: '%s' does not mention '%s'",
                      file, err.message, line);
        free(line);
    }
    free(body);
}

START_TEST(fixtures)
{
    char fdir[1024];
    snprintf(fdir, sizeof(fdir), "%s/plugins/payment/authorizenet/fixtures",
             tu_env("top_srcdir"));
    DIR *d = opendir(fdir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".xml") == 0) {
            run_fixture(fdir, e->d_name);
            n++;
        }
    }
    closedir(d);
    ck_assert_int_ge(n, 20);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("payment_authorizenet");
    TCase *tc = tcase_create("plugin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, authorize_request);
    tcase_add_test(tc, amounts_exact);
    tcase_add_test(tc, follow_on_requests);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, long_order_id);
    tcase_add_test(tc, fixtures);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
