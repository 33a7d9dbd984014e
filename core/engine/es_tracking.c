/*
 * es_tracking - what a carrier's answer (a poll or a webhook) does to an order: new scans are
 * kept, scans already seen are dropped, a shipment.* event is journaled only when the
 * canonical status changes (also for each status the new scans passed through), and the
 * next poll is scheduled by how close the parcel is to its door: often when out for
 * delivery, rarely when the carrier has been quiet for a while, never once delivered,
 * returned or expired.
 */
#include "config.h"

#include "es_tracking.h"

#include "eng_clock.h"
#include "es_step.h"
#include "host/host.h"
#include "log/log.h"

#include <string.h>

#define MAX_SCANS 20 /* scans kept in the snapshot, newest first */

static int track_moving(const char *state)
{
    return lc_state_has(lc_state_from_name(LC_ORDER, state), LC_TRACKED);
}

/*
 * The poll interval: the configured one for a parcel on its way, a quarter of it near the
 * door, double before pickup or in an exception, and doubling again for every third
 * quiet poll (up to 16 times) when the carrier has nothing new.
 */
static int64_t track_poll_interval(int64_t base_ms, const char *status, int64_t quiet_polls)
{
    int64_t ms = base_ms;
    if (status == NULL)
        status = "pending";
    if (strcmp(status, "out_for_delivery") == 0 || strcmp(status, "attempt_failed") == 0 ||
        strcmp(status, "available_for_pickup") == 0)
        ms = base_ms / 4;
    else if (strcmp(status, "pending") == 0 || strcmp(status, "info_received") == 0 ||
             strcmp(status, "exception") == 0 || strcmp(status, "unknown") == 0)
        ms = base_ms * 2;
    int shift = quiet_polls >= 3 ? (int)(quiet_polls / 3) : 0;
    if (shift > 4)
        shift = 4;
    ms <<= shift;
    return ms > 0 ? ms : 1;
}

static int64_t instant_of(const json_t *ev)
{
    int64_t t;
    const char *text = json_string_value(json_object_get(ev, "time"));
    return text != NULL && host_time_parse(text, &t) >= 0 ? t : INT64_MIN;
}

/* A scan as the snapshot's last_scan and the shipment.* events show it. */
static json_t *scan_summary(const json_t *ev)
{
    return json_pack("{s:O*, s:O*, s:O*, s:O*}", "code", json_object_get(ev, "raw_code"),
                     "text", json_object_get(ev, "raw_text"), "time",
                     json_object_get(ev, "time"), "location", json_object_get(ev, "location"));
}

/* How many of `events` (newest first) are newer than the newest scan already seen. */
static size_t count_new_scans(const json_t *shipment, const json_t *events)
{
    const json_t *seen = json_object_get(shipment, "seen_ms");
    size_t i;
    const json_t *ev;
    json_array_foreach(events, i, ev) {
        int64_t at = instant_of(ev);
        if (at == INT64_MIN || (seen != NULL && at <= json_integer_value(seen)))
            return i;
    }
    return json_array_size(events);
}

/*
 * Move the order to carrier status `status`, journaling its shipment.* event with `scan`
 * as the scan that says so; the shipment's status follows even when the status is no
 * order input (unknown, pending) or the state refuses it.
 */
static void apply_status(es_unit *c, const char *status, json_t *scan, const json_t *proof)
{
    json_t *shipment = json_object_get(c->snapshot, "shipment");
    lc_input in = lc_input_from_name(status);
    /* A carrier's status of an input's name is that input (the table marks which). */
    if (in != LC_NO_INPUT && (lc_input_info(in)->flags & LC_FROM_CARRIER)) {
        json_t *summary = json_pack("{s:s, s:O*, s:O*, s:O*}", "status", status,
                                    "tracking_number",
                                    json_object_get(shipment, "tracking_number"), "last_scan",
                                    scan, "proof", proof);
        if (es_step(c, lc_input_name(in), summary) != 0)
            log_info("order %s: tracking status %s not applied: %s", c->ce->id, status,
                     c->error);
        json_decref(summary);
    }
    shipment = json_object_get(c->snapshot, "shipment");
    json_object_set_new(shipment, "status", json_string(status));
}

/*
 * Statuses the parcel passed through between two answers (a poll that came late, a webhook
 * batch): each new scan whose status differs from the one before it is applied, oldest
 * first, so the journal holds every step (an attempt before a return to sender) and not
 * only the last.  The newest scans that already show the answer's own status `final` are
 * left to it, since it alone carries the proof (a delivery scan, then a signature scan).
 */
