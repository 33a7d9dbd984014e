/*
 * check_loader - the plugin loader accepts valid modules and refuses each contract breach
 * with one line naming the file and the reason.
 */
#include "config.h"

#include "loader/describe.h"
#include "loader/loader.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ldr_registry reg;

static void setup(void)
{
    ldr_registry_init(&reg);
}

static void teardown(void)
{
    ldr_registry_free(&reg);
}

static char *test_plugin(const char *name)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/%s.so", tu_env("TEST_PLUGIN_DIR"), name), 0);
    return path;
}

/* Open `name` from the test plugins, expect a refusal containing every needle. */
static void expect_refusal(const char *name, const char *const *needles)
{
    char *path = test_plugin(name);
    char err[1024] = "";
    const ldr_module *m = NULL;
    ck_assert_int_eq(ldr_open(&reg, path, &m, err, sizeof(err)), -1);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err, path) != NULL, "refusal does not name the file: %s", err);
    ck_assert_msg(strchr(err, '\n') == NULL, "refusal is not one line: %s", err);
    for (size_t i = 0; needles[i] != NULL; i++)
        ck_assert_msg(strstr(err, needles[i]) != NULL, "'%s' not in: %s", needles[i], err);
    ck_assert_uint_eq(reg.count, 0);
    free(path);
}

#define REFUSES(name, ...) expect_refusal(name, (const char *const[]){__VA_ARGS__, NULL})

START_TEST(valid_plugin_loads)
{
    char *path = test_plugin("test_filter");
    char err[1024] = "";
    const ldr_module *m = NULL;
    ck_assert_msg(ldr_open(&reg, path, &m, err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(m->desc.name, "test_filter");
    ck_assert_int_eq(m->desc.kind, OH_KIND_FILTER);
    ck_assert_ptr_nonnull(m->desc.filter);
    ck_assert_ptr_eq(m->desc.filter, &m->ops.filter); /* host-size copy, not the plugin's */
    ck_assert_uint_eq(m->setting_count, 7);
    ck_assert_str_eq(m->settings[1].name, "secret");
    /* The same file opened again is the same module: code is loaded once. */
    const ldr_module *again = NULL;
    ck_assert_int_eq(ldr_open(&reg, path, &again, err, sizeof(err)), 0);
    ck_assert_ptr_eq(m, again);
    ck_assert_uint_eq(reg.count, 1);
    free(path);
}
END_TEST

START_TEST(describe_lists_schema)
{
    char *path = test_plugin("test_filter");
    char err[1024];
    const ldr_module *m = NULL;
    ck_assert_int_eq(ldr_open(&reg, path, &m, err, sizeof(err)), 0);
    json_t *j = ldr_describe(m);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "kind")), "filter");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "abi"), "major")),
                     OH_ABI_MAJOR);
    json_t *settings = json_object_get(j, "settings");
    ck_assert_uint_eq(json_array_size(settings), 7);
    json_t *secret = json_array_get(settings, 1);
    ck_assert(json_is_true(json_object_get(secret, "sensitive")));
    json_t *count = json_array_get(settings, 2);
    ck_assert_int_eq(json_integer_value(json_object_get(count, "max")), 10);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "operations"), 0)),
                     "check");
    json_decref(j);
    free(path);
}
END_TEST

