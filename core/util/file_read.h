/*
 * file_read - read a whole small file that the configuration names (the main file, an
 * @include, a file: secret) without ever blocking on it.
 *
 * open(2) of a FIFO waits for a writer and read(2) of a device may never end: either would
 * hang --check-config and a reload (which runs where SIGTERM is handled).  So the path is
 * opened O_NONBLOCK, the OPENED descriptor is checked with fstat (no window in which the
 * path could be swapped for something else) to be a regular file of at most `max` bytes,
 * and the content is read from that same descriptor.  Symbolic links are followed on
 * purpose: secrets are commonly links into a secrets mount.
 */
#ifndef OH_FILE_READ_H
#define OH_FILE_READ_H

#include <stddef.h>

/* fr_read_regular's answer when the file is larger than `max` (other failures: -1). */
#define FR_TOO_LARGE (-2)

/*
 * fr_read_regular - the content of `path` (malloc'd, `*len` bytes plus a NUL) into *out.
 * 0, or -1 / FR_TOO_LARGE with `why` set to the reason WITHOUT the path (callers say which file it is):
 * the errno text of open(2), "it is a FIFO, not a regular file", "it is larger than <max>
 * bytes", ...  The content is never quoted in `why`.
 */
int fr_read_regular(const char *path, size_t max, char **out, size_t *len, char *why,
                    size_t whylen);

#endif
