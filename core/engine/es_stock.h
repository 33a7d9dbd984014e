/* es_stock - the stock an input moves (see es_unit.h for the es_ layer). */
#ifndef OH_ES_STOCK_H
#define OH_ES_STOCK_H

#include "es_unit.h"

/*
 * es_stock_order_input - the moves of order input `in` into the unit: validate reserves
 * every distinct SKU of the items (quantities summed), cancel / reject / payment_timeout
 * release what was reserved, label_created sells it.  What was reserved (and whether each
 * SKU has a stock record: "tracked") is kept in the snapshot's "inventory" member, so
 * only that is ever released or sold, once.  Other inputs: nothing.
 */
void es_stock_order_input(es_unit *c, lc_input in);

/* es_stock_return - a return concluded (refunded or exchanged): restock its SKUs (its
 * "skus", else all the order's) that were sold, when its inspection said "resellable". */
void es_stock_return(es_unit *c, json_t *ret);

/* es_stock_event_data - the data journaled with `event`: `data` itself (new reference),
 * or for inventory.reserved/released/restocked a copy with "lines" [{"sku","qty"}] of
 * what this unit moved ([] when nothing tracked moved). */
json_t *es_stock_event_data(const es_unit *c, const char *event, const json_t *data);

#endif