/* A 1.1 carrier loads into this host; the operations 1.2 appended read as absent. */
START_TEST(older_carrier_has_no_void)
{
    char *path = test_plugin("carrier_1_1");
    char err[1024] = "";
    const ldr_module *m = NULL;
    ck_assert_msg(ldr_open(&reg, path, &m, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(m->desc.kind, OH_KIND_CARRIER);
    ck_assert_ptr_nonnull(m->ops.carrier.track_build);
    ck_assert_ptr_null(m->ops.carrier.void_build);
    ck_assert_ptr_null(m->ops.carrier.void_parse);
    free(path);
}
END_TEST

START_TEST(refuses_newer_major)
{
    char plugin_abi[16], host_abi[16];
    snprintf(plugin_abi, sizeof(plugin_abi), "2.%d", OH_ABI_MINOR);
    snprintf(host_abi, sizeof(host_abi), "%d.%d", OH_ABI_MAJOR, OH_ABI_MINOR);
    REFUSES("bad_major", plugin_abi, host_abi, "major versions differ");
}
END_TEST

START_TEST(refuses_older_major)
{
    char plugin_abi[16];
    snprintf(plugin_abi, sizeof(plugin_abi), "0.%d", OH_ABI_MINOR);
    REFUSES("old_major", plugin_abi, "major versions differ");
}
END_TEST

START_TEST(refuses_newer_minor)
{
    char plugin_abi[16], host_abi[16];
    snprintf(plugin_abi, sizeof(plugin_abi), "%d.%d", OH_ABI_MAJOR, OH_ABI_MINOR + 1);
    snprintf(host_abi, sizeof(host_abi), "%d.%d", OH_ABI_MAJOR, OH_ABI_MINOR);
    REFUSES("newer_minor", plugin_abi, host_abi, "newer than this host");
}
END_TEST

START_TEST(refuses_small_struct)
{
    REFUSES("small_struct", "struct_size 8 cannot be read");
}
END_TEST

START_TEST(refuses_big_struct)
{
    REFUSES("big_struct", "struct_size 4096 cannot be read");
}
END_TEST

START_TEST(refuses_missing_entry_symbol)
{
    REFUSES("no_entry", "no symbol orderhub_plugin_entry");
}
END_TEST

START_TEST(refuses_missing_mandatory_op)
{
    REFUSES("missing_op", "missing mandatory operation payment.refund_parse");
}
END_TEST

START_TEST(refuses_unknown_kind)
{
    REFUSES("unknown_kind", "unknown plugin kind 9");
}
END_TEST

START_TEST(refuses_kind_without_ops)
{
    REFUSES("no_ops", "filter plugin without its .filter operations table");
}
END_TEST

START_TEST(refuses_bad_setting_default)
{
    REFUSES("bad_default", "setting 'count'", "default 'three' must be an integer");
}
END_TEST

START_TEST(refuses_missing_file)
{
    char err[1024];
    const ldr_module *m = NULL;
    const char *dirs[] = {tu_env("TEST_PLUGIN_DIR"), "/nonexistent/dir"};
    ck_assert_int_eq(ldr_find(&reg, "no_such_plugin", dirs, 2, &m, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "no_such_plugin.so: no such file") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "/nonexistent/dir") != NULL, "searched dirs not named: %s", err);
    ck_assert_int_eq(ldr_open(&reg, "/nonexistent/x.so", &m, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "/nonexistent/x.so") != NULL, "%s", err);
}
END_TEST

START_TEST(refuses_non_plugin_file)
{
    char *dir = tu_tmpdir();
    char *path = tu_write(dir, "junk.so", "this is not an ELF file\n");
    char err[1024];
    const ldr_module *m = NULL;
    ck_assert_int_eq(ldr_open(&reg, path, &m, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "cannot load") != NULL && strstr(err, path) != NULL, "%s", err);
    free(path);
    tu_rmdir(dir);
}
END_TEST

START_TEST(refuses_name_not_matching_file)
{
    char *dir = tu_tmpdir();
    char *src = test_plugin("test_filter");
    char *copy = NULL, *cmd = NULL;
    ck_assert_int_ge(asprintf(&copy, "%s/renamed.so", dir), 0);
    ck_assert_int_ge(asprintf(&cmd, "cp '%s' '%s'", src, copy), 0);
    ck_assert_int_eq(system(cmd), 0);
    char err[1024];
    const ldr_module *m = NULL;
    const char *dirs[] = {dir};
    ck_assert_int_eq(ldr_find(&reg, "renamed", dirs, 1, &m, err, sizeof(err)), -1);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err, "names the plugin 'test_filter', not 'renamed'") != NULL, "%s", err);
    free(cmd);
    free(copy);
    free(src);
    tu_rmdir(dir);
}
END_TEST

START_TEST(find_searches_in_order)
{
    char err[1024];
    const ldr_module *m = NULL;
    const char *dirs[] = {"/nonexistent", tu_env("TEST_PLUGIN_DIR")};
    ck_assert_msg(ldr_find(&reg, "test_payment", dirs, 2, &m, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(m->desc.kind, OH_KIND_PAYMENT);
    ck_assert_int_eq(ldr_find(&reg, "../etc/passwd", dirs, 2, &m, err, sizeof(err)), -1);
}
END_TEST

START_TEST(real_plugins_load)
{
    static const char *const names[] = {"payment_sandbox", "carrier_sandbox", "notify_log",
                                        "filter_limits"};
    static const oh_plugin_kind kinds[] = {OH_KIND_PAYMENT, OH_KIND_CARRIER, OH_KIND_NOTIFIER,
                                           OH_KIND_FILTER};
    const char *dirs[] = {tu_env("PLUGIN_DIR")};
    for (size_t i = 0; i < 4; i++) {
        char err[1024];
        const ldr_module *m = NULL;
        ck_assert_msg(ldr_find(&reg, names[i], dirs, 1, &m, err, sizeof(err)) == 0, "%s", err);
        ck_assert_str_eq(m->desc.name, names[i]);
        ck_assert_int_eq(m->desc.kind, kinds[i]);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("loader");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, valid_plugin_loads);
    tcase_add_test(tc, describe_lists_schema);
    tcase_add_test(tc, refuses_newer_major);
    tcase_add_test(tc, refuses_older_major);
    tcase_add_test(tc, refuses_newer_minor);
    tcase_add_test(tc, refuses_small_struct);
    tcase_add_test(tc, refuses_big_struct);
    tcase_add_test(tc, refuses_missing_entry_symbol);
    tcase_add_test(tc, refuses_missing_mandatory_op);
    tcase_add_test(tc, refuses_unknown_kind);
    tcase_add_test(tc, refuses_kind_without_ops);
    tcase_add_test(tc, refuses_bad_setting_default);
    tcase_add_test(tc, refuses_missing_file);
    tcase_add_test(tc, refuses_non_plugin_file);
    tcase_add_test(tc, refuses_name_not_matching_file);
    tcase_add_test(tc, find_searches_in_order);
    tcase_add_test(tc, real_plugins_load);
    tcase_add_test(tc, older_carrier_has_no_void);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
