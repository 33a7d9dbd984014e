/*
 * config_sla - the sla = { ... } group: how long each lifecycle timer waits.
 *
 * Each duration is written with its unit ("72h", "30d", "90s"): tests and demos drive the
 * timers through the real engine in seconds, and a sysadmin reads the unit where it is
 * set.  The older integer keys (ship_by_hours = 72; ...) are still read, so that existing
 * files keep their meaning; a file giving both spellings of one duration is refused, as
 * neither could be said to win.
 *
 * What a breach of the ship-by deadline does is a policy, for all sellers and per seller:
 *   sla = { on_breach = "cancel"; cancel_grace = "2h";
 *           sellers = ( { id = "s-1"; on_breach = "record"; } ); }
 * "record" (the default) keeps the breach on the order; "cancel" cancels the order
 * cancel_grace after it, as a cancel input would.  A seller's missing setting is the
 * group's.
 */
#include "config.h"

#include "config/config_sla.h"
#include "config/config_get.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
#define SELLER_ID_MAX 64 /* the store's ST_ID_MAX: an order's seller.id fits it */
#define GRACE_MAX (30 * DAY)

/* on_breach: "record" 0, "cancel" 1, `def` when absent; an error for anything else. */
static int read_on_breach(const config_setting_t *g, const char *what, int def, diag_list *d)
{
    const char *v = cfg_get_string(g, "on_breach", 0, what, d);
    if (v == NULL)
        return def;
    if (strcmp(v, "record") == 0)
        return 0;
    if (strcmp(v, "cancel") == 0)
        return 1;
    diag_add(d, DIAG_ERROR, WHERE(config_setting_get_member(g, "on_breach")),
             "%s: on_breach '%s' is not \"record\" or \"cancel\"", what, v);
    return def;
}

static void read_seller(cfg_file *c, const config_setting_t *g, diag_list *d)
{
    static const char *const known[] = {"id", "on_breach", "cancel_grace", NULL};
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "sla: each seller is a group { id; on_breach; "
                 "cancel_grace; }");
        return;
    }
    cfg_check_members(g, "an sla seller", known, d);
    const char *id = cfg_get_string(g, "id", 1, "sla seller", d);
    if (id == NULL)
        return;
    if (strlen(id) >= SELLER_ID_MAX) {
        diag_add(d, DIAG_ERROR, WHERE(g), "sla seller id '%s' is longer than %d bytes", id,
                 SELLER_ID_MAX - 1);
        return;
    }
    for (size_t k = 0; k < c->sla_seller_count; k++) {
        if (strcmp(c->sla_sellers[k].id, id) == 0) {
            diag_add(d, DIAG_ERROR, WHERE(g), "sla seller '%s' is listed twice", id);
            return;
        }
    }
    if (config_setting_get_member(g, "on_breach") == NULL &&
        config_setting_get_member(g, "cancel_grace") == NULL)
        diag_add(d, DIAG_ERROR, WHERE(g), "sla seller '%s' needs its on_breach or "
                 "cancel_grace", id);
    cfg_sla_seller *s = &c->sla_sellers[c->sla_seller_count++];
    s->id = id;
    s->cancel = read_on_breach(g, "sla seller", c->sla_cancel, d);
    s->cancel_grace_ms = cfg_get_duration(g, "cancel_grace", c->sla_cancel_grace_ms, 0,
                                          GRACE_MAX, d);
}

/* The policy: on_breach and cancel_grace of the group, then its sellers' own. */
static void read_policy(cfg_file *c, const config_setting_t *g, diag_list *d)
{
    c->sla_cancel = read_on_breach(g, "sla", 0, d);
    c->sla_cancel_grace_ms = cfg_get_duration(g, "cancel_grace", c->sla_cancel_grace_ms, 0,
                                              GRACE_MAX, d);
    const config_setting_t *list = config_setting_get_member(g, "sellers");
    if (list == NULL)
        return;
    if (!config_setting_is_list(list)) {
        diag_add(d, DIAG_ERROR, WHERE(list), "sla: sellers must be a list ( { id = \"s-1\"; "
                 "on_breach = \"cancel\"; cancel_grace = \"1h\"; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    c->sla_sellers = n > 0 ? calloc((size_t)n, sizeof(*c->sla_sellers)) : NULL;
    if (n > 0 && c->sla_sellers == NULL) {
        diag_add(d, DIAG_ERROR, WHERE(list), "out of memory");
        return;
    }
    for (int i = 0; i < n; i++)
        read_seller(c, config_setting_get_elem(list, (unsigned)i), d);
}

int cfg_sla_cancels(const cfg_file *c, const char *seller_id, int64_t *grace_ms)
{
    int cancel = c->sla_cancel;
    int64_t grace = c->sla_cancel_grace_ms;
    for (size_t i = 0; seller_id != NULL && i < c->sla_seller_count; i++) {
        if (strcmp(c->sla_sellers[i].id, seller_id) == 0) {
            cancel = c->sla_sellers[i].cancel;
            grace = c->sla_sellers[i].cancel_grace_ms;
        }
    }
    if (grace_ms != NULL)
        *grace_ms = grace;
    return cancel;
}

void cfg_read_sla(cfg_file *c, diag_list *d)
{
    for (size_t i = 0; i < NKEYS; i++)
        *(int64_t *)(void *)((char *)c + keys[i].field) = keys[i].def;
    c->sla_cancel = 0;
    c->sla_cancel_grace_ms = CFG_DEFAULT_SLA_CANCEL_GRACE_MS;
    const config_setting_t *g = config_lookup(&c->lc, "sla");
    if (g == NULL)
        return;
    if (!config_setting_is_group(g)) {
        diag_add(d, DIAG_ERROR, WHERE(g), "sla must be a group { ship_by = \"72h\"; ... }");
        return;
    }
    const char *known[2 * NKEYS + 4];
    for (size_t i = 0; i < NKEYS; i++) {
        known[2 * i] = keys[i].name;
        known[2 * i + 1] = keys[i].legacy;
    }
    known[2 * NKEYS] = "on_breach";
    known[2 * NKEYS + 1] = "cancel_grace";
    known[2 * NKEYS + 2] = "sellers";
    known[2 * NKEYS + 3] = NULL;
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
    read_policy(c, g, d);
}
