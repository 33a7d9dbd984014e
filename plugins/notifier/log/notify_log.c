/*
 * notify_log - renders each event as one JSON line for a local log file.
 *
 * The request is `APPEND file://PATH` with the line as body: the host's executor appends it
 * (one write per line, O_APPEND), so this plugin, like every other, does no I/O itself.
 */
#include <orderhub/orderhub.h>
#include <stdlib.h>
#include <string.h>

typedef struct notify_log {
    const oh_host_api *host;
    char url[4200];
} notify_log;

static const oh_setting_spec settings[] = {
    {"path", OH_SETTING_STRING, NULL, "Absolute path of the JSON-lines file",
     OH_SETTING_REQUIRED, 0, 0},
    OH_SETTINGS_END};

static int log_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                    void **state, oh_error *err)
{
    const char *path = host->setting_string(s, "path");
    if (path[0] != '/')
        return oh_error_set(err, OH_FAIL, "path must be absolute");
    notify_log *nl = calloc(1, sizeof(*nl));
    if (nl == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    nl->host = host;
    snprintf(nl->url, sizeof(nl->url), "file://%s", path);
    *state = nl;
    return OH_OK;
}

static void log_destroy(void *state)
{
    free(state);
}

static const char *role_name(oh_recipient_role r)
{
    return r == OH_RECIPIENT_BUYER ? "buyer" : r == OH_RECIPIENT_SELLER ? "seller" : "operator";
}

static int render_build(void *state, const oh_notify_input *in, oh_request *req, oh_error *err)
{
    notify_log *nl = state;
    json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:O?}", "event", in->event,
                             "order_id", in->order_id ? in->order_id : "", "dedupe_id",
                             in->dedupe_id ? in->dedupe_id : "", "role", role_name(in->role),
                             "recipient", in->recipient, "occurred_at_ms",
                             (json_int_t)in->occurred_at_ms, "data", (json_t *)in->data);
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(line);
    int rc = OH_OK;
    if (text == NULL || nl->host->request_set(req, "APPEND", nl->url) != 0) {
        rc = oh_error_set(err, OH_FAIL, "cannot render %s", in->event);
    } else {
        size_t len = strlen(text);
        text[len] = '\n'; /* json_dumps leaves room: replace the NUL, length + 1 */
        if (nl->host->request_body(req, text, len + 1) != 0)
            rc = oh_error_set(err, OH_FAIL, "cannot render %s", in->event);
    }
    free(text);
    return rc;
}

static const oh_notifier_ops ops = OH_OPS_INIT(oh_notifier_ops, .render_build = render_build);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "notify_log", .version = "0.1.0", .kind = OH_KIND_NOTIFIER,
    .description = "Appends each event as a JSON line to a file", .settings = settings,
    .init = log_init, .destroy = log_destroy, .notifier = &ops);

OH_PLUGIN_DEFINE(plugin)
