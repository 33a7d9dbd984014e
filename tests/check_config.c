/*
 * check_config - every configuration error path reports file:line and the setting, every
 * secret stays hidden, and a reload swaps generations atomically or not at all.
 */
#include "config.h"

#include "config/config_inventory.h"
#include "config/config_sla.h"
#include "engine/router.h"
#include "runtime/runtime.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A valid instance of the test filter, to prefix configs that test something else. */
#define GOOD_FILTER "{ id = \"f\"; module = \"test_filter\"; settings = { greeting = \"hi\"; }; }"

static rt_gen *build_text(const char *name, const char *text)
{
    char *path = tu_write(dir, name, text);
    const char *dirs[] = {tu_env("TEST_PLUGIN_DIR"), tu_env("PLUGIN_DIR")};
    rt_build_opts opts = {.extra_dirs = dirs, .extra_dir_count = 2, .init = 1};
    rt_gen *g = rt_build(&reg, path, &opts, &d);
    free(path);
    return g;
}

/* Build `text` as main.conf; expect failure with an entry containing main.conf:LINE: NEEDLE. */
static void expect_error(const char *text, int line, const char *needle)
{
    rt_gen *g = build_text("main.conf", text);
    ck_assert_msg(g == NULL, "config was accepted:\n%s", text);
    char where[512];
    snprintf(where, sizeof(where), "%s/main.conf:%d: ", dir, line);
    int found = 0;
    for (size_t i = 0; i < d.count; i++) {
        const char *t = d.items[i].text;
        found |= strncmp(t, where, strlen(where)) == 0 && strstr(t, needle) != NULL;
    }
    ck_assert_msg(found, "expected \"%s...%s\" among:%s", where, needle, tu_diag_dump(&d));
}

