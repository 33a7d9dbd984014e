/*
 * fuzz_payment_authorizenet - libFuzzer target: every answer and webhook parser of
 * plugins/payment/authorizenet (compiled into this target; input format: fuzz_plugin.h).
 */
#include "config.h"

#include "fuzz_plugin.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* The settings of plugins/payment/authorizenet/fixtures/settings.args: loopback, fake keys. */
    fz_plugin_init("base_url = \"https://apitest.authorize.net/xml/v1/request.api\"; "
                   "api_login_id = \"5KP3u95bQpv\"; "
                   "transaction_key = \"346HZ32z3fP4hTG2\";");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_payment_one(data, size);
}
