/*
 * api_limits - every bound on what an API caller can make orderhub store, in one place.
 * Each one is listed in docs/api.md ("Limits"); change both together.  The bounds exist so
 * that no outsider can grow an order's snapshot (rewritten whole on every event) or the
 * journal without limit.
 *
 * Bounds defined elsewhere and listed in the same table: API_MAX_BODY (api.h),
 * HOST_JSON_MAX_DEPTH (host/host.h), the failed-attempt limit (auth.c), the string
 * lengths of an order's members (intake.h).
 */
#ifndef OH_API_LIMITS_H
#define OH_API_LIMITS_H

/* ---- placement (intake.c) ---- */
#define LIMIT_ORDER_ITEMS 100           /* lines per order */
#define LIMIT_ORDER_METADATA 20         /* metadata members */
#define LIMIT_METADATA_NAME 40          /* characters of a metadata member name */
#define LIMIT_METADATA_VALUE 200        /* characters of a metadata value */
#define LIMIT_DESCRIPTION 500           /* characters of the order's description */
#define LIMIT_PAYMENT_TOKEN 255         /* characters of a payment token */

/* ---- Idempotency-Key (orders.c) ---- */
#define LIMIT_IDEMPOTENCY_KEY 128       /* printable ASCII characters */

/* ---- actions (orders.c) ---- */
#define LIMIT_PARCELS 16                /* parcels of one pack/ship */
#define LIMIT_SERVICE_CODE 63           /* characters of a carrier service code */
#define LIMIT_REASON 500                /* characters of a cancel/return/reject/dispute reason */
#define LIMIT_NOTE 500                  /* characters of a note on any action */
#define LIMIT_RETURN_SKUS LIMIT_ORDER_ITEMS /* SKUs named by one return (distinct, the order's) */

/* ---- per order (enforced by the engine, es_subflow.c: race-free) ---- */
#define LIMIT_RETURNS_PER_ORDER 20
#define LIMIT_DISPUTES_PER_ORDER 5
#define LIMIT_PAYMENT_RESUBMITS 10      /* new payment methods after declines */

/* ---- listing ---- */
#define LIMIT_LIST_PAGE 200             /* orders per page; default 50 */

/* ---- stock (stock.c, stock_body.c) ---- */
#define LIMIT_STOCK_ITEMS 1000          /* records of one bulk write (POST /v1/stock) */
#define LIMIT_STOCK_PAGE 200            /* records per page; default 50 (ST_LIST_MAX) */

#endif
