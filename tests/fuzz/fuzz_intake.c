/*
 * fuzz_intake - libFuzzer target: an order submission (POST /v1/orders body) through the
 * calls core/api/orders.c makes: host_json_parse (size and depth caps, duplicate keys
 * refused), then intake_validate (validation and normalisation in place); a valid order is
 * serialised as the engine stores it.
 */
#include "config.h"

#include "api/intake.h"
#include "host/host.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The API hands over the body in an allocation of its own size: ASan sees over-reads. */
    char *body = malloc(size + 1);
    if (body == NULL)
        return 0;
    memcpy(body, data, size);
    body[size] = '\0';
    oh_error perr = {{0}};
    json_t *order = host_json_parse(body, size, &perr);
    if (order != NULL) {
        char field[64] = "", why[256] = "";
        if (intake_validate(order, field, sizeof(field), why, sizeof(why)) == INTAKE_OK) {
            char *text = json_dumps(order, JSON_COMPACT);
            free(text);
        }
        json_decref(order);
    }
    free(body);
    return 0;
}
