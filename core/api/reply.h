/*
 * reply - how every handler of the API answers: at once (JSON, text, a stored document, an
 * error) or, for a suspended request, from any thread once the engine or the store has
 * replied.  Each answer is counted here for /metrics (admin.c prints the counts).
 */
#ifndef OH_API_REPLY_H
#define OH_API_REPLY_H

#include "api/api_types.h"

#include <stddef.h>
#include <stdint.h>

enum MHD_Result api_send_text(req_ctx *ctx, int status, const char *text);
enum MHD_Result api_send_json(req_ctx *ctx, int status, json_t *j);   /* steals j */
/* api_send_bytes - a stored document as an attachment of its own MIME type (copied). */
enum MHD_Result api_send_bytes(req_ctx *ctx, int status, const char *mime_type,
                               const void *data, size_t len);
enum MHD_Result api_send_error(req_ctx *ctx, int status, const char *error, const char *field);
void api_suspend(req_ctx *ctx);
void api_on_engine_reply(void *arg, int rc, const char *state, const char *error);
/* api_reply_raw - answer a suspended request with `status` and `text` (copied). */
void api_reply_raw(req_ctx *ctx, int status, const char *text);
/* api_placement_failure - the body (JSON text, free it; NULL out of memory) answering a
 * placement the store or engine failed to record: it says the order was not accepted
 * and reports no state, since no order exists. */
char *api_placement_failure(const char *error);
/* api_current - the current configuration generation (a reference: rt_gen_unref it). */
rt_gen *api_current(api *a);

/* api_now_us - the monotonic clock of req_ctx.started_us, in microseconds: the router
 * stamps a request with it and its answer is timed with it. */
int64_t api_now_us(void);

/* The latency histogram's bucket bounds, microseconds; its last bucket (+Inf) is every
 * request. */
#define API_LATENCY_BOUNDS 7
extern const int64_t api_latency_bounds_us[API_LATENCY_BOUNDS];

#endif
