/*
 * fuzz_time - libFuzzer target: host_time_parse, the ISO-8601 reader every plugin gets as
 * host->time_parse and the host itself uses to order events (track_result.c) and expire
 * shipments (engine/tracking.c).  The input is the text (NUL-terminated copy).  Checked
 * besides memory safety: an accepted text gives a result in its declared range (0 local
 * time, 1 with an offset) and the same instant on a second read.
 */
#include "config.h"

#include "host/host.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int64_t ms = 0, again = 0;
    int rc = host_time_parse(text, &ms);
    if (rc > 1 || rc < -1)
        abort();
    if (rc >= 0 && (host_time_parse(text, &again) != rc || again != ms))
        abort();
    free(text);
    return 0;
}
