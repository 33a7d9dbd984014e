/*
 * rates - rate shopping: of the services a carrier quoted, the cheapest whose level meets
 * the order's (a faster level meets a slower one), fewer transit days breaking a tie.  The
 * quote is kept in the order's snapshot ("quotes".<carrier instance>) and its service is
 * what the label asks for, unless the seller named one when packing.
 */
#include "config.h"

#include "rates.h"

#include "host/host.h"

#include <string.h>

static const char *const levels[] = {"economy", "standard", "express", "overnight"};

/* The rank of a service level, slowest first; -1 for a name we do not know. */
int rates_level_rank(const char *level)
{
    for (int i = 0; level != NULL && i < (int)(sizeof(levels) / sizeof(levels[0])); i++) {
        if (strcmp(levels[i], level) == 0)
            return i;
    }
    return -1;
}

json_t *rates_quote_json(const oh_rate_list *list, const char *wanted_level)
{
    int wanted = rates_level_rank(wanted_level);
    if (wanted < 0)
        wanted = rates_level_rank("standard");
    json_t *rates = json_array();
    const oh_rate *best = NULL;
    for (size_t i = 0; i < list->count; i++) {
        const oh_rate *r = &list->rates[i];
        json_array_append_new(rates, json_pack("{s:s, s:s, s:I, s:s, s:i}", "service", r->service,
                                               "service_level", r->service_level, "amount",
                                               (json_int_t)r->amount, "currency", r->currency,
                                               "transit_days", r->transit_days));
        if (rates_level_rank(r->service_level) < wanted || r->service[0] == '\0')
            continue;
        /* Quotes in another currency than the best so far cannot be compared: first wins. */
        if (best != NULL && strcmp(best->currency, r->currency) != 0)
            continue;
        if (best == NULL || r->amount < best->amount ||
            (r->amount == best->amount && r->transit_days > 0 &&
             (best->transit_days == 0 || r->transit_days < best->transit_days)))
            best = r;
    }
    json_t *out = json_pack("{s:o, s:s}", "rates", rates, "requested_level",
                            levels[wanted]);
    if (out != NULL && best != NULL)
        json_object_set_new(out, "chosen",
                            json_pack("{s:s, s:s, s:I, s:s}", "service", best->service,
                                      "service_level", best->service_level, "amount",
                                      (json_int_t)best->amount, "currency", best->currency));
    return out;
}