START_TEST(valid_config_builds)
{
    rt_gen *g = build_text("main.conf",
                           "listen = \"127.0.0.1:9000\";\n"
                           "plugins = ( " GOOD_FILTER ",\n"
                           "  { id = \"pay\"; module = \"test_payment\";\n"
                           "    settings = { greeting = \"p\"; count = 10; ratio = 2; }; } );\n"
                           "routes = ( { on = \"order.placed\"; chain = [\"f\", \"pay\"]; },\n"
                           "           { on = \"shipment.*\"; chain = [\"f\"]; } );\n"
                           "sla = { ship_by_hours = 24; };\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_uint_eq(g->instance_count, 2);
    ck_assert_uint_eq(g->route_count, 2);
    ck_assert_int_eq(g->cfg->ship_by_ms, 24 * 3600000);
    ck_assert_int_eq(g->cfg->delivery_confirm_ms, CFG_DEFAULT_DELIVERY_CONFIRM_MS);
    struct oh_instance *pay = rt_instance(g, "pay");
    ck_assert_int_eq(set_get_int(pay->settings, "count"), 10);
    ck_assert(set_get_double(pay->settings, "ratio") == 2.0);
    ck_assert_int_eq(set_get_int(rt_instance(g, "f")->settings, "count"), 3); /* default */
    ck_assert_ptr_eq(g->routes[0].chain[1], pay);
    ck_assert(g->instances[0].initialised && g->instances[1].initialised);
    rt_gen_unref(g);
}
END_TEST

START_TEST(syntax_error_has_line)
{
    expect_error("listen = \"127.0.0.1:1\";\nplugins = ( { id = \"x\" } \n", 3, "syntax error");
}
END_TEST

START_TEST(missing_file)
{
    const char *dirs[] = {tu_env("TEST_PLUGIN_DIR")};
    rt_build_opts opts = {.extra_dirs = dirs, .extra_dir_count = 1, .init = 1};
    ck_assert_ptr_null(rt_build(&reg, "/nonexistent/orderhub.conf", &opts, &d));
    ck_assert(tu_diag_has(&d, "/nonexistent/orderhub.conf: No such file"));
}
END_TEST

START_TEST(unknown_top_level_key)
{
    expect_error("listen = \"127.0.0.1:1\";\n\nlisten_port = 8;\n", 3,
                 "unknown setting 'listen_port' in the top level");
}
END_TEST

START_TEST(bad_listen)
{
    expect_error("\nlisten = \"127.0.0.1:99999\";\n", 2, "listen: '127.0.0.1:99999'");
}
END_TEST

START_TEST(bad_store_driver)
{
    expect_error("store = {\n driver = \"oracle\"; };\n", 2, "unknown driver 'oracle'");
}
END_TEST

START_TEST(bad_sla)
{
    expect_error("sla = {\n ship_by_hours = -1; };\n", 2, "'ship_by_hours' must be between");
    diag_free(&d);
    diag_free(&d);
    expect_error("sla = {\n delivery_confirm_days = \"30\"; };\n", 2, "must be an integer");
    diag_free(&d);
    expect_error("sla = {\n ship_by = 72; };\n", 2, "'ship_by' must be a duration string");
    diag_free(&d);
    expect_error("sla = {\n ship_by = \"72\"; };\n", 2, "has no unit");
    diag_free(&d);
    expect_error("sla = {\n ship_by = \"91d\"; };\n", 2, "is more than 90d");
    diag_free(&d);
    expect_error("sla = {\n ship_by = \"0s\"; };\n", 2, "is less than 1s");
    diag_free(&d);
    expect_error("sla = { ship_by = \"1h\";\n ship_by_hours = 2; };\n", 2,
                 "'ship_by_hours' and 'ship_by' are the same duration");
    diag_free(&d);
    expect_error("sla = {\n ship_by_minutes = 5; };\n", 2, "ship_by_minutes");
}
END_TEST

/* Durations with units, the older integer keys, and the defaults of the rest. */
START_TEST(sla_durations)
{
    rt_gen *g = build_text("main.conf", "sla = { ship_by = \"90s\"; delivery_confirm = \"30m\";\n"
                                        "  return_window = \"0s\"; payment_retry_hours = 2;\n"
                                        "  tracking_expire_days = 3; };\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_int_eq(g->cfg->ship_by_ms, 90000);
    ck_assert_int_eq(g->cfg->delivery_confirm_ms, 1800000);
    ck_assert_int_eq(g->cfg->return_window_ms, 0);
    ck_assert_int_eq(g->cfg->payment_retry_ms, 2 * 3600000);
    ck_assert_int_eq(g->cfg->tracking_expire_ms, 3 * INT64_C(86400000));
    ck_assert_int_eq(g->cfg->return_auto_approve_ms, CFG_DEFAULT_RETURN_AUTO_APPROVE_MS);
    rt_gen_unref(g);
}
END_TEST

START_TEST(bad_sla_policy)
{
    expect_error("sla = {\n on_breach = \"refund\"; };\n", 2,
                 "on_breach 'refund' is not \"record\" or \"cancel\"");
    expect_error("sla = { on_breach = \"cancel\";\n cancel_grace = \"31d\"; };\n", 2,
                 "is more than 30d");
    expect_error("sla = {\n cancel_grace = 7200; };\n", 2, "must be a duration string");
    expect_error("sla = { sellers = (\n { id = \"s-1\"; on_breach = \"cancel\";\n"
                 "   grace = \"1h\"; } ); };\n", 3, "grace");
    expect_error("sla = { sellers = (\n { on_breach = \"cancel\"; } ); };\n", 2, "id");
    expect_error("sla = { sellers = (\n { id = \"s-1\"; } ); };\n", 2,
                 "needs its on_breach or cancel_grace");
    expect_error("sla = { sellers = ( { id = \"s-1\"; on_breach = \"cancel\"; },\n"
                 " { id = \"s-1\"; on_breach = \"record\"; } ); };\n", 2, "listed twice");
    expect_error("sla = { sellers = (\n { id = \"s-1\"; on_breach = \"never\"; } ); };\n", 2,
                 "on_breach 'never'");
    expect_error("sla = {\n sellers = { id = \"s-1\"; }; };\n", 2, "must be a list");
}
END_TEST

/* The breach policy: record by default, the group's, and a seller's own settings. */
START_TEST(sla_policy)
{
    rt_gen *g = build_text("main.conf", "listen = \"127.0.0.1:0\";\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    int64_t grace = -1;
    ck_assert_int_eq(cfg_sla_cancels(g->cfg, "s-1", &grace), 0);
    ck_assert_int_eq(grace, CFG_DEFAULT_SLA_CANCEL_GRACE_MS);
    rt_gen_unref(g);
    g = build_text("main.conf", "sla = { on_breach = \"cancel\"; cancel_grace = \"2h\";\n"
                                "  sellers = ( { id = \"s-1\"; cancel_grace = \"1h\"; },\n"
                                "    { id = \"s-2\"; on_breach = \"record\"; } ); };\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_int_eq(cfg_sla_cancels(g->cfg, "s-1", &grace), 1);
    ck_assert_int_eq(grace, 3600000);
    ck_assert_int_eq(cfg_sla_cancels(g->cfg, "s-2", NULL), 0);
    ck_assert_int_eq(cfg_sla_cancels(g->cfg, "s-3", &grace), 1);
    ck_assert_int_eq(grace, 7200000);
    ck_assert_int_eq(cfg_sla_cancels(g->cfg, NULL, NULL), 1);
    rt_gen_unref(g);
}
END_TEST

START_TEST(bad_inventory)
{
    expect_error("inventory = {\n untracked = \"maybe\"; };\n", 2,
                 "untracked 'maybe' is not \"unlimited\" or \"refuse\"");
    expect_error("inventory = {\n untracked = \"refuse\";\n limit = 3; };\n", 3, "limit");
    expect_error("inventory = 5;\n", 1, "inventory must be a group");
    expect_error("inventory = { sellers = (\n { id = \"s-1\"; untracked = \"refuse\";\n"
                 "   color = \"red\"; } ); };\n", 3, "color");
    expect_error("inventory = { sellers = (\n { untracked = \"refuse\"; } ); };\n", 2, "id");
    expect_error("inventory = { sellers = (\n { id = \"s-1\"; } ); };\n", 2,
                 "needs its untracked setting");
    expect_error("inventory = { sellers = ( { id = \"s-1\"; untracked = \"refuse\"; },\n"
                 " { id = \"s-1\"; untracked = \"unlimited\"; } ); };\n", 2, "listed twice");
    expect_error("inventory = { sellers = { id = \"s-1\"; }; };\n", 1, "must be a list");
}
END_TEST

/* Untracked SKUs: unlimited by default; the group's setting; a seller's own wins. */
START_TEST(inventory_settings)
{
    rt_gen *g = build_text("main.conf", "listen = \"127.0.0.1:0\";\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_int_eq(cfg_inventory_refuses(g->cfg, "s-1"), 0);
    rt_gen_unref(g);
    g = build_text("main.conf", "inventory = { untracked = \"refuse\"; sellers = (\n"
                                "  { id = \"s-2\"; untracked = \"unlimited\"; } ); };\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_int_eq(cfg_inventory_refuses(g->cfg, "s-1"), 1);
    ck_assert_int_eq(cfg_inventory_refuses(g->cfg, "s-2"), 0);
    ck_assert_int_eq(cfg_inventory_refuses(g->cfg, ""), 1);
    rt_gen_unref(g);
}
END_TEST

START_TEST(bad_log_level)
{
    expect_error("log = {\n level = \"loud\"; };\n", 2, "level 'loud' is not one of");
}
END_TEST

START_TEST(instance_without_module)
{
    expect_error("plugins = (\n { id = \"a\"; } );\n", 2, "'module' is missing");
}
END_TEST

START_TEST(instance_unknown_member)
{
    expect_error("plugins = ( " GOOD_FILTER ",\n { id = \"a\"; module = \"test_filter\";\n"
                 "   setings = { greeting = \"x\"; }; } );\n",
                 3, "unknown setting 'setings' in a plugin instance");
}
END_TEST

START_TEST(duplicate_instance_id)
{
    expect_error("plugins = ( " GOOD_FILTER ",\n" GOOD_FILTER " );\n", 2,
                 "duplicate plugin instance id 'f'");
}
END_TEST

START_TEST(bad_instance_id)
{
    expect_error("plugins = (\n { id = \"a b\"; module = \"test_filter\"; } );\n", 2,
                 "plugin instance id 'a b' is not");
}
END_TEST

START_TEST(unknown_module)
{
    expect_error("plugins = (\n { id = \"a\"; module = \"nope\"; } );\n", 2,
                 "plugin instance 'a': nope.so: no such file in the plugin path");
}
END_TEST

START_TEST(refused_module_reported_with_line)
{
    expect_error("plugins = (\n { id = \"a\"; module = \"bad_major\"; } );\n", 2,
                 "major versions differ");
}
END_TEST

START_TEST(unknown_plugin_setting)
{
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                 "  greeting = \"x\";\n  greting = \"y\"; }; } );\n",
                 3, "instance 'a': unknown setting 'greting' (this plugin knows: greeting,");
}
END_TEST

START_TEST(wrong_setting_type)
{
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                 "  greeting = \"x\";\n  count = \"three\"; }; } );\n",
                 3, "setting 'count': must be of type int");
    diag_free(&d);
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                 "  greeting = 5; }; } );\n",
                 2, "setting 'greeting': must be of type string");
}
END_TEST

START_TEST(setting_out_of_range)
{
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                 "  greeting = \"x\";\n  count = 11; }; } );\n",
                 3, "setting 'count': must be between 1 and 10");
}
END_TEST

START_TEST(missing_required_setting)
{
    expect_error("plugins = (\n { id = \"a\"; module = \"test_filter\"; } );\n", 2,
                 "instance 'a': required setting 'greeting' is missing");
}
END_TEST

START_TEST(env_reference_unset)
{
    unsetenv("OH_TEST_UNSET_VAR");
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                 "  greeting = \"env:OH_TEST_UNSET_VAR\"; }; } );\n",
                 2, "environment variable 'OH_TEST_UNSET_VAR' is not set");
}
END_TEST

START_TEST(file_reference_unreadable)
{
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                 "  greeting = \"x\"; secret = \"file:missing.secret\"; }; } );\n",
                 2, "cannot read secret file");
}
END_TEST

