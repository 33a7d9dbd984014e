/*
 * es_stock - an order's lifecycle acting on its seller's stock, as moves of the order's
 * own unit (so a placement and its reservation commit or fail together).
 *
 * Whether a SKU is tracked (has a stock record) is decided at the reservation and kept in
 * the snapshot: a later release or sale moves only what was reserved.  With untracked =
 * "refuse" every SKU is sent and a missing record is short, so a placement that commits
 * has them all tracked.  With "unlimited" the record is read first and only SKUs that have
 * one are sent: a record created between that read and the commit is then left alone
 * rather than released later for a reservation it never took (records are never deleted,
 * so one read as present stays present).
 */
#include "config.h"

#include "es_stock.h"

#include "config/config_inventory.h"
#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A stock record always names its seller: an order without one uses "". */
static const char *seller_of(const es_unit *c)
{
    const char *s = es_seller_id(c);
    return s ? s : "";
}

/* Add one move (and its line for the events' data); -1 when out of memory. */
static int add_move(es_unit *c, st_stock_op op, const char *sku, int64_t qty)
{
    st_stock_move *m = realloc(c->moves, (c->nmoves + 1) * sizeof(*m));
    if (m == NULL)
        return -1;
    c->moves = m;
    m = &c->moves[c->nmoves++];
    memset(m, 0, sizeof(*m));
    snprintf(m->seller_id, sizeof(m->seller_id), "%s", seller_of(c));
    snprintf(m->sku, sizeof(m->sku), "%s", sku);
    m->op = op;
    m->qty = qty;
    if (c->stock_lines == NULL)
        c->stock_lines = json_array();
    json_array_append_new(c->stock_lines, json_pack("{s:s, s:I}", "sku", sku, "qty",
                                                    (json_int_t)qty));
    return 0;
}

/* The order's distinct SKUs with their quantities summed, in the items' order. */
static json_t *order_lines(const es_unit *c)
{
    json_t *lines = json_array();
    size_t i, k;
    json_t *it, *line;
    json_array_foreach(json_object_get(c->snapshot, "items"), i, it) {
        const char *sku = json_string_value(json_object_get(it, "sku"));
        json_int_t qty = json_integer_value(json_object_get(it, "quantity"));
        if (sku == NULL || qty <= 0 || strlen(sku) >= ST_SKU_MAX)
            continue;
        json_t *found = NULL;
        json_array_foreach(lines, k, line) {
            if (strcmp(json_string_value(json_object_get(line, "sku")), sku) == 0)
                found = line;
        }
        if (found != NULL)
            json_object_set_new(found, "qty", json_integer(
                json_integer_value(json_object_get(found, "qty")) + qty));
        else
            json_array_append_new(lines, json_pack("{s:s, s:I}", "sku", sku, "qty", qty));
    }
    return lines;
}

static void reserve(es_unit *c)
{
    if (json_object_get(c->snapshot, "inventory") != NULL)
        return;
    const char *seller = seller_of(c);
    c->stock_refuse = cfg_inventory_refuses(c->gen->cfg, seller);
    json_t *lines = order_lines(c);
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line) {
        const char *sku = json_string_value(json_object_get(line, "sku"));
        int tracked = 1;
        if (!c->stock_refuse) {
            st_stock st;
            char err[256];
            int rc = store_stock_get(c->e->o.store, seller, sku, &st, err, sizeof(err));
            /* Unreadable: sent anyway; the store skips it if it has no record. */
            if (rc < 0)
                log_warn("order %s: stock of %s unreadable (%s); reserving it", c->ce->id,
                         sku, err);
            tracked = rc != 1;
        }
        json_object_set_new(line, "tracked", json_boolean(tracked));
        if (tracked &&
            add_move(c, ST_STOCK_RESERVE, sku, json_integer_value(json_object_get(line, "qty"))))
            log_error("order %s: out of memory reserving %s", c->ce->id, sku);
    }
    json_object_set_new(c->snapshot, "inventory",
                        json_pack("{s:s, s:o}", "state", "reserved", "lines", lines));
}

/* Every tracked line, if the inventory is in state `from`: moved by `op`, then `to`. */
static void move_all(es_unit *c, st_stock_op op, const char *from, const char *to)
{
    json_t *inv = json_object_get(c->snapshot, "inventory");
    const char *state = json_string_value(json_object_get(inv, "state"));
    if (state == NULL || strcmp(state, from) != 0)
        return;
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(inv, "lines"), i, line) {
        if (json_is_true(json_object_get(line, "tracked")))
            add_move(c, op, json_string_value(json_object_get(line, "sku")),
                     json_integer_value(json_object_get(line, "qty")));
    }
    json_object_set_new(inv, "state", json_string(to));
}

void es_stock_order_input(es_unit *c, lc_input in)
{
    switch (in) {
    case LC_IN_VALIDATE:
        reserve(c);
        break;
    case LC_IN_CANCEL:
    case LC_IN_REJECT:
    case LC_IN_PAYMENT_TIMEOUT:
        move_all(c, ST_STOCK_RELEASE, "reserved", "released");
        break;
    case LC_IN_LABEL_CREATED:
        move_all(c, ST_STOCK_SELL, "reserved", "sold");
        break;
    default:
        break;
    }
}

/* Whether the return covers `sku`: it names it, or it names none (the whole order). */
static int return_has(const json_t *ret, const char *sku)
{
    const json_t *skus = json_object_get(ret, "skus");
    if (!json_is_array(skus))
        return 1;
    size_t i;
    const json_t *s;
    json_array_foreach(skus, i, s) {
        if (json_is_string(s) && strcmp(json_string_value(s), sku) == 0)
            return 1;
    }
    return 0;
}

void es_stock_return(es_unit *c, json_t *ret)
{
    json_t *inv = json_object_get(c->snapshot, "inventory");
    const char *state = json_string_value(json_object_get(inv, "state"));
    if (state == NULL || strcmp(state, "sold") != 0 ||
        !json_is_true(json_object_get(ret, "resellable")) ||
        json_object_get(ret, "restocked") != NULL)
        return;
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(inv, "lines"), i, line) {
        const char *sku = json_string_value(json_object_get(line, "sku"));
        if (!json_is_true(json_object_get(line, "tracked")) || sku == NULL ||
            !return_has(ret, sku))
            continue;
        /* Two returns naming one SKU give back at most what was sold of it. */
        json_int_t qty = json_integer_value(json_object_get(line, "qty")) -
                         json_integer_value(json_object_get(line, "restocked"));
        if (qty <= 0)
            continue;
        if (add_move(c, ST_STOCK_RESTOCK, sku, qty) == 0)
            json_object_set_new(line, "restocked", json_integer(qty +
                json_integer_value(json_object_get(line, "restocked"))));
    }
    json_object_set_new(ret, "restocked", json_true());
}

json_t *es_stock_event_data(const es_unit *c, const char *event, const json_t *data)
{
    if (strcmp(event, "inventory.reserved") != 0 && strcmp(event, "inventory.released") != 0 &&
        strcmp(event, "inventory.restocked") != 0)
        return json_incref((json_t *)data);
    json_t *copy = json_is_object(data) ? json_deep_copy(data) : json_object();
    json_object_set_new(copy, "lines", c->stock_lines ? json_deep_copy(c->stock_lines)
                                                      : json_array());
    return copy;
}
