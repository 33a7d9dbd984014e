/*
 * slow_parse - a payment plugin for tests/check_parse_isolation.c whose parse step sleeps
 * `parse_sleep_ms` before answering "authorized".  Its transaction id records when its
 * parse ran, "p<start>-<end>" in wall-clock Unix milliseconds, so the test can tell, from
 * the orders alone, whether one instance's answers were parsed while another's slow parse
 * was running.  (A real plugin never sleeps: this one stands for a parser that is slow on
 * a huge or pathological answer.)
 */
#include <orderhub/orderhub.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct sp {
    const oh_host_api *host;
    char url[512];
    int64_t sleep_ms;
} sp;

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, NULL, "Where every request goes", OH_SETTING_REQUIRED, 0,
     0},
    {"parse_sleep_ms", OH_SETTING_INT, "0", "How long each parse sleeps", 0, 0, 10000},
    OH_SETTINGS_END};

/* The real clock, not host->now_ms (which tests may fix): compared with the test's own. */
static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sp_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                   void **state, oh_error *err)
{
    (void)self;
    sp *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    p->host = host;
    OH_STRLCPY(p->url, host->setting_string(s, "base_url"));
    p->sleep_ms = host->setting_int(s, "parse_sleep_ms");
    *state = p;
    return OH_OK;
}

static void sp_destroy(void *state)
{
    free(state);
}

static int build(void *state, const oh_payment_input *in, oh_request *req, oh_error *err)
{
    const sp *p = state;
    char body[256];
    int n = snprintf(body, sizeof(body), "{\"order\":\"%s\"}", in->order_id);
    if (p->host->request_set(req, "POST", p->url) != 0 ||
        p->host->request_header(req, "Content-Type", "application/json", 0) != 0 ||
        p->host->request_body(req, body, (size_t)n) != 0)
        return oh_error_set(err, OH_RETRY, "out of memory");
    return OH_OK;
}

static int parse(void *state, const oh_payment_input *in, const oh_response *resp,
                 oh_payment_result *out, oh_error *err)
{
    const sp *p = state;
    int64_t start = wall_ms();
    if (p->sleep_ms > 0) {
        struct timespec d = {p->sleep_ms / 1000, (p->sleep_ms % 1000) * 1000000};
        while (nanosleep(&d, &d) != 0)
            ;
    }
    if (resp->status != 200)
        return oh_error_set(err, OH_RETRY, "HTTP %d", resp->status);
    out->status = OH_PAYMENT_AUTHORIZED;
    out->amount = in->amount;
    OH_STRLCPY(out->currency, in->currency);
    snprintf(out->transaction_id, sizeof(out->transaction_id), "p%lld-%lld",
             (long long)start, (long long)wall_ms());
    return OH_OK;
}

static const oh_payment_ops ops = OH_OPS_INIT(oh_payment_ops,
    .authorize_build = build, .authorize_parse = parse,
    .capture_build = build, .capture_parse = parse,
    .void_build = build, .void_parse = parse,
    .refund_build = build, .refund_parse = parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(.name = "test_slow_parse", .version = "1.0.0",
                                               .description = "payment whose parse is slow",
                                               .settings = settings, .init = sp_init,
                                               .destroy = sp_destroy, .kind = OH_KIND_PAYMENT,
                                               .payment = &ops);

OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry(void);
OH_PLUGIN_EXPORT const oh_plugin *orderhub_plugin_entry(void)
{
    return &plugin;
}
