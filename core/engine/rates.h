/*
 * rates - rate shopping (rates.c): of the services a carrier quoted, the cheapest whose
 * level meets the order's.  rates_level_rank is part of the engine's front (engine.h
 * includes this header).
 */
#ifndef OH_RATES_H
#define OH_RATES_H

#include <jansson.h>
#include <orderhub/carrier.h>

/* rates_level_rank - a service level's rank, slowest first (economy 0, standard 1,
 * express 2, overnight 3); -1 for NULL or an unknown name. */
int rates_level_rank(const char *level);

/* rates_quote_json - the quote as JSON {"rates":[...], "requested_level", "chosen"?}
 * (new ref). */
json_t *rates_quote_json(const oh_rate_list *list, const char *wanted_level);

#endif
