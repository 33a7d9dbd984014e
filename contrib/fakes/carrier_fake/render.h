/*
 * render.h - what the carrier renderers share: places (city tables with a fixed UTC
 * offset each), local-time formatting, tracking-number shape checks.
 */
#ifndef CARRIER_FAKE_RENDER_H
#define CARRIER_FAKE_RENDER_H

#include "journey.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct fk_place {
    const char *city;
    const char *region;   /* state / province code, "" when none */
    const char *postal;
    const char *country;  /* ISO 3166 alpha-2 */
    int off_min;          /* fixed UTC offset (no daylight saving: see README) */
    const char *tz;       /* abbreviation, for Canada Post's event-time-zone */
} fk_place;

typedef struct fk_route_set {
    const fk_place *origins;
    size_t norigins;
    const fk_place *hubs;
    size_t nhubs;
    const fk_place *dests;
    size_t ndests;
} fk_route_set;

/* The place of a scan on the route the number's seed picks. */
const fk_place *fk_place_of(const fk_route_set *set, const jr_view *v, const jr_scan *s);
const fk_place *fk_dest_of(const fk_route_set *set, const jr_view *v);
const fk_place *fk_origin_of(const fk_route_set *set, const jr_view *v);

/* utc shifted to the place's local wall time, as a broken-down struct tm. */
void fk_local(int64_t utc, int off_min, struct tm *tm);
/* "2024-04-26T07:50:00-07:00" (offset kept, never "Z"). */
void fk_iso_offset(char *buf, size_t size, int64_t utc, int off_min);
/* "-07:00" */
void fk_offset_text(char *buf, size_t size, int off_min);

/* true when every char of s is in [0-9] / [0-9A-Za-z] and strlen is in [lo, hi]. */
int fk_all_digits(const char *s, size_t lo, size_t hi);
int fk_all_alnum(const char *s, size_t lo, size_t hi);

/* A per-request transaction id, e.g. for FedEx transactionId / DHL instance. */
void fk_txn_id(char *buf, size_t size, uint32_t seed);

#endif