static void apply_passed_statuses(es_unit *c, const json_t *events, size_t fresh,
                                  const char *final)
{
    size_t run = 1;
    while (run < fresh) {
        const char *st = json_string_value(json_object_get(json_array_get(events, run), "status"));
        if (st == NULL || strcmp(st, final) != 0)
            break;
        run++;
    }
    for (size_t i = fresh; i-- > run;) {
        const json_t *ev = json_array_get(events, i);
        const char *st = json_string_value(json_object_get(ev, "status"));
        const char *known =
            json_string_value(json_object_get(json_object_get(c->snapshot, "shipment"), "status"));
        if (st == NULL || strcmp(st, "unknown") == 0 || (known != NULL && strcmp(st, known) == 0))
            continue;
        json_t *scan = scan_summary(ev);
        apply_status(c, st, scan, NULL);
        json_decref(scan);
    }
}

/* Keep the scans newer than the newest already seen; 1 when there were any. */
static int keep_new_scans(json_t *shipment, const json_t *events)
{
    json_t *seen = json_object_get(shipment, "seen_ms");
    int64_t seen_ms = json_is_integer(seen) ? json_integer_value(seen) : INT64_MIN;
    json_t *scans = json_object_get(shipment, "scans");
    json_t *kept = json_array();
    size_t i;
    const json_t *ev;
    int64_t newest = seen_ms;
    json_array_foreach(events, i, ev) {
        int64_t at = instant_of(ev);
        /* Events come newest first: the first one already seen ends the new ones. */
        if (at == INT64_MIN || (seen != NULL && at <= seen_ms))
            break;
        if (json_array_size(kept) < MAX_SCANS)
            json_array_append(kept, (json_t *)ev);
        if (at > newest)
            newest = at;
    }
    if (json_array_size(kept) == 0) {
        json_decref(kept);
        return 0;
    }
    json_array_foreach(scans, i, ev) {
        if (json_array_size(kept) >= MAX_SCANS)
            break;
        json_array_append(kept, (json_t *)ev);
    }
    json_object_set_new(shipment, "last_scan", scan_summary(json_array_get(kept, 0)));
    json_object_set_new(shipment, "scans", kept);
    json_object_set_new(shipment, "seen_ms", json_integer(newest));
    return 1;
}

void es_track_apply(es_unit *c, const json_t *data)
{
    json_t *shipment = json_object_get(c->snapshot, "shipment");
    if (!json_is_object(shipment))
        return; /* no label yet: nothing to track */
    int64_t now = eng_now_ms();
    const char *status = json_string_value(json_object_get(data, "status"));
    const char *eta = json_string_value(json_object_get(data, "eta"));
    const json_t *events = json_object_get(data, "events");
    size_t fresh = count_new_scans(shipment, events);
    if (status != NULL)
        apply_passed_statuses(c, events, fresh, status);
    shipment = json_object_get(c->snapshot, "shipment");
    const char *known = json_string_value(json_object_get(shipment, "status"));
    int news = keep_new_scans(shipment, events);
    if (eta != NULL && eta[0] != '\0')
        json_object_set_new(shipment, "eta", json_string(eta));
    int moved = status != NULL && (known == NULL || strcmp(status, known) != 0);
    if (moved)
        apply_status(c, status, json_object_get(shipment, "last_scan"),
                     json_object_get(data, "proof"));
    shipment = json_object_get(c->snapshot, "shipment");
    if (news || moved) {
        json_object_set_new(shipment, "changed_ms", json_integer(now));
        json_object_set_new(shipment, "quiet_polls", json_integer(0));
    } else {
        json_object_set_new(shipment, "quiet_polls",
                            json_integer(json_integer_value(
                                             json_object_get(shipment, "quiet_polls")) + 1));
    }
    c->changed = 1;
    es_track_schedule(c);
}

void es_track_schedule(es_unit *c)
{
    json_t *shipment = json_object_get(c->snapshot, "shipment");
    if (!track_moving(c->state) || !json_is_object(shipment))
        return;
    const char *status = json_string_value(json_object_get(shipment, "status"));
    if (status != NULL && strcmp(status, "expired") == 0)
        return;
    int64_t now = eng_now_ms();
    json_t *changed = json_object_get(shipment, "changed_ms");
    if (!json_is_integer(changed)) {
        json_object_set_new(shipment, "changed_ms", json_integer(now));
        c->changed = 1;
    } else if (now - json_integer_value(changed) > c->gen->cfg->tracking_expire_ms) {
        log_warn("order %s: no tracking news for %lld s: shipment expired, polls stop",
                 c->ce->id, (long long)(c->gen->cfg->tracking_expire_ms / 1000));
        json_object_set_new(shipment, "status", json_string("expired"));
        es_cancel_timer(c, lc_timer_name(LC_T_TRACK_POLL));
        c->changed = 1;
        return;
    }
    int64_t quiet = json_integer_value(json_object_get(shipment, "quiet_polls"));
    es_add_timer(c, lc_timer_name(LC_T_TRACK_POLL),
              now + track_poll_interval(c->e->o.track_poll_ms, status, quiet));
}
