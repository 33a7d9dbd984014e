#include "config.h"

#include "check.h"
#include "health.h"
#include "kv.h"
#include "list.h"
#include "reads.h"
#include "sqlite.h"
#include "money.h"
#include "ledger.h"
#include "stock.h"
#include "submit.h"

/* The SQLite backend's table (store_backend.h): store.c dispatches store.h's calls here. */
const store_backend st_sqlite_backend = {
    .name = "sqlite",
    .open = sqlite_store_open,
    .close = sqlite_store_close,
    .schema_version = sqlite_store_schema_version,
    .stats = sqlite_store_stats,
    .health = sqlite_store_health,
    .check = sqlite_store_check,
    .check_cancel = sqlite_store_check_cancel,
    .submit = sqlite_store_submit,
    .commit = sqlite_store_commit,
    .action_replay = sqlite_store_action_replay,
    .order_get = sqlite_store_order_get,
    .events = sqlite_store_events,
    .actions_claim_for = sqlite_store_actions_claim_for,
    .actions_sending = sqlite_store_actions_sending,
    .actions_renew = sqlite_store_actions_renew,
    .action_instances = sqlite_store_action_instances,
    .actions_dead = sqlite_store_actions_dead,
    .timers_claim = sqlite_store_timers_claim,
    .next_due = sqlite_store_next_due,
    .tracking_order = sqlite_store_tracking_order,
    .document_get = sqlite_store_document_get,
    .idem_get = sqlite_store_idem_get,
    .kv_set = sqlite_store_kv_set,
    .kv_get = sqlite_store_kv_get,
    .orders_list = sqlite_store_orders_list,
    .counts = sqlite_store_counts,
    .stock_get = sqlite_store_stock_get,
    .stock_list = sqlite_store_stock_list,
    .payment_get = sqlite_store_payment_get,
    .ledger_list = sqlite_store_ledger_list,
    .ledger_balance = sqlite_store_ledger_balance,
};
