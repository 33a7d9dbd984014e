/*
 * sbuf.h - a growable string for the XML renderers. Allocation failure is sticky: the
 * renderer finishes and sb_take() returns NULL, which the server answers with a 500.
 */
#ifndef CARRIER_FAKE_SBUF_H
#define CARRIER_FAKE_SBUF_H

#include <stddef.h>

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, " and ' escaped (NULL appends nothing). */
void sb_xml(sbuf *b, const char *s);
/* <name>escaped text</name>, or <name/> when text is NULL or empty. */
void sb_elem(sbuf *b, const char *name, const char *text);
/* Returns the malloc'd string (caller frees) or NULL after an allocation failure. */
char *sb_take(sbuf *b);

#endif
