/*
 * bank.h - the fake's Stripe account: PaymentIntents, their charges, refunds and the
 * idempotency records, behind one lock.  Pure request -> answer logic (no HTTP types):
 * the server authenticates, then hands the method, path, form body and Idempotency-Key.
 */
#ifndef STRIPE_FAKE_BANK_H
#define STRIPE_FAKE_BANK_H

#include "fake.h"

typedef struct sf_bank sf_bank;

sf_bank *sf_bank_new(const sf_config *cfg);
void sf_bank_free(sf_bank *b);

/* Answer one authenticated API request into `out` (zeroed by the caller). `idem` may be
 * NULL.  The answer is recorded under `idem` when it should be, and replayed for a repeat. */
void sf_bank_handle(sf_bank *b, const char *method, const char *path, const char *body,
                    const char *idem, sf_reply *out);

/* GET /fake/ledger: {"charges":[...], "payment_intents":[...], "refunds":[...],
 * "counters":{...}} as a malloc'd string, or NULL when out of memory. */
char *sf_bank_ledger(sf_bank *b);
/* Counts an answer injected in front of the bank (--error-rate) in the ledger. */
void sf_bank_count_injected(sf_bank *b);
void sf_bank_reset(sf_bank *b);

#endif
