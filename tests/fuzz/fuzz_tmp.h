/*
 * fuzz_tmp - a scratch directory of one fuzzing process, for the parsers whose only entry
 * is a file (the configuration file, template directories): the target writes each input
 * there and calls the production loader on it, so no parse-from-memory seam is needed.
 */
#ifndef FUZZ_TMP_H
#define FUZZ_TMP_H

#include <stddef.h>

/* fz_tmp_dir - the directory (created on first use, removed at exit); aborts on failure. */
const char *fz_tmp_dir(void);

/* fz_tmp_write - write `len` bytes to `name` (relative to fz_tmp_dir, subdirectories
 * created); returns the full path (static buffer, valid until the next call); aborts on
 * failure. */
const char *fz_tmp_write(const char *name, const void *data, size_t len);

#endif
