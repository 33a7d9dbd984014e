/*
 * check_config_limits - hostile configuration files are refused fast with file:line: a FIFO
 * (or a directory) named by a file: secret or an @include, and every limit of
 * orderhub.conf(5) LIMITS.  A hang fails through check's per-test timeout; the slow cases
 * also measure their own time.
 */
#include "config.h"

#include "runtime/runtime.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static ldr_registry reg;
static char *dir;
static diag_list d;

static void setup(void)
{
    ldr_registry_init(&reg);
    dir = tu_tmpdir();
    memset(&d, 0, sizeof(d));
}

static void teardown(void)
{
    diag_free(&d);
    tu_rmdir(dir);
    ldr_registry_free(&reg);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static rt_gen *build_text(const char *name, const char *text)
{
    char *path = tu_write(dir, name, text);
    const char *dirs[] = {tu_env("TEST_PLUGIN_DIR"), tu_env("PLUGIN_DIR")};
    rt_build_opts opts = {.extra_dirs = dirs, .extra_dir_count = 2, .init = 1};
    rt_gen *g = rt_build(&reg, path, &opts, &d);
    free(path);
    return g;
}

/* Expect `text` (as main.conf) refused within max_s, with FILE:LINE: ...NEEDLE among the
 * errors, FILE being main.conf in the test directory unless `file` says otherwise. */
static void expect_refused(const char *text, const char *file, int line, const char *needle,
                           double max_s)
{
    double t0 = now_s();
    rt_gen *g = build_text("main.conf", text);
    double took = now_s() - t0;
    ck_assert_msg(g == NULL, "config was accepted");
    char where[512];
    if (file == NULL)
        snprintf(where, sizeof(where), "%s/main.conf:%d: ", dir, line);
    else
        snprintf(where, sizeof(where), "%s:%d: ", file, line);
    int found = 0;
    for (size_t i = 0; i < d.count; i++) {
        const char *t = d.items[i].text;
        found |= strncmp(t, where, strlen(where)) == 0 && strstr(t, needle) != NULL;
    }
    ck_assert_msg(found, "expected \"%s...%s\" among:%s", where, needle, tu_diag_dump(&d));
    ck_assert_msg(took < max_s, "refusal took %.2f s (limit %.2f s)", took, max_s);
}

static void make_fifo(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
}

#define GOOD_FILTER "{ id = \"f\"; module = \"test_filter\"; settings = { greeting = \"hi\"; }; }"

START_TEST(fifo_as_plugin_secret)
{
    make_fifo("secret.fifo");
    expect_refused("plugins = ( { id = \"f\"; module = \"test_filter\"; settings = {\n"
                   "  greeting = \"hi\";\n  secret = \"file:secret.fifo\"; }; } );\n",
                   NULL, 3, "setting 'secret': cannot read secret file", 2.0);
    ck_assert_ptr_nonnull(strstr(tu_diag_dump(&d), "secret.fifo: it is a FIFO, not a regular "
                                                   "file"));
}
END_TEST

START_TEST(fifo_as_api_token)
{
    make_fifo("token.fifo");
    expect_refused("api = { tokens = ( { name = \"ops\"; role = \"admin\";\n"
                   "  token = \"file:token.fifo\"; } ); };\n",
                   NULL, 2, "it is a FIFO, not a regular file", 2.0);
}
END_TEST

START_TEST(directory_as_secret)
{
    expect_refused("plugins = ( { id = \"f\"; module = \"test_filter\"; settings = {\n"
                   "  greeting = \"hi\"; secret = \"file:.\"; }; } );\n",
                   NULL, 2, "it is a directory, not a regular file", 2.0);
}
END_TEST

START_TEST(secret_over_limit)
{
    char *big = malloc(70 * 1024 + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'k', 70 * 1024);
    big[70 * 1024] = '\0';
    free(tu_write(dir, "big.secret", big));
    free(big);
    expect_refused("plugins = ( { id = \"f\"; module = \"test_filter\"; settings = {\n"
                   "  greeting = \"hi\"; secret = \"file:big.secret\"; }; } );\n",
                   NULL, 2, "it is larger than 65536 bytes", 2.0);
}
END_TEST

START_TEST(fifo_as_include)
{
    make_fifo("extra.fifo");
    expect_refused("plugins = (\n " GOOD_FILTER "\n);\n@include \"extra.fifo\"\n", NULL, 4,
                   "@include \"extra.fifo\": cannot read", 2.0);
    ck_assert_ptr_nonnull(strstr(tu_diag_dump(&d), "it is a FIFO, not a regular file"));
}
END_TEST

START_TEST(fifo_in_nested_include)
{
    make_fifo("deep.fifo");
    free(tu_write(dir, "a.conf", "# first\n\n@include \"deep.fifo\"\n"));
    expect_refused("@include \"a.conf\"\n", "a.conf", 3, "@include \"deep.fifo\"", 2.0);
}
END_TEST

/* The spliced text maps every line back: main file, include, nested include, and the lines
 * after each @include. */
START_TEST(include_lines_map_back)
{
    free(tu_write(dir, "one.conf", "\nfirst = 1;\n@include \"two.conf\"\nthird = 3;\n"));
    free(tu_write(dir, "two.conf", "\n\nsecond = 2;"));
    rt_gen *g = build_text("main.conf", "/* @include \"commented-out.conf\" */\n"
                                        "zero = \"\n@include \\\"in a string\\\"\";\n"
                                        "  @include \"one.conf\"   # trailing\nfourth = 4;\n");
    ck_assert_ptr_null(g);
    char want[4][256];
    snprintf(want[0], sizeof(want[0]), "%s/main.conf:2: unknown setting 'zero'", dir);
    snprintf(want[1], sizeof(want[1]), "one.conf:2: unknown setting 'first'");
    snprintf(want[2], sizeof(want[2]), "two.conf:3: unknown setting 'second'");
    snprintf(want[3], sizeof(want[3]), "%s/main.conf:5: unknown setting 'fourth'", dir);
    const char *dump = tu_diag_dump(&d);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(strstr(dump, want[i]) != NULL, "expected %s in:%s", want[i], dump);
    ck_assert_msg(strstr(dump, "one.conf:4: unknown setting 'third'") != NULL, "%s", dump);
}
END_TEST

START_TEST(include_nesting_limit)
{
    free(tu_write(dir, "self.conf", "@include \"self.conf\"\n"));
    expect_refused("@include \"self.conf\"\n", "self.conf", 1, "includes nested more than 10 deep",
                   2.0);
}
END_TEST

/* 40,000 unknown settings in one group took over a minute before the limit. */
START_TEST(huge_group_refused_fast)
{
    size_t cap = 40000 * 24 + 64, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "engine = {\n");
    for (int i = 0; i < 40000; i++)
        len += (size_t)snprintf(text + len, cap - len, "unknown_%d = 1;\n", i);
    snprintf(text + len, cap - len, "};\n");
    expect_refused(text, NULL, 258, "more than 256 settings in one group", 2.0);
    free(text);
}
END_TEST

