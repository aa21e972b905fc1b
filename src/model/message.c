/*
 * message.c - the rules of an outbound message (message.h; docs/voice.md "Messages").
 */
#include "model/message.h"

#include <string.h>

#include "model/consent.h"
#include "util/utf8.h"

#include "util/banned.h"

int message_check(const char *channel, const char *purpose, const char *subject, const char *body,
                  struct kith_error *err)
{
    const bool sms = channel && strcmp(channel, "sms") == 0;
    if (!sms && !(channel && strcmp(channel, "email") == 0))
        return kith_err(err, KITH_EINVAL,
                        "channel: '%s' is not a message channel; use sms or email",
                        channel ? channel : "");
    if (!purpose ||
        (strcmp(purpose, CONSENT_MARKETING) != 0 && strcmp(purpose, CONSENT_SURVEYS) != 0))
        return kith_err(err, KITH_EINVAL,
                        "purpose: '%s' is not a purpose of a message; use marketing or surveys",
                        purpose ? purpose : "");
    const size_t max = sms ? MESSAGE_SMS_MAX : MESSAGE_EMAIL_MAX;
    size_t len = body ? strlen(body) : 0;
    if (len == 0)
        return kith_err(err, KITH_EINVAL, "body: the message is empty");
    if (len > max)
        return kith_err(err, KITH_EINVAL, "body: %zu bytes; an %s holds at most %zu", len,
                        sms ? "SMS" : "email", max);
    if (!utf8_is_valid(body, len, NULL))
        return kith_err(err, KITH_EINVAL, "body: not valid UTF-8");
    if (subject && *subject) {
        size_t sl = strlen(subject);
        if (sms)
            return kith_err(err, KITH_EINVAL, "subject: an SMS has no subject");
        if (sl > MESSAGE_SUBJECT_MAX || !utf8_is_valid(subject, sl, NULL) ||
            strpbrk(subject, "\r\n"))
            return kith_err(err, KITH_EINVAL, "subject: one line of valid UTF-8, at most %d bytes",
                            MESSAGE_SUBJECT_MAX);
    }
    return 0;
}

const char *message_type_code(const char *channel)
{
    return strcmp(channel, "sms") == 0 ? MESSAGE_TYPE_SMS : MESSAGE_TYPE_EMAIL;
}
