/*
 * fuzz_payment_stripe - libFuzzer target: every answer and webhook parser of
 * plugins/payment/stripe (compiled into this target; input format: fuzz_plugin.h).
 */
#include "config.h"

#include "fuzz_plugin.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The settings of plugins/payment/stripe/fixtures/settings.args: loopback, fake keys. */
    fz_plugin_init("secret_key = \"sk_test_fixtures_0123456789\"; "
                   "webhook_secret = \"whsec_fixture0123456789abcdefABCDEF\";");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_payment_one(data, size);
}
