/*
 * intake_codes - the code tables intake checks against (countries, currencies, regions) and
 * the id rule; the API checks ids and carrier names with them too.
 */
#ifndef OH_INTAKE_CODES_H
#define OH_INTAKE_CODES_H

/* intake_id_ok - an order id: 1 to 63 of [A-Za-z0-9_-]. */
int intake_id_ok(const char *id);

/* intake_country_known - `code` is an assigned ISO 3166-1 alpha-2 code (uppercase). */
int intake_country_known(const char *code);

/* intake_currency_known - `code` is an ISO 4217 currency code in use (uppercase). */
int intake_currency_known(const char *code);

/* Region codes (intake_codes.c): 1 when known. */
int iv_us_region_known(const char *code);
int iv_ca_region_known(const char *code);

#endif
