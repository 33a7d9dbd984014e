/*
 * reqlog - the one debug line per request, with secrets redacted.
 */
#ifndef OH_EXECUTOR_REQLOG_H
#define OH_EXECUTOR_REQLOG_H

#include "executor/executor_types.h"

void ex_redact_url(const char *url, char *out, size_t outlen);
void ex_log_request(const char *queue, const oh_request *req, const ex_result *res);
const char *ex_outcome_name(ex_outcome o);

#endif
