/*
 * anet_codes - what Authorize.Net's codes mean for orderhub: transaction reason codes
 * (transactionResponse/errors/error/errorCode, the old "response reason codes") and API
 * message codes (messages/message/code).  Codes are strings, compared as strings.  The
 * README's mapping table lists the same rows; keep them in step.
 */
#include "anet.h"

#include <string.h>

/* Declines (responseCode 2, and the card problems of responseCode 3) with a name in the
 * style of decline_code elsewhere in orderhub. */
static const struct {
    const char *code, *name;
} declines[] = {
    {"2", "generic_decline"},     /* This transaction has been declined. */
    {"3", "call_issuer"},         /* referral */
    {"4", "pick_up_card"},
    {"6", "invalid_number"},      /* The credit card number is invalid. */
    {"7", "invalid_expiry"},      /* Credit card expiration date is invalid. */
    {"8", "expired_card"},        /* The credit card has expired. */
    {"27", "avs_mismatch"},       /* address verification */
    {"44", "incorrect_cvc"},      /* card code mismatch, declined by the processor */
    {"45", "avs_cvc_mismatch"},   /* AVS and card code mismatch */
    {"65", "incorrect_cvc"},      /* card code, merchant's filter */
    {"250", "fraud_blocked"},     /* Fraud Detection Suite: IP blocked */
    {"251", "fraud_filter"},      /* Fraud Detection Suite filter */
    {"254", "fraud_review_declined"}, /* declined after review */
};

const char *anet_decline_name(const char *error_code)
{
    for (size_t i = 0; error_code != NULL && i < sizeof(declines) / sizeof(declines[0]); i++)
        if (strcmp(declines[i].code, error_code) == 0)
            return declines[i].name;
    return NULL;
}

/* "An error occurred during processing. Please try again (in 5 minutes)." */
static const char *const retryable_errors[] = {"19", "20", "21", "22", "23", "25", "26",
                                               "57", "58", "59", "60", "61", "62", "63",
                                               "120", "121", "122"};

int anet_error_retryable(const char *error_code)
{
    for (size_t i = 0; error_code != NULL &&
                       i < sizeof(retryable_errors) / sizeof(retryable_errors[0]); i++)
        if (strcmp(retryable_errors[i], error_code) == 0)
            return 1;
    return 0;
}

/* E00001 unexpected system error, E00053 server too busy, E00104 server in maintenance. */
int anet_message_retryable(const char *code)
{
    return code != NULL && (strcmp(code, "E00001") == 0 || strcmp(code, "E00053") == 0 ||
                            strcmp(code, "E00104") == 0);
}

/* E00007 invalid authentication values, E00008 account or API user inactive, E00011
 * access denied (permissions): the credentials are wrong, retrying changes nothing. */
int anet_message_auth(const char *code)
{
    return code != NULL && (strcmp(code, "E00007") == 0 || strcmp(code, "E00008") == 0 ||
                            strcmp(code, "E00011") == 0);
}
