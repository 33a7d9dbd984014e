/*
 * fuzz_notify_chat - libFuzzer target: the answer parser (response_parse) of notify_chat,
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
    fz_tmp_write("chat/default.txt", text, sizeof(text) - 1);
    char settings[1024];
    snprintf(settings, sizeof(settings), "webhook_url = \"https://hooks.example.test/fuzz\"; "
                                         "template_dir = \"%s\";", fz_tmp_dir());
    fz_plugin_init(settings);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_notifier_one(data, size);
}
