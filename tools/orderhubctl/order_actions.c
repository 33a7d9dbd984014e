/*
 * order_actions.c - the actions on an order as a whole: the seller's (ack, pack, ship,
 * cancel) and the buyer's new payment method.
 */
#include "config.h"

#include "order_actions.h"

#include "ctl.h"
#include "options.h"
#include "orders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- seller actions --------------------------------------------------------------- */

static const char ack_help[] =
    "usage: orderhubctl ack ID\n"
    "\n"
    "Seller: acknowledge the order (POST /v1/orders/ID/ack); print its id and state.\n";

static const char cancel_help[] =
    "usage: orderhubctl cancel ID\n"
    "\n"
    "Cancel the order (seller, storefront, support); print its id and state.\n";

static int simple_action(ctl *c, int argc, char **argv, const char *help, const char *action)
{
    int first, rc = ctl_parse(c, argc, argv, help, NULL, ord_no_opt, NULL, 1, 1, &first);
    return rc >= 0 ? rc : ord_post_action(c, argv[first], NULL, action, NULL, NULL);
}

int verb_ack(ctl *c, int argc, char **argv)
{
    return simple_action(c, argc, argv, ack_help, "ack");
}

int verb_cancel(ctl *c, int argc, char **argv)
{
    return simple_action(c, argc, argv, cancel_help, "cancel");
}

static const char pack_help[] =
    "usage: orderhubctl pack ID [--parcel WEIGHT_G[xLxWxH]]...\n"
    "\n"
    "Seller: the order is packed (POST /v1/orders/ID/pack); print its id and state.\n"
    "\n"
    "  --parcel WEIGHT_G[xLxWxH]  one parcel (repeat for more): its weight in grams and\n"
    "                             optionally its length, width and height in mm, as\n"
    "                             950 or 950x250x200x120\n";

static const char ship_help[] =
    "usage: orderhubctl ship ID [--service-level L] [--carrier C]\n"
    "                        [--parcel WEIGHT_G[xLxWxH]]...\n"
    "\n"
    "Seller: pack and ship (POST /v1/orders/ID/ship), noting the service level and the\n"
    "carrier on the order; print its id and state.\n"
    "\n"
    "  --service-level L          the service level (standard, express, ...)\n"
    "  --carrier C                the carrier\n"
    "  --parcel WEIGHT_G[xLxWxH]  as for pack (repeat for more parcels)\n";

enum { P_PARCEL = 1, P_SERVICE, P_CARRIER };

struct pack_opts {
    const char *verb;
    json_t *parcels;
    const char *service, *carrier;
};

static json_t *parse_parcel(const char *text)
{
    static const char *const keys[] = {"weight_g", "length_mm", "width_mm", "height_mm"};
    long long v[4];
    int n = 0;
    const char *p = text;
    while (n < 4) {
        char num[24];
        size_t len = strcspn(p, "xX");
        if (len == 0 || len >= sizeof(num))
            return NULL;
        memcpy(num, p, len);
        num[len] = '\0';
        if (ctl_parse_uint(num, 1, 1000000000LL, &v[n]) != 0)
            return NULL;
        n++;
        p += len;
        if (*p == '\0')
            break;
        p++;
    }
    if (*p != '\0' || (n != 1 && n != 4))
        return NULL;
    json_t *o = json_object();
    for (int i = 0; o && i < n; i++)
        json_object_set_new(o, keys[i], json_integer(v[i]));
    return o;
}

static int pack_opt(void *arg, int id, const char *value)
{
    struct pack_opts *o = arg;
    if (id == P_SERVICE) {
        o->service = value;
        return 0;
    }
    if (id == P_CARRIER) {
        o->carrier = value;
        return 0;
    }
    json_t *parcel = parse_parcel(value);
    if (parcel == NULL)
        return ctl_usage(o->verb, "--parcel: expected WEIGHT_G or WEIGHT_GxLxWxH (positive "
                                  "integers: grams, millimetres), as 950x250x200x120, not '%s'",
                         value);
    json_array_append_new(o->parcels, parcel);
    return 0;
}

static int pack_or_ship(ctl *c, int argc, char **argv, int ship)
{
    static const ctl_opt pack_opts[] = {{"parcel", required_argument, P_PARCEL, 0}, {0}};
    static const ctl_opt ship_opts[] = {{"parcel", required_argument, P_PARCEL, 0},
                                        {"service-level", required_argument, P_SERVICE, 0},
                                        {"carrier", required_argument, P_CARRIER, 0},
                                        {0}};
    struct pack_opts o = {.verb = argv[0], .parcels = json_array()};
    if (o.parcels == NULL)
        return ord_oom();
    int first, rc = ctl_parse(c, argc, argv, ship ? ship_help : pack_help,
                              ship ? ship_opts : pack_opts, pack_opt, &o, 1, 1, &first);
    if (rc >= 0) {
        json_decref(o.parcels);
        return rc;
    }
    json_t *body = json_object();
    if (body == NULL) {
        json_decref(o.parcels);
        return ord_oom();
    }
    if (json_array_size(o.parcels) > 0)
        json_object_set(body, "parcels", o.parcels);
    if (o.service)
        json_object_set_new(body, "service_level", json_string(o.service));
    if (o.carrier)
        json_object_set_new(body, "carrier", json_string(o.carrier));
    json_decref(o.parcels);
    return ord_post_action(c, argv[first], body, ship ? "ship" : "pack", NULL, NULL);
}

int verb_pack(ctl *c, int argc, char **argv)
{
    return pack_or_ship(c, argc, argv, 0);
}

int verb_ship(ctl *c, int argc, char **argv)
{
    return pack_or_ship(c, argc, argv, 1);
}

/* ---- buyer: payment ----------------------------------------------------------------- */

static const char payment_help[] =
    "usage: orderhubctl payment ID TOKEN\n"
    "\n"
    "Buyer (storefront): give a declined order a new payment method, TOKEN being the\n"
    "payment provider's token (not the API token); print the order's id and state.\n";

int verb_payment(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, payment_help, NULL, ord_no_opt, NULL, 2, 2, &first);
    if (rc >= 0)
        return rc;
    json_t *body = json_pack("{s:s}", "token", argv[first + 1]);
    if (body == NULL)
        return ctl_usage("payment", "TOKEN must be UTF-8 text");
    return ord_post_action(c, argv[first], body, "payment", NULL, NULL);
}
