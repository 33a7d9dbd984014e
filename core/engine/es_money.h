/* es_money - the money an input authorizes, captures or refunds (see es_unit.h for the es_
 * layer). */
#ifndef OH_ES_MONEY_H
#define OH_ES_MONEY_H

#include "es_unit.h"

/*
 * es_money_order_input - after order input `in` was applied: payment_authorized and
 * payment_captured record their amount (the gateway's answer, else the order's total) in
 * the snapshot's payment member and as a move of the unit, so the store knows what a
 * refund may give back.  Other inputs: nothing.
 */
void es_money_order_input(es_unit *c, lc_input in, const json_t *data);

/*
 * es_money_void - a void of the authorization is on its way (a cancelled order): what it
 * releases (all the authorization not yet refunded; nothing once captured) is reserved
 * like a refund (cause "void") and kept in the payment's voided_total, so that no later
 * dispute refunds money that was never taken.  0, or -1 with c->error set.
 */
int es_money_void(es_unit *c, const char *event);

/*
 * es_money_refund - the refund that `event` (with its data) asks of a payment instance:
 * a return its lines, a dispute its `amount` (default what remains), an unconfirmed
 * delivery what remains.  Reserves it in the unit (the store refuses the unit if, by then,
 * less remains) and in the snapshot's payment totals, and returns the action's data: a
 * copy of `data` with "refund": {"amount", "currency", "cause"} (new reference).  NULL with
 * *skip set: nothing to refund (an unconfirmed delivery with nothing left).  NULL without
 * it: refused - more than remains (c->overrefund set, c->error naming the refundable) or
 * no room.
 */
json_t *es_money_refund(es_unit *c, const char *event, const json_t *data, int *skip);

#endif
