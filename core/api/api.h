/*
 * api - orderhubd's HTTP front door (libmicrohttpd, JSON).
 *
 *   GET  /healthz                      {"status":"ok"}; 503 with the reason when the store
 *                                      failed its check or cannot write (store_health.c)
 *   POST /v1/orders                    place an order (validated; 201 {"id","state"}, 400,
 *                                      409 when the id exists, 413)
 *   GET  /v1/orders/{id}               the order snapshot
 *   GET  /v1/orders/{id}/events        its timeline
 *   POST /v1/orders/{id}/{action}      ack | pack | cancel  (409 with the state if illegal)
 *
 * A request that changes an order is answered only once the change is durable (the
 * connection is suspended while the engine and the store work, so no thread waits).
 *
 * This is the engine's first door; per-seller auth, idempotency keys, listing and the
 * remaining actions belong to the API proper.  Until auth exists it refuses to listen on
 * anything but a loopback address.
 */
#ifndef OH_API_H
#define OH_API_H

#include "engine/hub.h"

#include <stddef.h>

typedef struct api api;

/* api_start - listen on "host:port" (port 0: any free one).  0, or -1 with err set. */
int api_start(hub *h, const char *listen, api **out, char *err, size_t errlen);

/* api_port / api_host - where it listens (the host as dotted IPv4). */
unsigned api_port(const api *a);
const char *api_host(const api *a);

/* api_stop - stop accepting, finish the requests in flight, free.  NULL: no-op. */
void api_stop(api *a);

/* Largest request body accepted. */
#define API_MAX_BODY (64 * 1024)

#endif
