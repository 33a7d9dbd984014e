/*
 * test_plugin - one source, built as several modules that each break the SDK contract in
 * one way (selected by a -D macro), so every refusal of the loader is exercised for real.
 *
 *   (none)            a valid filter, "test_filter", that records init/destroy in trace_file
 *   TP_MAJOR=N        abi_major N
 *   TP_MINOR_DELTA=N  abi_minor OH_ABI_MINOR + N
 *   TP_STRUCT_SIZE=N  struct_size N
 *   TP_NO_ENTRY       exports another symbol instead of orderhub_plugin_entry
 *   TP_PAYMENT_MISSING_OP  a payment plugin without refund_parse
 *   TP_KIND=N         kind N
 *   TP_NO_OPS         no ops table
 *   TP_BAD_DEFAULT    a setting whose default does not parse
 *   TP_PAYMENT        a complete payment plugin (for route kind checks)
 *   TP_CARRIER_1_1    a carrier built for SDK 1.1: its ops struct_size ends at
 *                     webhook_parse, and what lies beyond (where 1.2 keeps void_build and
 *                     void_parse) is stale non-NULL bytes the loader must never read
 */
#include <orderhub/orderhub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TP_NAME
#define TP_NAME "test_filter"
#endif

typedef struct tp {
    char id_trace[512];
    char trace_file[512];
    char verdict[16];
} tp;

static void trace(const char *file, const char *what, const char *id)
{
    if (file[0] == '\0')
        return;
    FILE *f = fopen(file, "a");
    if (f != NULL) {
        fprintf(f, "%s %s\n", what, id);
        fclose(f);
    }
}

static const oh_setting_spec settings[] = {
    {"greeting", OH_SETTING_STRING, NULL, "A required string", OH_SETTING_REQUIRED, 0, 0},
    {"secret", OH_SETTING_STRING, "", "A secret", OH_SETTING_SENSITIVE, 0, 0},
#ifdef TP_BAD_DEFAULT
    {"count", OH_SETTING_INT, "three", "Bounded integer", 0, 1, 10},
#else
    {"count", OH_SETTING_INT, "3", "Bounded integer", 0, 1, 10},
#endif
    {"ratio", OH_SETTING_DOUBLE, "0.5", "A number", 0, 0, 0},
    {"fail_init", OH_SETTING_BOOL, "false", "Make init fail", 0, 0, 0},
    {"trace_file", OH_SETTING_STRING, "", "Append init/destroy lines here", 0, 0, 0},
    {"verdict", OH_SETTING_STRING, "ok", "What check answers: ok, stop, reject, retry, fail", 0,
     0, 0},
    OH_SETTINGS_END};

static int tp_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                   void **state, oh_error *err)
{
    if (host->setting_bool(s, "fail_init"))
        return oh_error_set(err, OH_FAIL, "asked to fail (greeting %s)",
                            host->setting_string(s, "greeting"));
    tp *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    OH_STRLCPY(t->trace_file, host->setting_string(s, "trace_file"));
    OH_STRLCPY(t->id_trace, host->setting_string(s, "greeting"));
    OH_STRLCPY(t->verdict, host->setting_string(s, "verdict"));
    trace(t->trace_file, "init", t->id_trace);
    *state = t;
    return OH_OK;
}

static void tp_destroy(void *state)
{
    tp *t = state;
    trace(t->trace_file, "destroy", t->id_trace);
    free(t);
}

static int check(void *state, const oh_filter_input *in, oh_error *err)
{
    const tp *t = state;
    static const struct {
        const char *name;
        int rc;
    } verdicts[] = {{"stop", OH_STOP}, {"reject", OH_REJECT}, {"retry", OH_RETRY},
                    {"fail", OH_FAIL}};
    for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
        if (strcmp(t->verdict, verdicts[i].name) == 0)
            return oh_error_set(err, verdicts[i].rc, "test verdict %s", t->verdict);
    }
    return OH_OK;
}

static const oh_filter_ops filter_ops __attribute__((unused)) = OH_OPS_INIT(oh_filter_ops, .check = check);

#ifdef TP_CARRIER_1_1
static int trk_build(void *st, const char *const *n, size_t c, oh_request *req, oh_error *err)
{
    return OH_OK;
}
static int trk_parse(void *st, const char *const *n, size_t c, const oh_response *resp,
                     oh_track_result *out, oh_error *err)
{
    return OH_OK;
}
static int stale(void *st, const oh_label_ref *l, oh_request *req, oh_error *err)
{
    return OH_FAIL;
}
static int stale_parse(void *st, const oh_label_ref *l, const oh_response *resp, oh_error *err)
{
    return OH_FAIL;
}
static const oh_carrier_ops carrier_ops = {
    .struct_size = offsetof(oh_carrier_ops, webhook_parse) + sizeof(void (*)(void)),
    .max_batch = 1, .track_build = trk_build, .track_parse = trk_parse,
    .void_build = stale, .void_parse = stale_parse};
#define TP_OPS .kind = OH_KIND_CARRIER, .carrier = &carrier_ops
#elif defined(TP_PAYMENT) || defined(TP_PAYMENT_MISSING_OP)
static int pay_build(void *st, const oh_payment_input *in, oh_request *req, oh_error *err)
{
    return OH_OK;
}
static int pay_parse(void *st, const oh_payment_input *in, const oh_response *resp,
                     oh_payment_result *out, oh_error *err)
{
    return OH_OK;
}
static const oh_payment_ops payment_ops = OH_OPS_INIT(oh_payment_ops,
    .authorize_build = pay_build, .authorize_parse = pay_parse,
    .capture_build = pay_build, .capture_parse = pay_parse,
    .void_build = pay_build, .void_parse = pay_parse,
#ifndef TP_PAYMENT_MISSING_OP
    .refund_parse = pay_parse,
#endif
    .refund_build = pay_build);
#define TP_OPS .kind = OH_KIND_PAYMENT, .payment = &payment_ops
#elif defined(TP_NO_OPS)
#define TP_OPS .kind = OH_KIND_FILTER
#elif defined(TP_KIND)
#define TP_OPS .kind = (oh_plugin_kind)TP_KIND, .filter = &filter_ops
#else
#define TP_OPS .kind = OH_KIND_FILTER, .filter = &filter_ops
#endif

static oh_plugin plugin = OH_PLUGIN_INIT(.name = TP_NAME, .version = "9.9.9",
                                         .description = "loader test plugin",
                                         .settings = settings, .init = tp_init,
                                         .destroy = tp_destroy, TP_OPS);

/* Entry point; the variants tamper with the descriptor's header before handing it out. */
#ifdef TP_NO_ENTRY
OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry_v0(void);
OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry_v0(void)
#else
OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry(void);
OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry(void)
#endif
{
#ifdef TP_MAJOR
    plugin.abi_major = TP_MAJOR;
#endif
#ifdef TP_MINOR_DELTA
    plugin.abi_minor = OH_ABI_MINOR + TP_MINOR_DELTA;
#endif
#ifdef TP_STRUCT_SIZE
    plugin.struct_size = TP_STRUCT_SIZE;
#endif
    return &plugin;
}
