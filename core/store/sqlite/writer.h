/*
 * writer - the writer thread: runs the queued jobs (submit.h) in group commits.
 */
#ifndef OH_STORE_SQLITE_WRITER_H
#define OH_STORE_SQLITE_WRITER_H

#include "sqlite_types.h"

int sti_writer_start(store_impl *s, char *err, size_t errlen);
void sti_writer_stop(store_impl *s);

#endif
