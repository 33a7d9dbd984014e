/*
 * events - the canonical lifecycle event names (docs/formats.md §2) and which plugin kinds
 * may act on each.  Routes are checked against this table when a configuration is loaded.
 */
#ifndef OH_EVENTS_H
#define OH_EVENTS_H

#include <orderhub/plugin.h>
#include <stddef.h>

/* Bit of a kind in a mask. */
#define EVT_KIND_BIT(kind) (1u << (unsigned)(kind))

typedef struct evt_info {
    const char *name;  /* "shipment.delivered" */
    unsigned kinds;    /* EVT_KIND_BIT mask of the kinds a route on this event may name */
} evt_info;

/* evt_find - the event called `name`, or NULL. */
const evt_info *evt_find(const char *name);

/* evt_all - the whole table; *count receives its length. */
const evt_info *evt_all(size_t *count);

/*
 * evt_route_kinds - for a route's `on` (an event name or "family.*"), the kinds allowed on
 * every event it can match.  0 and the mask, or -1 when `on` matches no canonical event.
 */
int evt_route_kinds(const char *on, unsigned *kinds);

/* evt_route_matches - nonzero when a route's `on` matches event `name`. */
int evt_route_matches(const char *on, const char *name);

#endif
