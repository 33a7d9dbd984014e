/*
 * engine_fixture - one real engine for the engine's test programs: a SQLite file in a
 * fresh directory, the sandbox plugins (and the test plugins), the executor over loopback,
 * and the sandbox remote answering like a gateway and a carrier.
 *
 * A test program registers ef_setup/ef_teardown as its checked fixture and starts the hub
 * in each test with ef_start_hub (or ef_start_hub_with); everything below then works on
 * that hub.  Not thread-safe: one test at a time, as Check runs them.
 */
#ifndef OH_TESTS_ENGINE_FIXTURE_H
#define OH_TESTS_ENGINE_FIXTURE_H

#include "../contrib/fakes/sandbox_remote.h"
#include "engine/hub.h"
#include "loader/loader.h"

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

extern char *dir;               /* the test's directory (hub.db, timeline.jsonl, ...) */
extern sandbox_remote *remote;  /* the gateway and carrier; ef_setup starts it, 150 ms a step */
extern hub h;                   /* the running hub, after ef_start_hub */
extern ldr_registry reg;        /* the modules loaded so far (a test may build a generation) */

/* Text appended to the configuration by the next ef_start_hub: an sla group, say.  And
 * routes appended to the fixture's own (each "{ on = ...; chain = [...]; }," with its comma).
 * Both reset by ef_setup. */
extern const char *ef_extra_conf;
extern const char *ef_extra_routes;

/* A reply the test waits for (eng_place's and eng_input's callback argument). */
typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, rc;
    char state[64], error[512];
} waiter;
#define WAITER {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, "", ""}

/* on_reply - the engine's reply callback: records it in the waiter `arg`. */
void on_reply(void *arg, int rc, const char *state, const char *error);
/* wait_reply - block until the waiter has its reply; its rc. */
int wait_reply(waiter *w);

void ef_setup(void);
void ef_teardown(void);

/* ef_start_hub - the hub with the standard routes: placement through "limits" and "pay",
 * capture on shipment.label_created.  max_attempts 0: the engine's default; pay_url NULL:
 * the sandbox remote's. */
void ef_start_hub(int max_attempts, const char *pay_url);
/* placement: the chain of order.placed ("judge" is a test filter whose verdict is retry);
 * capture_on: the event routed to the gateway for the capture. */
void ef_start_hub_with(int max_attempts, const char *pay_url, const char *placement,
                       const char *capture_on);

/* ef_build - write conf to dir/file and build a generation of it with the modules of
 * PLUGIN_DIR (and TEST_PLUGIN_DIR when test_plugins), failing the test when it does not
 * build. */
rt_gen *ef_build(const char *file, const char *conf, int test_plugins);

/* sample_order - a one-line order of `total` minor units (USD) by seller s-1; caller owns. */
json_t *sample_order(const char *id, int64_t total);
/* wait_state - poll the store until order `id` is in `state`; 1, or 0 after timeout_ms. */
int wait_state(const char *id, const char *state, int64_t timeout_ms);
/* timeline - the names of the order's events, in order, space-separated; caller frees. */
char *timeline(const char *id);
/* input - send input `in` (data is stolen) and wait for the reply: its rc, its error text
 * into `error` (if not NULL). */
int input(const char *id, const char *in, json_t *data, char *error, size_t len);
/* complete_order - place, pay, acknowledge and pack order `id`, and wait for `completed`. */
void complete_order(const char *id, int64_t total);
/* ship_order - wait until placed order `id` is paid, acknowledge and pack it, and wait for
 * `completed`. */
void ship_order(const char *id);
/* ef_set_stock - seller s-1's record of `sku` set to on_hand through the store's stock unit
 * (low: its threshold, -1 none). */
void ef_set_stock(const char *sku, int64_t on_hand, int64_t low);
/* ef_stock - seller s-1's record of `sku`. */
st_stock ef_stock(const char *sku);
/* sub_state - the state of return/dispute `sub` in the order's snapshot; caller frees. */
char *sub_state(const char *id, const char *collection, const char *sub);
/* wait_sub_state - poll sub_state until it is `state` (10 s at most); 1 or 0. */
int wait_sub_state(const char *id, const char *collection, const char *sub, const char *state);

#endif
