/*
 * file_append - the file:// scheme: one write(2) of data to the file a URL names.
 */
#ifndef OH_EXECUTOR_FILE_APPEND_H
#define OH_EXECUTOR_FILE_APPEND_H

#include <stddef.h>

int ex_file_append(const char *url, const void *data, size_t len, char *err, size_t errlen);

#endif
