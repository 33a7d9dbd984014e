/*
 * config_sla - the sla = { ... } group: how long each lifecycle timer waits.
 *
 * Each duration is written with its unit ("72h", "30d", "90s"): tests and demos drive the
 * timers through the real engine in seconds, and a sysadmin reads the unit where it is
 * set.  The older integer keys (ship_by_hours = 72; ...) are still read, so that existing
 * files keep their meaning; a file giving both spellings of one duration is refused, as
 * neither could be said to win.
 */
#include "config.h"

#include "config/config_sla.h"
#include "config/config_get.h"

#include <stddef.h>

#define SEC INT64_C(1000)
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

static const struct {
    const char *name;   /* "ship_by" */
    const char *legacy; /* "ship_by_hours", an integer in legacy_unit */
    int64_t legacy_unit, def, min, max;
    size_t field;       /* offsetof(cfg_file, ...) */
} keys[] = {
    {"ship_by", "ship_by_hours", HOUR, CFG_DEFAULT_SHIP_BY_MS, SEC, 90 * DAY,
     offsetof(cfg_file, ship_by_ms)},
    {"delivery_confirm", "delivery_confirm_days", DAY, CFG_DEFAULT_DELIVERY_CONFIRM_MS, SEC,
     365 * DAY, offsetof(cfg_file, delivery_confirm_ms)},
    {"return_auto_approve", "return_auto_approve_hours", HOUR,
     CFG_DEFAULT_RETURN_AUTO_APPROVE_MS, SEC, 90 * DAY,
     offsetof(cfg_file, return_auto_approve_ms)},
    {"payment_retry", "payment_retry_hours", HOUR, CFG_DEFAULT_PAYMENT_RETRY_MS, SEC, 30 * DAY,
     offsetof(cfg_file, payment_retry_ms)},
    {"return_window", "return_window_days", DAY, CFG_DEFAULT_RETURN_WINDOW_MS, 0, 365 * DAY,
     offsetof(cfg_file, return_window_ms)},
    {"tracking_expire", "tracking_expire_days", DAY, CFG_DEFAULT_TRACKING_EXPIRE_MS, SEC,
     365 * DAY, offsetof(cfg_file, tracking_expire_ms)},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void cfg_read_sla(cfg_file *c, diag_list *d)
{
    for (size_t i = 0; i < NKEYS; i++)
        *(int64_t *)(void *)((char *)c + keys[i].field) = keys[i].def;
    const config_setting_t *g = config_lookup(&c->lc, "sla");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "sla must be a group { ship_by = \"72h\"; ... }");
        return;
    }
    const char *known[2 * NKEYS + 1];
    for (size_t i = 0; i < NKEYS; i++) {
        known[2 * i] = keys[i].name;
        known[2 * i + 1] = keys[i].legacy;
    }
    known[2 * NKEYS] = NULL;
    cfg_check_members(g, "sla", known, d);
    for (size_t i = 0; i < NKEYS; i++) {
        int64_t *v = (int64_t *)(void *)((char *)c + keys[i].field);
        const config_setting_t *now = config_setting_get_member(g, keys[i].name);
        const config_setting_t *old = config_setting_get_member(g, keys[i].legacy);
        if (now != NULL && old != NULL) {
            diag_add(d, DIAG_ERROR, WHERE(old), "sla: '%s' and '%s' are the same duration; "
                     "keep only '%s'", keys[i].legacy, keys[i].name, keys[i].name);
            continue;
        }
        if (now != NULL)
            *v = cfg_get_duration(g, keys[i].name, *v, keys[i].min, keys[i].max, d);
        else if (old != NULL)
            *v = keys[i].legacy_unit * cfg_get_range(g, keys[i].legacy,
                                                     *v / keys[i].legacy_unit,
                                                     keys[i].min == 0 ? 0 : 1,
                                                     keys[i].max / keys[i].legacy_unit, d);
    }
}
