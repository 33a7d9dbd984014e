/*
 * stripe_amount - orderhub counts in the ISO 4217 minor unit; Stripe counts in "the
 * currency's smallest unit" too, which is the same number for every currency but these:
 *
 *   ISK  ISO 4217 has no minor unit (krona = 1), but Stripe still wants two decimals "to
 *        maintain backwards compatibility" (5 ISK is sent as 500): x100 out, /100 in.
 *   BHD JOD KWD OMR TND  three decimals in both, but Stripe refuses a last digit other
 *        than 0 (its partners round to tens): refused here before anything is sent.
 *
 * Zero-decimal currencies (JPY, KRW, CLP, VND, ...) need nothing: ISO and Stripe both count
 * whole units (500 JPY is amount=500).  Amounts Stripe sends back are converted the same way.
 */
#include "stripe.h"

#include <string.h>

static int is_one_of(const char *currency, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(currency, *list) == 0)
            return 1;
    return 0;
}

static const char *const two_decimal_on_stripe[] = {"ISK", NULL};
static const char *const tens_only[] = {"BHD", "JOD", "KWD", "OMR", "TND", NULL};

int stripe_amount_to_wire(const char *currency, int64_t amount, int64_t *out, oh_error *err)
{
    if (amount < 0)
        return oh_error_set(err, OH_FAIL, "amount %lld is negative", (long long)amount);
    if (is_one_of(currency, two_decimal_on_stripe)) {
        if (amount > INT64_MAX / 100)
            return oh_error_set(err, OH_FAIL, "amount %lld %s is too large",
                                (long long)amount, currency);
        *out = amount * 100;
        return OH_OK;
    }
    if (is_one_of(currency, tens_only) && amount % 10 != 0)
        return oh_error_set(err, OH_FAIL,
                            "Stripe takes %s amounts in multiples of 10 (0.010), not %lld",
                            currency, (long long)amount);
    *out = amount;
    return OH_OK;
}

int64_t stripe_amount_from_wire(const char *currency, int64_t amount)
{
    return is_one_of(currency, two_decimal_on_stripe) ? amount / 100 : amount;
}
