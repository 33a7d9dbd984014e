/*
 * intake_context - the validation context every rule of intake records into, and the
 * string and member checks the rules are made of.  Each check that fails records the
 * first malformation (a 400: the offending field and why) and returns INTAKE_MALFORMED;
 * an impossibility (a 422) is recorded and validation goes on, so that a malformation
 * found later still wins.
 */
#ifndef OH_INTAKE_CONTEXT_H
#define OH_INTAKE_CONTEXT_H

#include "api/intake_types.h"

#include <jansson.h>
#include <stddef.h>

#define MAX_FIXES 4 /* normalisations: postal code and region of two addresses */

typedef struct vctx {
    char *field, *why; /* the caller's buffers: the first malformation (400) */
    size_t fl, wl;
    int impossible;    /* a 422 was found: kept while no 400 turns up */
    char ifield[128], iwhy[256];
    struct {
        json_t *str;
        char val[16];
    } fix[MAX_FIXES];  /* normalisations, applied only when the order is valid */
    size_t nfix;
} vctx;

/* iv_e400 - record the malformation `prefix`.`name` (either may be empty) and why; returns
 * INTAKE_MALFORMED. */
__attribute__((format(printf, 4, 5))) int iv_e400(vctx *c, const char *prefix,
                                                  const char *name, const char *fmt, ...);

/* iv_e422 - record an impossibility unless one is already kept; validation goes on. */
__attribute__((format(printf, 4, 5))) void iv_e422(vctx *c, const char *prefix,
                                                   const char *name, const char *fmt, ...);

/* iv_add_fix - remember to set string `str` (owned by the order) to `val` once the order
 * is valid; nothing when equal or when MAX_FIXES are kept. */
void iv_add_fix(vctx *c, json_t *str, const char *val);

/* Byte classes of ASCII text. */
int iv_has_control(const char *s, size_t n); /* any of U+0000..U+001F, U+007F in s[0..n) */
int iv_blank(const char *s);                 /* only spaces (or empty) */
int iv_is_upper(char ch);
int iv_is_digit(char ch);
char iv_to_upper(char ch);
int iv_upper_code(const char *s, size_t len); /* exactly `len` of A-Z */

/* iv_str_member - member `key` of `obj`: absent is fine unless `required`; when present,
 * a string of lo..hi characters (not blank when lo > 0).  *out: the member (borrowed) or
 * NULL.  0, or INTAKE_MALFORMED. */
int iv_str_member(vctx *c, const json_t *obj, const char *prefix, const char *key,
                  int required, size_t lo, size_t hi, json_t **out);

/* iv_in_list - 1 when s is in the NULL-terminated list (a NULL list holds nothing). */
int iv_in_list(const char *const *list, const char *s);

/* iv_only_members - refuse the first member of `obj` outside `allowed`; one orderhub writes
 * itself (`owned`, may be NULL) is refused as such.  0, or INTAKE_MALFORMED. */
int iv_only_members(vctx *c, const json_t *obj, const char *prefix,
                    const char *const *allowed, const char *const *owned);

/* intake_chars - characters (UTF-8 code points) of a JSON string: what every length limit
 * of the API counts.  0 for anything else. */
size_t intake_chars(const json_t *s);

#endif
