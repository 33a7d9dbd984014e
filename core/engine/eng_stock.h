/*
 * eng_stock - what the store said of an order's stock moves once their unit was applied
 * (eng_stock.c): the short SKUs of a refused placement, and the SKUs a reservation took
 * below their low threshold.  Works on the moves alone, so the unit's completion
 * (es_unit.c) uses it without seeing the step layer.
 */
#ifndef OH_ENG_STOCK_H
#define OH_ENG_STOCK_H

#include "store/store_types.h"

#include <jansson.h>

/* eng_stock_short - [{"sku","requested","available"}] of every move flagged short, as
 * compact JSON text (malloc'd; NULL when out of memory). */
char *eng_stock_short(const st_stock_move *moves, size_t n);

/* eng_stock_refusal - the HTTP answer of a placement refused for want of stock, built
 * from eng_stock_short's text: {"error":"insufficient stock","short":[...]} (malloc'd;
 * NULL when out of memory or `short_text` is no JSON array).  The API answers it and an
 * Idempotency-Key records it, so a replay is byte-identical. */
char *eng_stock_refusal(const char *short_text);

/* eng_stock_low - {"lines":[{"sku","qty","available","low_threshold"}]} of the RESERVE
 * moves that left a tracked SKU's available below its low threshold when it was at or
 * above it before; NULL when none did (new reference). */
json_t *eng_stock_low(const st_stock_move *moves, size_t n);

#endif
