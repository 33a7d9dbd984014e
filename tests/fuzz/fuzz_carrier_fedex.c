/*
 * fuzz_carrier_fedex - libFuzzer target: every answer and webhook parser of
 * plugins/carrier/fedex (compiled into this target; input format: fuzz_plugin.h).
 */
#include "config.h"

#include "fuzz_plugin.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The settings of plugins/carrier/fedex/fixtures/settings.args: loopback, fake keys. */
    fz_plugin_init("base_url = \"http://127.0.0.1:1\"; "
                   "client_id = \"l7fixture0000000000000000000000000\"; "
                   "client_secret = \"fixture0secret0000000000000000000\";");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_carrier_one(data, size);
}
