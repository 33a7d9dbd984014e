/*
 * tk_usage - the usage text of orderhub-plugin.
 */
#ifndef TK_USAGE_H
#define TK_USAGE_H

#include <stdio.h>

/* tk_usage - the tool's whole usage text. */
void tk_usage(FILE *out);

#endif
