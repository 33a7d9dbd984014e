/*
 * ka - the table of kind adapters by plugin kind (ka.h).  A kind whose steps never run as
 * outbox actions (filters: local, on the worker) has none.
 */
#include "config.h"

#include "ka.h"

const ka_adapter *ka_for(oh_plugin_kind kind)
{
    static const ka_adapter *const table[] = {
        [OH_KIND_PAYMENT] = &ka_payment,
        [OH_KIND_CARRIER] = &ka_carrier,
        [OH_KIND_NOTIFIER] = &ka_notifier,
    };
    if ((size_t)kind >= sizeof(table) / sizeof(table[0]))
        return NULL;
    return table[kind];
}
