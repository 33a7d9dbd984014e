#include "config.h"

#include "events.h"

#include <string.h>

/* Filters and notifiers may act on any event: a verdict or a message fits everywhere. */
#define ANY (EVT_KIND_BIT(OH_KIND_FILTER) | EVT_KIND_BIT(OH_KIND_NOTIFIER))
/* Events where money moves: authorize, void, capture, refund. */
#define PAY (ANY | EVT_KIND_BIT(OH_KIND_PAYMENT))
/* Events where a carrier is asked for a label or a rate. */
#define SHIP (ANY | EVT_KIND_BIT(OH_KIND_CARRIER))

static const evt_info table[] = {
    {"order.placed", PAY},            /* placement filters, then authorize */
    {"order.validated", PAY},
    {"order.rejected", ANY},
    {"order.confirmed", PAY},  /* capture at once (instead of on label creation) */
    {"order.acknowledged", SHIP},     /* rate shopping once the seller accepts */
    {"order.cancelled", PAY},         /* void the authorization */
    {"order.completed", ANY},
    {"payment.authorized", ANY},
    {"payment.failed", ANY},
    {"payment.captured", ANY},
    {"payment.voided", ANY},
    {"payment.refunded", ANY},
    {"seller.notified", ANY},
    {"seller.debited", ANY},
    {"sla.ship_by_warning", ANY},
    {"sla.ship_by_breached", ANY},
    {"fulfillment.packed", SHIP},     /* label and customs documents */
    {"shipment.label_created", PAY},  /* capture on label creation */
    {"shipment.info_received", ANY},
    {"shipment.in_transit", ANY},
    {"shipment.out_for_delivery", ANY},
    {"shipment.attempt_failed", ANY},
    {"shipment.available_for_pickup", ANY},
    {"shipment.delivered", ANY},
    {"shipment.exception", ANY},
    {"shipment.returned_to_sender", ANY},
    {"delivery.unconfirmed", PAY},    /* automatic buyer refund */
    {"return.requested", ANY},
    {"return.approved", SHIP},        /* return label */
    {"return.rejected", ANY},
    {"return.label_created", ANY},
    {"return.in_transit", ANY},
    {"return.received", ANY},
    {"return.inspected", PAY},        /* refund after inspection */
    {"return.refunded", ANY},
    {"return.exchanged", ANY},
    {"dispute.opened", ANY},
    {"dispute.resolved", PAY},        /* refund when resolved for the buyer */
    {"inventory.reserved", ANY},
    {"inventory.released", ANY},
    {"inventory.restocked", ANY},
    {"inventory.low", ANY},           /* a reservation took a SKU below its low threshold */
};

const evt_info *evt_all(size_t *count)
{
    *count = sizeof(table) / sizeof(table[0]);
    return table;
}

const evt_info *evt_find(const char *name)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

int evt_route_matches(const char *on, const char *name)
{
    size_t n = strlen(on);
    if (n >= 2 && on[n - 1] == '*' && on[n - 2] == '.')
        return strncmp(on, name, n - 1) == 0;
    return strcmp(on, name) == 0;
}

int evt_route_kinds(const char *on, unsigned *kinds)
{
    unsigned mask = ~0u;
    int matched = 0;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (evt_route_matches(on, table[i].name)) {
            mask &= table[i].kinds;
            matched = 1;
        }
    }
    if (!matched)
        return -1;
    *kinds = mask;
    return 0;
}
