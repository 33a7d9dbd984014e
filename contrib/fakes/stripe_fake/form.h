/*
 * form.h - application/x-www-form-urlencoded bodies as Stripe reads them: keys and values
 * percent-decoded ('+' is a space), nested keys kept as written ("metadata[order_id]").
 */
#ifndef STRIPE_FAKE_FORM_H
#define STRIPE_FAKE_FORM_H

#include <stddef.h>

typedef struct sf_pair {
    char *key, *value;
} sf_pair;

typedef struct sf_form {
    sf_pair *pairs;
    size_t count;
} sf_form;

/* Decode `body` into f (zeroed by the caller).  0, or -1 on a malformed escape / no memory. */
int sf_form_parse(const char *body, sf_form *f);
void sf_form_free(sf_form *f);
/* The value of `key` (the last one given), or NULL. */
const char *sf_form_get(const sf_form *f, const char *key);
/* The parameters in a canonical order ("k=v\n" sorted): equal iff the requests are. */
char *sf_form_canonical(const sf_form *f);

#endif
