/*
 * fuzz_notify_sms - libFuzzer target: the answer parser (response_parse) of notify_sms,
 * compiled into this target (input format: fuzz_plugin.h; byte 0 unused).
 */
#include "config.h"

#include "fuzz_plugin.h"
#include "fuzz_tmp.h"

#include <stdio.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* init loads the channel's templates: one default in a scratch template_dir. */
    static const char text[] = "Order {{order.id}}: {{shipment.status}}\n";
    fz_tmp_write("sms/default.txt", text, sizeof(text) - 1);
    char settings[1024];
    snprintf(settings, sizeof(settings), "account_sid = \"AC0123456789abcdef0123456789abcdef\"; "
                   "auth_token = \"fuzz-token\"; "
                   "from = \"+15555550100\"; "
                   "template_dir = \"%s\";", fz_tmp_dir());
    fz_plugin_init(settings);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_notifier_one(data, size);
}