START_TEST(secrets_resolved_and_redacted)
{
    const char *env_secret = "s3cr3t-from-env-VALUE";
    const char *file_secret = "s3cr3t-from-file-VALUE";
    setenv("OH_TEST_SECRET", env_secret, 1);
    char *secret_text = NULL;
    ck_assert_int_ge(asprintf(&secret_text, "%s\n", file_secret), 0);
    free(tu_write(dir, "hook.secret", secret_text));
    free(secret_text);
    rt_gen *g = build_text("main.conf",
                           "plugins = (\n"
                           " { id = \"a\"; module = \"test_filter\"; settings = {\n"
                           "   greeting = \"env:OH_TEST_SECRET\"; secret = \"env:OH_TEST_SECRET\"; }; },\n"
                           " { id = \"b\"; module = \"test_filter\"; settings = {\n"
                           "   greeting = \"b\"; secret = \"file:hook.secret\"; count = \"env:OH_TEST_COUNT\"; }; } );\n");
    ck_assert_msg(g == NULL, "unset env for an int must fail");
    ck_assert(tu_diag_has(&d, "environment variable 'OH_TEST_COUNT' is not set"));
    diag_free(&d);
    setenv("OH_TEST_COUNT", "7", 1);
    g = build_text("main2.conf",
                   "plugins = (\n"
                   " { id = \"a\"; module = \"test_filter\"; settings = {\n"
                   "   greeting = \"env:OH_TEST_SECRET\"; secret = \"env:OH_TEST_SECRET\"; }; },\n"
                   " { id = \"b\"; module = \"test_filter\"; settings = {\n"
                   "   greeting = \"b\"; secret = \"file:hook.secret\"; count = \"env:OH_TEST_COUNT\"; }; } );\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    /* Resolved for the plugin ... */
    ck_assert_str_eq(set_get_string(rt_instance(g, "a")->settings, "secret"), env_secret);
    ck_assert_str_eq(set_get_string(rt_instance(g, "b")->settings, "secret"), file_secret);
    ck_assert_int_eq(set_get_int(rt_instance(g, "b")->settings, "count"), 7);
    /* ... but never printed: the non-sensitive greeting shows, the secrets do not. */
    json_t *j = rt_describe(g);
    char *text = json_dumps(j, JSON_COMPACT);
    ck_assert_ptr_nonnull(strstr(text, "\"greeting\":\"s3cr3t-from-env-VALUE\""));
    ck_assert_ptr_null(strstr(text, file_secret));
    ck_assert_ptr_nonnull(strstr(text, "\"secret\":\"***\""));
    free(text);
    json_decref(j);
    rt_gen_unref(g);
    unsetenv("OH_TEST_SECRET");
    unsetenv("OH_TEST_COUNT");
}
END_TEST

START_TEST(literal_secret_warns_without_echo)
{
    rt_gen *g = build_text("main.conf",
                           "plugins = ( { id = \"a\"; module = \"test_filter\"; settings = {\n"
                           "  greeting = \"x\";\n  secret = \"literal-SECRET-42\"; }; } );\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert(tu_diag_has(&d, "sensitive setting 'secret' is written in the file"));
    ck_assert(!tu_diag_has(&d, "literal-SECRET-42"));
    ck_assert(!diag_failed(&d));
    rt_gen_unref(g);
}
END_TEST

START_TEST(route_unknown_event)
{
    expect_error("plugins = ( " GOOD_FILTER " );\nroutes = (\n"
                 " { on = \"order.shipped\"; chain = [\"f\"]; } );\n",
                 3, "'on' = \"order.shipped\" is no lifecycle event");
}
END_TEST

START_TEST(route_unknown_instance)
{
    expect_error("plugins = ( " GOOD_FILTER " );\nroutes = ( { on = \"order.placed\";\n"
                 " chain = [\"f\", \"ghost\"]; } );\n",
                 3, "unknown plugin instance 'ghost'");
}
END_TEST

START_TEST(route_empty_chain)
{
    expect_error("plugins = ( " GOOD_FILTER " );\nroutes = ( { on = \"order.placed\";\n"
                 " chain = [ ]; } );\n",
                 3, "'chain' must be a non-empty list");
}
END_TEST

START_TEST(route_wrong_kind)
{
    /* A payment plugin may void on order.cancelled, but not act on every shipment event. */
    const char *pay = "{ id = \"pay\"; module = \"test_payment\"; settings = { greeting = \"p\"; }; }";
    char text[1024];
    snprintf(text, sizeof(text),
             "plugins = ( %s );\nroutes = ( { on = \"order.cancelled\"; chain = [\"pay\"]; },\n"
             " { on = \"shipment.*\";\n chain = [\"pay\"]; } );\n", pay);
    expect_error(text, 4, "instance 'pay' is a payment plugin (test_payment), which cannot act "
                          "on 'shipment.*'");
    ck_assert_uint_eq(d.errors, 1); /* the order.cancelled route is fine */
}
END_TEST

START_TEST(route_when_conditions)
{
    rt_gen *g = build_text("main.conf", "plugins = ( " GOOD_FILTER " );\n"
                           "routes = ( { on = \"shipment.*\"; chain = [\"f\"];\n"
                           "  when = { country = [\"US\", \"CA\"]; seller = \"s-1\"; }; } );\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    const rt_route *r = &g->routes[0];
    json_t *us = json_pack("{s:{s:s}, s:{s:s}}", "seller", "id", "s-1", "shipping_address",
                           "country", "US");
    json_t *de = json_pack("{s:{s:s}, s:{s:s}}", "seller", "id", "s-1", "shipping_address",
                           "country", "DE");
    json_t *other = json_pack("{s:{s:s}, s:{s:s}}", "seller", "id", "s-2", "shipping_address",
                              "country", "CA");
    ck_assert(router_matches(r, "shipment.delivered", us));
    ck_assert(!router_matches(r, "order.placed", us));
    ck_assert(!router_matches(r, "shipment.delivered", de));
    ck_assert(!router_matches(r, "shipment.delivered", other));
    json_decref(us);
    json_decref(de);
    json_decref(other);
    rt_gen_unref(g);
    diag_free(&d);
    expect_error("plugins = ( " GOOD_FILTER " );\nroutes = ( { on = \"order.placed\"; "
                 "chain = [\"f\"];\n when = { planet = \"mars\"; }; } );\n",
                 3, "unknown setting 'planet' in a route's when");
    diag_free(&d);
    expect_error("plugins = ( " GOOD_FILTER " );\nroutes = ( { on = \"order.placed\"; "
                 "chain = [\"f\"];\n when = { country = [ ]; }; } );\n",
                 3, "when.country must be a non-empty string or a list");
}
END_TEST

START_TEST(instance_limits)
{
    rt_gen *g = build_text("main.conf",
                           "plugins = ( { id = \"a\"; module = \"test_filter\"; settings = { greeting = \"x\"; };\n"
                           "  limits = { concurrency = 3; rate_per_s = 2.5; timeout_ms = 900;\n"
                           "             insecure_tls = true; }; } );\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    const struct oh_instance *a = rt_instance(g, "a");
    ck_assert_int_eq(a->limits.concurrency, 3);
    ck_assert(a->limits.rate_per_s == 2.5);
    ck_assert_int_eq(a->limits.timeout_ms, 900);
    ck_assert_int_eq(a->limits.insecure_tls, 1);
    ck_assert(tu_diag_has(&d, "main.conf:3: instance 'a': insecure_tls = true turns TLS"));
    rt_gen_unref(g);
    diag_free(&d);
    expect_error("plugins = ( { id = \"a\"; module = \"test_filter\"; settings = { greeting = \"x\"; };\n"
                 "  limits = {\n concurrency = 0; }; } );\n", 3,
                 "'concurrency' must be between 1 and 1024");
}
END_TEST

/* audience: notifiers only; a route's wins over its instances'; neither: unset (seller). */
START_TEST(notifier_audience)
{
    rt_gen *g = build_text("main.conf",
                           "plugins = ( " GOOD_FILTER ",\n"
                           "  { id = \"n\"; module = \"notify_log\"; audience = \"buyer\";\n"
                           "    settings = { path = \"/nonexistent/n.jsonl\"; }; } );\n"
                           "routes = ( { on = \"order.confirmed\"; chain = [\"f\", \"n\"]; },\n"
                           "  { on = \"order.placed\"; chain = [\"n\"]; audience = \"operator\"; } );\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_int_eq(rt_instance(g, "n")->audience, CFG_AUDIENCE_BUYER);
    ck_assert_int_eq(rt_instance(g, "f")->audience, CFG_AUDIENCE_UNSET);
    ck_assert_int_eq(g->routes[0].audience, CFG_AUDIENCE_UNSET);
    ck_assert_int_eq(g->routes[1].audience, CFG_AUDIENCE_OPERATOR);
    rt_gen_unref(g);
    diag_free(&d);
    expect_error("plugins = ( { id = \"n\"; module = \"notify_log\";\n"
                 "  audience = \"everyone\"; settings = { path = \"/nonexistent/n.jsonl\"; }; } );\n", 2,
                 "plugin instance: 'audience' must be \"buyer\", \"seller\" or \"operator\"");
    diag_free(&d);
    expect_error("plugins = ( { id = \"f\"; module = \"test_filter\";\n"
                 "  audience = \"seller\"; settings = { greeting = \"hi\"; }; } );\n", 2,
                 "plugin instance 'f': 'audience' is for notifiers, and test_filter is a filter "
                 "plugin");
    diag_free(&d);
    expect_error("plugins = ( " GOOD_FILTER " );\nroutes = ( { on = \"order.placed\"; "
                 "chain = [\"f\"];\n audience = 2; } );\n",
                 3, "route: 'audience' must be \"buyer\", \"seller\" or \"operator\"");
}
END_TEST

START_TEST(api_tokens)
{
    setenv("OH_TEST_TOKEN", "0123456789abcdef-token", 1);
    rt_gen *g = build_text("main.conf",
                           "api = { tokens = (\n"
                           " { name = \"ops\"; role = \"admin\"; token = \"env:OH_TEST_TOKEN\"; },\n"
                           " { name = \"acme\"; role = \"seller:s-1\"; token = \"literal-token-0123456\"; } ); };\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_uint_eq(g->cfg->token_count, 2);
    ck_assert_int_eq(g->cfg->tokens[1].role, CFG_ROLE_SELLER);
    ck_assert_str_eq(g->cfg->tokens[1].seller_id, "s-1");
    ck_assert(tu_diag_has(&d, "main.conf:3: API token 'acme' is written in the file"));
    ck_assert(!tu_diag_has(&d, "literal-token-0123456"));
    rt_gen_unref(g);
    diag_free(&d);
    expect_error("api = { tokens = (\n { name = \"x\"; role = \"root\"; token = \"env:OH_TEST_TOKEN\"; } ); };\n",
                 2, "role 'root' is not admin, support, storefront or seller:ID");
    diag_free(&d);
    expect_error("api = { tokens = (\n { name = \"x\"; role = \"admin\"; token = \"short-one\"; } ); };\n",
                 2, "API token 'x' is shorter than 16 characters");
    diag_free(&d);
    expect_error("api = { tokens = ( { name = \"a\"; role = \"admin\"; token = \"env:OH_TEST_TOKEN\"; },\n"
                 " { name = \"b\"; role = \"support\"; token = \"env:OH_TEST_TOKEN\"; } ); };\n",
                 2, "repeats the name or the secret of 'a'");
    unsetenv("OH_TEST_TOKEN");
}
END_TEST

/* api.connections, api.failed_auth, api.trusted_proxies: defaults, values, errors. */
START_TEST(api_limits)
{
    rt_gen *g = build_text("main.conf", "listen = \"127.0.0.1:0\";\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    const cfg_api_limits *l = &g->cfg->api_limits;
    ck_assert_int_eq(l->max_connections, CFG_DEFAULT_MAX_CONNECTIONS);
    ck_assert_int_eq(l->max_per_client, CFG_DEFAULT_MAX_PER_CLIENT);
    ck_assert_int_eq(l->header_timeout_ms, CFG_DEFAULT_HEADER_TIMEOUT_MS);
    ck_assert_int_eq(l->auth_fail_limit, CFG_DEFAULT_AUTH_FAIL_LIMIT);
    ck_assert_uint_eq(l->trusted_proxy_count, 0);
    rt_gen_unref(g);
    diag_free(&d);
    g = build_text("main.conf",
                   "api = { trusted_proxies = [ \"127.0.0.1\", \"10.0.0.7\" ];\n"
                   "  connections = { max = 200; per_client = 8; header_timeout_ms = 2000;\n"
                   "    body_timeout_ms = 3000; idle_timeout_ms = 4000; busy_idle_timeout_ms = 500; };\n"
                   "  failed_auth = { limit = 5; window_s = 30; block_s = 120; clients = 64; }; };\n");
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    l = &g->cfg->api_limits;
    ck_assert_int_eq(l->max_connections, 200);
    ck_assert_int_eq(l->max_per_client, 8);
    ck_assert_int_eq(l->body_timeout_ms, 3000);
    ck_assert_int_eq(l->busy_idle_timeout_ms, 500);
    ck_assert_int_eq(l->auth_block_s, 120);
    ck_assert_int_eq(l->auth_clients, 64);
    ck_assert_uint_eq(l->trusted_proxy_count, 2);
    ck_assert_uint_eq(l->trusted_proxies[1], inet_addr("10.0.0.7"));
    rt_gen_unref(g);
    diag_free(&d);
    expect_error("api = {\n connections = { max = 8; }; };\n", 2,
                 "'max' must be between 16 and 100000, not 8");
    diag_free(&d);
    expect_error("api = {\n connections = { max = 32; per_client = 64; }; };\n", 2,
                 "per_client (64) must not exceed max (32)");
    diag_free(&d);
    expect_error("api = {\n connections = { keepalive = 1; }; };\n", 2,
                 "unknown setting 'keepalive' in api.connections");
    diag_free(&d);
    expect_error("api = {\n failed_auth = { limit = 0; }; };\n", 2,
                 "'limit' must be between 1 and 1000, not 0");
    diag_free(&d);
    expect_error("api = {\n trusted_proxies = [ \"proxy.example\" ]; };\n", 2,
                 "trusted_proxies entry 1 must be an IPv4 address");
}
END_TEST

START_TEST(include_errors_name_the_included_file)
{
    free(tu_write(dir, "extra.conf", "\n  { id = \"x\"; module = \"test_filter\"; },\n"));
    rt_gen *g = build_text("main.conf", "plugins = (\n@include \"extra.conf\"\n " GOOD_FILTER " );\n");
    ck_assert_ptr_null(g);
    /* libconfig names an included file as the @include wrote it (relative to main.conf). */
    const char *where = "extra.conf:2: instance 'x': required setting 'greeting'";
    ck_assert_msg(strncmp(d.items[0].text, where, strlen(where)) == 0, "expected %s in:%s",
                  where, tu_diag_dump(&d));
}
END_TEST

START_TEST(include_missing_file)
{
    expect_error("plugins = (\n@include \"nowhere.conf\"\n);\n", 2, "");
}
END_TEST

START_TEST(init_failure_reported)
{
    expect_error("plugins = ( " GOOD_FILTER ",\n { id = \"bad\"; module = \"test_filter\"; "
                 "settings = { greeting = \"g\"; fail_init = true; }; } );\n",
                 2, "plugin instance 'bad' (test_filter): init failed: asked to fail (greeting g)");
}
END_TEST

START_TEST(every_init_failure_reported)
{
    rt_gen *g = build_text("main.conf",
        "plugins = (\n { id = \"a\"; module = \"test_filter\"; settings = { greeting = \"a\"; fail_init = true; }; },\n"
        " { id = \"b\"; module = \"test_filter\"; settings = { greeting = \"b\"; fail_init = true; }; } );\n");
    ck_assert_ptr_null(g);
    ck_assert_msg(tu_diag_has(&d, "main.conf:2: plugin instance 'a'") &&
                  tu_diag_has(&d, "main.conf:3: plugin instance 'b'"), "%s", tu_diag_dump(&d));
}
END_TEST

START_TEST(every_error_reported_not_just_first)
{
    rt_gen *g = build_text("main.conf", "listen = \"x\";\nsla = { ship_by_hours = 0; };\n"
                                        "plugins = ( { id = \"a\"; module = \"nope\"; } );\n"
                                        "routes = ( { on = \"bogus\"; chain = [\"zz\"]; } );\n");
    ck_assert_ptr_null(g);
    ck_assert_msg(d.errors >= 4, "only %zu errors:%s", d.errors, tu_diag_dump(&d));
}
END_TEST

START_TEST(one_module_several_instances)
{
    char *trace = NULL;
    ck_assert_int_ge(asprintf(&trace, "%s/trace.log", dir), 0);
    char text[2048];
    snprintf(text, sizeof(text),
             "plugins = (\n"
             " { id = \"one\"; module = \"test_filter\"; settings = { greeting = \"one\"; count = 1; trace_file = \"%s\"; }; },\n"
             " { id = \"two\"; module = \"test_filter\"; settings = { greeting = \"two\"; count = 2; trace_file = \"%s\"; }; } );\n",
             trace, trace);
    rt_gen *g = build_text("main.conf", text);
    ck_assert_msg(g != NULL, "%s", tu_diag_dump(&d));
    ck_assert_ptr_eq(rt_instance(g, "one")->module, rt_instance(g, "two")->module);
    ck_assert_uint_eq(reg.count, 1);
    ck_assert_int_eq(set_get_int(rt_instance(g, "one")->settings, "count"), 1);
    ck_assert_int_eq(set_get_int(rt_instance(g, "two")->settings, "count"), 2);
    ck_assert_ptr_ne(rt_instance(g, "one")->state, rt_instance(g, "two")->state);
    rt_gen_unref(g);
    char *log = tu_read(trace);
    ck_assert_str_eq(log, "init one\ninit two\ndestroy two\ndestroy one\n");
    free(log);
    free(trace);
}
END_TEST

/* Reload: a bad file changes nothing; a good one is initialised before the old goes. */
START_TEST(reload_is_atomic)
{
    char *trace = NULL;
    ck_assert_int_ge(asprintf(&trace, "%s/trace.log", dir), 0);
    char v1[1024], v2[1024];
    snprintf(v1, sizeof(v1), "plugins = ( { id = \"a\"; module = \"test_filter\"; settings = "
             "{ greeting = \"gen1\"; trace_file = \"%s\"; }; } );\n", trace);
    snprintf(v2, sizeof(v2), "plugins = ( { id = \"a\"; module = \"test_filter\"; settings = "
             "{ greeting = \"gen2\"; trace_file = \"%s\"; }; } );\n", trace);
    rt_holder h;
    rt_holder_init(&h);
    rt_gen *g = build_text("main.conf", v1);
    ck_assert_ptr_nonnull(g);
    rt_holder_install(&h, g);

    /* A worker holds generation 1 while reloads happen. */
    rt_gen *held = rt_holder_get(&h);
    ck_assert_ptr_null(build_text("main.conf", "plugins = ( { id = \"a\"; module = \"nope\"; } );\n"));
    ck_assert_ptr_null(build_text("main.conf", "plugins = ( { id = \"a\"; module = \"test_filter\"; "
                                              "settings = { greeting = \"x\"; fail_init = true; }; } );\n"));
    rt_gen *cur = rt_holder_get(&h);
    ck_assert_ptr_eq(cur, held);
    ck_assert_uint_eq(cur->number, 1);
    rt_gen_unref(cur);

    diag_free(&d);
    rt_gen *g2 = build_text("main.conf", v2);
    ck_assert_msg(g2 != NULL, "%s", tu_diag_dump(&d));
    rt_holder_install(&h, g2);
    cur = rt_holder_get(&h);
    ck_assert_uint_eq(cur->number, 2);
    ck_assert_str_eq(set_get_string(rt_instance(cur, "a")->settings, "greeting"), "gen2");
    rt_gen_unref(cur);
    /* Generation 1 lives until its last holder lets go. */
    char *log = tu_read(trace);
    ck_assert_str_eq(log, "init gen1\ninit gen2\n");
    free(log);
    ck_assert_str_eq(set_get_string(rt_instance(held, "a")->settings, "greeting"), "gen1");
    rt_gen_unref(held);
    log = tu_read(trace);
    ck_assert_str_eq(log, "init gen1\ninit gen2\ndestroy gen1\n");
    free(log);
    rt_holder_free(&h);
    free(trace);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, valid_config_builds);
    tcase_add_test(tc, syntax_error_has_line);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, unknown_top_level_key);
    tcase_add_test(tc, bad_listen);
    tcase_add_test(tc, bad_store_driver);
    tcase_add_test(tc, bad_sla);
    tcase_add_test(tc, sla_durations);
    tcase_add_test(tc, bad_sla_policy);
    tcase_add_test(tc, sla_policy);
    tcase_add_test(tc, bad_inventory);
    tcase_add_test(tc, inventory_settings);
    tcase_add_test(tc, bad_log_level);
    tcase_add_test(tc, instance_without_module);
    tcase_add_test(tc, instance_unknown_member);
    tcase_add_test(tc, duplicate_instance_id);
    tcase_add_test(tc, bad_instance_id);
    tcase_add_test(tc, unknown_module);
    tcase_add_test(tc, refused_module_reported_with_line);
    tcase_add_test(tc, unknown_plugin_setting);
    tcase_add_test(tc, wrong_setting_type);
    tcase_add_test(tc, setting_out_of_range);
    tcase_add_test(tc, missing_required_setting);
    tcase_add_test(tc, env_reference_unset);
    tcase_add_test(tc, file_reference_unreadable);
    tcase_add_test(tc, secrets_resolved_and_redacted);
    tcase_add_test(tc, literal_secret_warns_without_echo);
    tcase_add_test(tc, route_unknown_event);
    tcase_add_test(tc, route_unknown_instance);
    tcase_add_test(tc, route_empty_chain);
    tcase_add_test(tc, route_wrong_kind);
    tcase_add_test(tc, route_when_conditions);
    tcase_add_test(tc, instance_limits);
    tcase_add_test(tc, api_tokens);
    tcase_add_test(tc, api_limits);
    tcase_add_test(tc, include_errors_name_the_included_file);
    tcase_add_test(tc, include_missing_file);
    tcase_add_test(tc, init_failure_reported);
    tcase_add_test(tc, every_init_failure_reported);
    tcase_add_test(tc, every_error_reported_not_just_first);
    tcase_add_test(tc, one_module_several_instances);
    tcase_add_test(tc, reload_is_atomic);
    tcase_add_test(tc, notifier_audience);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
