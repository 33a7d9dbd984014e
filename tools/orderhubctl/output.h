/*
 * output - how orderhubctl prints: aligned tables, amounts in the currency's minor units,
 * local times, the server's JSON as is (--json).  Text from the server is cleaned of
 * control characters before it reaches the terminal.
 */
#ifndef OH_CTL_OUTPUT_H
#define OH_CTL_OUTPUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* out_clean - a copy of s (NULL: "") whose control characters (C0, DEL, C1) are '?'.
 * Allocated; NULL when out of memory. */
char *out_clean(const char *s);

/* out_scalar - a JSON value as one line of text: a string as is, a number, true/false,
 * "" for null or absent, {"major","minor"} as "major.minor", anything else as compact
 * JSON; cleaned as out_clean.  Allocated; NULL when out of memory. */
char *out_scalar(const json_t *v);

/* out_minor_digits - the decimals of a currency's minor unit (ISO 4217): 2 unless listed
 * (JPY, KRW and the other zero-decimal currencies 0; BHD, KWD, ... 3). */
int out_minor_digits(const char *currency);

/* out_money - "37.99" for 3799 USD, "1200" for 1200 JPY. */
void out_money(char *buf, size_t n, long long minor, const char *currency);

/* out_local_time - "YYYY-MM-DD HH:MM:SS" in the local time zone for Unix ms. */
void out_local_time(char *buf, size_t n, long long ms);

/* out_raw - the server's body exactly, with a newline added when it has none. */
void out_raw(const char *body, size_t len);

/* out_json - j as compact JSON and a newline. */
void out_json(const json_t *j);

/* A table: one header line, rows aligned by column (widths in characters, not bytes);
 * the last column is not padded.  Cells are cleaned as out_clean. */
typedef struct out_table out_table;

/* right_mask: bit i set right-aligns column i. */
out_table *out_table_new(size_t ncols, const char *const *headers, unsigned right_mask);
int out_table_add(out_table *t, const char *const *cells);   /* 0, -1 out of memory */
size_t out_table_rows(const out_table *t);
void out_table_print(const out_table *t, FILE *f, int indent);
void out_table_free(out_table *t);

/* out_table_or_none - the table on stdout, or the line `none` when it has no rows. */
void out_table_or_none(const out_table *t, const char *none);

/*
 * out_collected - what a verb gathered over every page: with json, the document {key:
 * items, next_key: null}; otherwise out_table_or_none.
 */
void out_collected(int json, const out_table *t, json_t *items, const char *key,
                   const char *next_key, const char *none);

#endif
