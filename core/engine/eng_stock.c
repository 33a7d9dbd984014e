/*
 * eng_stock - an applied unit's stock moves read back: what was short, what went low.
 * Only a RESERVE can take available down (a SELL takes on_hand and reserved alike, a
 * RELEASE and a RESTOCK add), so only reservations are looked at for the low threshold.
 */
#include "config.h"

#include "eng_stock.h"

#include <stdlib.h>

char *eng_stock_short(const st_stock_move *moves, size_t n)
{
    json_t *all = json_array();
    for (size_t i = 0; all != NULL && i < n; i++) {
        if (!moves[i].is_short)
            continue;
        json_array_append_new(all, json_pack("{s:s, s:I, s:I}", "sku", moves[i].sku,
                                             "requested", (json_int_t)moves[i].qty,
                                             "available", (json_int_t)moves[i].available));
    }
    char *text = all ? json_dumps(all, JSON_COMPACT) : NULL;
    json_decref(all);
    return text;
}

char *eng_stock_refusal(const char *short_text)
{
    json_t *lines = short_text ? json_loads(short_text, 0, NULL) : NULL;
    if (!json_is_array(lines)) {
        json_decref(lines);
        return NULL;
    }
    json_t *body = json_pack("{s:s, s:o}", "error", "insufficient stock", "short", lines);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return text;
}

json_t *eng_stock_low(const st_stock_move *moves, size_t n)
{
    json_t *lines = NULL;
    for (size_t i = 0; i < n; i++) {
        const st_stock_move *m = &moves[i];
        if (m->op != ST_STOCK_RESERVE || m->untracked || m->is_short || m->low_threshold < 0)
            continue;
        /* Below now, at or above before this move: crossed here, so journaled once. */
        if (m->available >= m->low_threshold || m->available + m->qty < m->low_threshold)
            continue;
        if (lines == NULL)
            lines = json_array();
        json_array_append_new(lines, json_pack("{s:s, s:I, s:I, s:I}", "sku", m->sku, "qty",
                                               (json_int_t)m->qty, "available",
                                               (json_int_t)m->available, "low_threshold",
                                               (json_int_t)m->low_threshold));
    }
    return lines ? json_pack("{s:o}", "lines", lines) : NULL;
}
