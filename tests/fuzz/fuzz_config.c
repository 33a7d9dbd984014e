/*
 * fuzz_config - libFuzzer target: the main configuration file.  The input is written as
 * orderhub.conf in a scratch directory and read by cfg_load, the daemon's own reader
 * (libconfig, then every check of core/config/config_file.c), so no parse-from-memory
 * seam is needed; every plugin instance's settings group then goes through set_build
 * (core/settings) against a schema holding every setting type and flag, and the accepted
 * settings are redacted to JSON as --check-config -v prints them.
 */
#include "config.h"

#include "config/config_file.h"
#include "fuzz_tmp.h"
#include "settings/settings.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

static const oh_setting_spec specs[] = {
    {"base_url", OH_SETTING_STRING, "https://api.example.test", "API root",
     OH_SETTING_HTTP_URL, 0, 0},
    {"api_key", OH_SETTING_STRING, NULL, "key", OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0,
     0},
    {"account", OH_SETTING_STRING, NULL, "optional, no default", 0, 0, 0},
    {"webhook_tolerance_s", OH_SETTING_INT, "300", "bounded int", 0, 1, 86400},
    {"retries", OH_SETTING_INT, "3", "unbounded int", 0, 0, 0},
    {"sandbox", OH_SETTING_BOOL, "false", "bool", 0, 0, 0},
    {"ratio", OH_SETTING_DOUBLE, "0.5", "double", 0, 0, 0},
    OH_SETTINGS_END};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_tmp_write("orderhub.conf", data, size);
    diag_list d = {0};
    cfg_file *c = cfg_load(path, &d);
    for (size_t i = 0; c != NULL && i < c->instance_count; i++) {
        const cfg_instance *inst = &c->instances[i];
        diag_list sd = {0};
        oh_settings *s = set_build(specs, sizeof(specs) / sizeof(specs[0]) - 1,
                                   inst->settings, inst->id, c->base_dir, inst->where.file,
                                   inst->where.line, &sd);
        if (s != NULL) {
            json_t *j = set_to_json(s);
            free(json_dumps(j, 0));
            json_decref(j);
            set_free(s);
        }
        diag_free(&sd);
    }
    cfg_free(c);
    diag_free(&d);
    return 0;
}
