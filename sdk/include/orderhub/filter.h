/*
 * orderhub/filter.h - operations of a filter plugin (kind OH_KIND_FILTER).
 *
 * Copyright (c) 2026 The orderhub authors. MIT licence, see COPYING.
 *
 * A filter gives a verdict on an event before the rest of its chain runs: risk screening,
 * address checks, limits.  The verdict is the return value:
 *
 *   OH_OK      continue with the next step
 *   OH_STOP    end the chain here, without error
 *   OH_REJECT  refuse: during placement the order ends in order.rejected with err->message
 *              as the reason (shown to the buyer: keep it short and free of secrets)
 *   OH_RETRY   cannot decide now (remote down); the host retries later
 *   OH_FAIL    broken (bad input, bad configuration), err set
 *
 * A filter either decides locally (`check`) or asks a remote service (`check_build` and
 * `check_parse`, a sans-I/O pair as in http.h).  One of the two forms is mandatory.
 */
#ifndef ORDERHUB_FILTER_H
#define ORDERHUB_FILTER_H

#include <jansson.h>
#include <orderhub/abi.h>
#include <orderhub/http.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * oh_filter_input - the event to judge (since 1.0).  Borrowed, valid during the call.
 * `order` is the order as it stands (for order.placed: the validated submission).
 */
typedef struct oh_filter_input {
    uint32_t struct_size;
    const char *event;     /**< canonical event name */
    const char *order_id;
    const json_t *order;   /**< order snapshot (object), borrowed */
    const json_t *data;    /**< event payload (object), borrowed; may be an empty object */
} oh_filter_input;

/** oh_filter_ops - operations table of a filter plugin (since 1.0). */
typedef struct oh_filter_ops {
    uint32_t struct_size;
    /** Local verdict, see the file comment. */
    int (*check)(void *state, const oh_filter_input *in, oh_error *err);
    /** Remote verdict, first half: build the question. */
    int (*check_build)(void *state, const oh_filter_input *in, oh_request *req,
                       oh_error *err);
    /** Remote verdict, second half: read the answer and return the verdict. */
    int (*check_parse)(void *state, const oh_filter_input *in, const oh_response *resp,
                       oh_error *err);
} oh_filter_ops;

#ifdef __cplusplus
}
#endif
#endif /* ORDERHUB_FILTER_H */
