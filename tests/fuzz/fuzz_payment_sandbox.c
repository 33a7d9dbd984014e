/*
 * fuzz_payment_sandbox - libFuzzer target: every answer and webhook parser of
 * plugins/payment/sandbox (compiled into this target; input format: fuzz_plugin.h).
 */
#include "config.h"

#include "fuzz_plugin.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Fake keys; the webhook secret of the Stripe fixtures (the same signing scheme). */
    fz_plugin_init("api_key = \"fuzz-key\"; "
                   "webhook_secret = \"whsec_fixture0123456789abcdefABCDEF\";");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_payment_one(data, size);
}
