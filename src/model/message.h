/*
 * message.h - what an outbound message (issue 15, docs/voice.md "Messages") must be, checked in
 * one place for both doors that send one (POST /api/v1/messages and kith voice send): its
 * channel (sms or email), its purpose (one that needs the contact's consent on that channel:
 * marketing or surveys, model/consent.h), its body and subject, and the catalogue type that
 * records it as an interaction.
 */
#ifndef KITH_MODEL_MESSAGE_H
#define KITH_MODEL_MESSAGE_H

#include <stddef.h>

#include "util/error.h"

#define MESSAGE_SMS_MAX     1600  /* bytes of an SMS body (ten concatenated parts of 160) */
#define MESSAGE_EMAIL_MAX   20000 /* bytes of an email body */
#define MESSAGE_SUBJECT_MAX 200

/* The catalogue types (model/catalogue.c) that record a sent message as an interaction. */
#define MESSAGE_TYPE_SMS   "out_sms"
#define MESSAGE_TYPE_EMAIL "out_email"

/*
 * Checks a message to send: channel "sms" or "email"; purpose "marketing" or "surveys"; a body
 * of valid UTF-8, not empty, within the channel's cap; a subject (email only, optional) within
 * MESSAGE_SUBJECT_MAX and on one line. Returns 0 or KITH_EINVAL with the reason, naming the
 * field ("channel: ...").
 */
int message_check(const char *channel, const char *purpose, const char *subject, const char *body,
                  struct kith_error *err);

/* The catalogue type code of a message on channel (checked). */
const char *message_type_code(const char *channel);

#endif
