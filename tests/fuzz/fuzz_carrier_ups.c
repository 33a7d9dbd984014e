/*
 * fuzz_carrier_ups - libFuzzer target: every answer and webhook parser of
 * plugins/carrier/ups (compiled into this target; input format: fuzz_plugin.h).
 */
#include "config.h"

#include "fuzz_plugin.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The settings of plugins/carrier/ups/fixtures/settings.args: loopback, fake keys. */
    fz_plugin_init("client_id = \"test-client-id\"; "
                   "client_secret = \"test-client-secret\"; "
                   "account_number = \"A1B2C3\";");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_carrier_one(data, size);
}
