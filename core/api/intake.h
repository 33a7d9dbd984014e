/*
 * intake - validation of an order submission (POST /v1/orders).  Strict: unknown members,
 * wrong types, missing fields, out-of-range strings, non-integer amounts, unknown codes and
 * totals that do not add up are refused with the name of the offending field.
 *
 * The order's members (anything else is refused):
 *   id                optional, [A-Za-z0-9_-]{1,63}; generated ("ord_" + 16 hex) when absent
 *   seller            required {id (required, like an order id), email, address}
 *   buyer             optional {id, name (1..100), email, phone}
 *   items             required, 1..100 of {sku (1..64), quantity (1..10000), unit_price
 *                     (integer minor units, 0..1e11), name (optional, <= 200)}
 *   currency          required, an ISO 4217 currency code (uppercase) in use
 *   total             optional integer minor units, must equal sum(quantity x unit_price);
 *                     computed when absent
 *   shipping_address  required address (below)
 *   payment           required {token (1..255)}: nothing else; the members the engine
 *                     records from the gateways (instance, status, transaction_id, amount,
 *                     currency, code, decline_code, message) are refused by name
 *   service_level     optional, economy | standard | express | overnight; "standard" when
 *                     absent
 *   description       optional string, <= 500 characters
 *   metadata          optional object, <= 20 members, names [a-z0-9_]{1,40}, values strings
 *                     of <= 200 characters
 * An address (shipping_address, seller.address): name, street1 (1..100), city (1..64),
 * postal_code, country (ISO 3166-1 alpha-2, uppercase, an assigned code) required; street2
 * (1..100), company (1..100), region (<= 64), phone, email optional.  A phone is 1..32 of
 * digits, space, + - ( ) with at least one digit; an email is <= 254 bytes, no spaces, one @
 * between a non-empty local part (<= 64) and a domain with a dot (not first or last, no "..").
 * A postal code is 1..12 of [A-Za-z0-9 -]; for US 12345 or 12345-6789, CA A1A 1A1 (space
 * optional, any case: stored upper case with one space), GB a UK postcode incl. GIR 0AA
 * (space optional, any case: stored upper case with one space before the inward code), DE
 * five digits.  A US region is a USPS state/territory code, a CA region a province/territory
 * code (any case: stored upper case).  Lengths count characters (UTF-8 code points); name,
 * street1 and city must not be blank.  No string anywhere in the order (member names
 * included) may contain a control character (U+0000..U+001F, U+007F).
 */
#ifndef OH_INTAKE_H
#define OH_INTAKE_H

#include "api/intake_types.h"

#include <jansson.h>
#include <stddef.h>

/*
 * intake_validate - check `order` (a parsed JSON object).  Returns:
 *   0   valid; `order` was completed and normalised in place: a missing "id" generated, a
 *       missing "total" computed, a missing "service_level" set to "standard", CA and GB
 *       postal codes and US and CA regions rewritten to their canonical form;
 *   -1  (INTAKE_MALFORMED, HTTP 400) malformed: not an object, a member of the wrong type,
 *       missing, unknown or reserved, a string too long or with a forbidden character, a
 *       malformed email or phone, an unknown service level, a bad id (or none could be
 *       generated);
 *   -2  (INTAKE_IMPOSSIBLE, HTTP 422) well-formed but semantically impossible: total not the
 *       items' sum, items' sum over the limit, a currency or country code that is not
 *       assigned, a postal code or region not valid for its country.
 * On error `field` names the offending member (e.g. "items[2].quantity",
 * "shipping_address.postal_code"; "" for the body itself) and `why` says what is wrong; a
 * malformed body is reported as such even when it is also semantically wrong; `order` is
 * left unchanged.
 */
int intake_validate(json_t *order, char *field, size_t fieldlen, char *why, size_t whylen);

#endif
