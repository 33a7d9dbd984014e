/*
 * stock_body - the bodies of the stock writes (docs/api.md, "Stock"), read strictly into
 * the store's st_stock_set: only the documented members, integers in range, SKUs the store
 * can hold.  A refusal names the member (`field`) and says why; nothing is half-read.
 */
#ifndef OH_API_STOCK_BODY_H
#define OH_API_STOCK_BODY_H

#include "store/store_types.h"

#include <jansson.h>
#include <stddef.h>

/* Which members a body carries for the quantity. */
typedef enum stock_body_kind {
    STOCK_BODY_SET = 1,   /* PUT /v1/stock/{sku}: "on_hand" */
    STOCK_BODY_ADJUST,    /* POST /v1/stock/{sku}/adjust: "delta" */
    STOCK_BODY_BULK       /* POST /v1/stock: "items", each with "sku" and on_hand or delta */
} stock_body_kind;

/* stock_sku_ok - 1 when `sku` is 1 to ST_SKU_MAX - 1 bytes without control characters. */
int stock_sku_ok(const char *sku);

/*
 * stock_body_read - `body` (a parsed JSON object) into *out (calloc'ed, free it) and
 * *count, every set for `seller_id`; for SET and ADJUST the one record is `sku`.  0, or
 * -1 with `field` ("on_hand", "items[3].sku", "" for the body) and `why` set.
 */
int stock_body_read(const json_t *body, stock_body_kind kind, const char *seller_id,
                    const char *sku, st_stock_set **out, size_t *count, char *field,
                    size_t fieldlen, char *why, size_t whylen);

/* stock_set_field - the member a failed set's refusal is about, as stock_body_read names
 * members ("items[2].version"): `member` of set `index` of a body of `kind`. */
void stock_set_field(stock_body_kind kind, size_t index, const char *member, char *field,
                     size_t fieldlen);

#endif
