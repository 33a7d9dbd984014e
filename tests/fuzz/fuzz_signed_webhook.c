/*
 * fuzz_signed_webhook - libFuzzer target: plugins/common/signed_webhook.c, the
 * "t=UNIX,v1=HEX" signature check of the Stripe, sandbox payment and sandbox carrier
 * webhooks, on its own so the header parser gets every execution.  Input: the first line
 * is the signature header's value, the rest the body.  Signed with the Stripe fixtures'
 * secret and clock, so a seed carrying a fixture's real signature passes.
 */
#include "config.h"

#include "host/host.h"
#include "signed_webhook.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FZ_SECRET "whsec_fixture0123456789abcdefABCDEF"
#define FZ_NOW_UNIX 1767225760

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - (const char *)data) : size;
    char *value = strndup((const char *)data, head);
    size_t body_len = nl ? size - head - 1 : 0;
    char *body = malloc(body_len + 1);
    if (value == NULL || body == NULL) {
        free(value);
        free(body);
        return 0;
    }
    memcpy(body, nl ? nl + 1 : "", body_len);
    body[body_len] = '\0';
    const oh_header h = {.name = "Stripe-Signature", .value = value};
    const oh_inbound in = {.struct_size = sizeof(in), .method = "POST",
                           .path = "/v1/webhooks/fuzz", .query = "", .headers = &h,
                           .header_count = 1, .body = body, .body_len = body_len};
    oh_error err = {{0}};
    signed_webhook_verify(host_api(), &in, "Stripe-Signature", FZ_SECRET, 300, FZ_NOW_UNIX,
                          &err);
    free(value);
    free(body);
    return 0;
}