START_TEST(too_many_entries_refused)
{
    size_t cap = 60000 * 2 + 64, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len, "plugin_path = [\n");
    for (int i = 0; i < 60000; i++)
        len += (size_t)snprintf(text + len, cap - len, "1,");
    snprintf(text + len, cap - len, "1];\n");
    expect_refused(text, NULL, 2, "more than 50000 settings and list elements", 2.0);
    free(text);
}
END_TEST

/* A 10 MB string took over a minute in libconfig's scanner before the size limit. */
START_TEST(huge_file_refused_fast)
{
    size_t n = 10 * 1000 * 1000;
    char *text = malloc(n + 64);
    ck_assert_ptr_nonnull(text);
    int head = snprintf(text, 64, "pid_file = \"");
    memset(text + head, 'a', n);
    snprintf(text + head + n, 64, "\";\n");
    double t0 = now_s();
    rt_gen *g = build_text("main.conf", text);
    double took = now_s() - t0;
    free(text);
    ck_assert_ptr_null(g);
    ck_assert_msg(strstr(tu_diag_dump(&d), "main.conf: larger than 1048576 bytes") != NULL,
                  "%s", tu_diag_dump(&d));
    ck_assert_msg(took < 2.0, "refusal took %.2f s", took);
}
END_TEST

START_TEST(include_counts_toward_size)
{
    size_t n = 700 * 1024;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, '\n', n);
    text[n] = '\0';
    free(tu_write(dir, "pad.conf", text));
    free(text);
    expect_refused("@include \"pad.conf\"\n\n@include \"pad.conf\"\n", NULL, 3,
                   "the main file and its includes together are larger than 1048576 bytes",
                   2.0);
}
END_TEST

START_TEST(long_string_refused)
{
    size_t n = 70 * 1024;
    char *text = malloc(n + 128);
    ck_assert_ptr_nonnull(text);
    int head = snprintf(text, 128, "plugins = ( " GOOD_FILTER " );\npid_file = \"ab\"\n  \"");
    memset(text + head, 'a', n);
    snprintf(text + head + n, 128, "\";\n");
    expect_refused(text, NULL, 3, "a string longer than 65536 bytes", 2.0);
    free(text);
}
END_TEST

START_TEST(nesting_limit)
{
    char text[512];
    int n = snprintf(text, sizeof(text), "x = ");
    for (int i = 0; i < 40; i++)
        text[n++] = '[';
    text[n] = '\0';
    expect_refused(text, NULL, 1, "nested more than 32 deep", 2.0);
}
END_TEST

START_TEST(nul_byte_refused)
{
    char *path = tu_write(dir, "main.conf", "listen = \"127.0.0.1:0\";\nx = 1;\n");
    FILE *f = fopen(path, "r+");
    ck_assert_ptr_nonnull(f);
    fseek(f, 26, SEEK_SET);
    fputc('\0', f);
    fclose(f);
    const char *dirs[] = {tu_env("TEST_PLUGIN_DIR"), tu_env("PLUGIN_DIR")};
    rt_build_opts opts = {.extra_dirs = dirs, .extra_dir_count = 2, .init = 1};
    ck_assert_ptr_null(rt_build(&reg, path, &opts, &d));
    free(path);
    ck_assert_msg(strstr(tu_diag_dump(&d), "main.conf:2: the file contains a NUL byte") != NULL,
                  "%s", tu_diag_dump(&d));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_limits");
    TCase *tc = tcase_create("config_limits");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fifo_as_plugin_secret);
    tcase_add_test(tc, fifo_as_api_token);
    tcase_add_test(tc, directory_as_secret);
    tcase_add_test(tc, secret_over_limit);
    tcase_add_test(tc, fifo_as_include);
    tcase_add_test(tc, fifo_in_nested_include);
    tcase_add_test(tc, include_lines_map_back);
    tcase_add_test(tc, include_nesting_limit);
    tcase_add_test(tc, huge_group_refused_fast);
    tcase_add_test(tc, too_many_entries_refused);
    tcase_add_test(tc, huge_file_refused_fast);
    tcase_add_test(tc, include_counts_toward_size);
    tcase_add_test(tc, long_string_refused);
    tcase_add_test(tc, nesting_limit);
    tcase_add_test(tc, nul_byte_refused);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
