/*
 * stock_import - `stock import FILE`: a CSV or JSON-lines file of stock levels, checked
 * whole before anything is sent, then sent in bulk writes of at most the API's limit.
 */
#ifndef OH_CTL_STOCK_IMPORT_H
#define OH_CTL_STOCK_IMPORT_H

#include "ctl.h"

/* The API's bounds on one bulk write (docs/api.md, Limits): items and body bytes. */
#define STOCK_BULK_ITEMS 1000
#define STOCK_BULK_BYTES (64 * 1024)

/* stock_import - argv[0] is "stock import"; the exit status. */
int stock_import(ctl *c, int argc, char **argv);

#endif
