/*
 * journey.h - the one journey model every carrier renderer draws from.
 *
 * A tracking number's journey is chosen from its text (see README.md, "Number scheme"):
 * the LAST DIGIT picks the kind, the digit before it the number of in-transit scans. Scans
 * appear one per --step-ms (longer stalls for "delayed") counted from the first request that
 * named the number; with --clock the whole journey is visible and time is frozen.
 *
 * Scan timestamps are "story time": spaced by hours and all in the past of the anchor (the
 * first-seen instant, or --clock), so a scan keeps the same timestamp on every poll and no
 * carrier ever reports a future scan.
 */
#ifndef CARRIER_FAKE_JOURNEY_H
#define CARRIER_FAKE_JOURNEY_H

#include "fake.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum jr_kind {
    JR_NORMAL,
    JR_DELAYED,
    JR_DAMAGED,
    JR_ADDRESS,
    JR_LOST,
    JR_RETURNED,
    JR_NOT_FOUND,
} jr_kind;

typedef enum jr_stage {
    ST_LABEL,            /* shipper created a label / sent electronic info */
    ST_PICKUP,           /* carrier has the parcel */
    ST_ARRIVE,           /* arrived at a sort facility */
    ST_DEPART,           /* departed a sort facility */
    ST_OUT_FOR_DELIVERY,
    ST_DELIVERED,        /* with a signer */
    ST_DELAY,            /* exception "delay" (weather); the journey goes on */
    ST_DAMAGED,          /* exception, terminal */
    ST_ADDRESS,          /* exception: address problem, terminal */
    ST_RETURN_START,     /* refused / being returned to sender */
    ST_RETURNED,         /* back at the sender, terminal */
} jr_stage;

typedef enum jr_place { PL_ORIGIN, PL_HUB, PL_DEST } jr_place;

typedef struct jr_scan {
    jr_stage stage;
    jr_place place;
    int hub;             /* PL_HUB: which hub, 0.. */
    int64_t when;        /* unix seconds, UTC; renderers shift to the place's local time */
} jr_scan;

#define JR_MAX_SCANS 16

typedef struct jr_view {
    jr_kind kind;
    uint32_t seed;       /* hash of the number: picks route, signer, service variants */
    int nscans;          /* visible scans, oldest first */
    jr_scan scans[JR_MAX_SCANS];
    int total;           /* scans in the whole plan */
    int64_t ship_when;   /* label instant (scans[0].when even if cut) */
    int64_t eta;         /* planned delivery instant, UTC */
    const char *signer;  /* set when delivered */
} jr_view;

jr_registry *jr_new(void);
void jr_free(jr_registry *g);
/* Forget every first-seen time (POST /fake/reset). */
void jr_reset(jr_registry *g);
size_t jr_count(jr_registry *g);

/* The journey kind and in-transit count a number's text selects. */
jr_kind jr_kind_of(const char *number);
int jr_transit_count(const char *number);

/* The journey of number as of r->now_ms (registers it as first seen now if new). */
void jr_view_get(const fk_req *r, const char *number, jr_view *v);

/* Helpers for renderers. */
bool jr_delivered(const jr_view *v);
const char *jr_kind_name(jr_kind k);

#endif
