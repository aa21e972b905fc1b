/*
 * messages.h - outbound messages (SMS and email) to a contact, shared by POST /api/v1/messages
 * and kith voice send (docs/voice.md "Messages"): checked against the contact's consent for the
 * purpose and channel at send time, sent through the portal's pluggable sender (portal.h: the
 * outbox or a webhook), and recorded as an interaction of the catalogue's out_sms or out_email,
 * so that it enters the contact's RV pattern. All or nothing: a message that could not be sent
 * leaves no interaction, and one that was refused is never sent.
 */
#ifndef KITH_API_MESSAGES_H
#define KITH_API_MESSAGES_H

#include "store/store.h"

/* A message to send; every string is the caller's. */
struct message_out {
    int64_t contact_id;
    const char *channel; /* "sms" or "email" */
    const char *purpose; /* "marketing" or "surveys" */
    const char *subject; /* email only; NULL or "": a default */
    const char *body;
    int64_t by_user;         /* who sends it; 0: the command line */
    const char *client_addr; /* for the audit log; NULL: none */
};

/*
 * Records the message's interaction inside message_send()'s transaction: fills *id, or returns a
 * negative KITH_E code with err filled (or, for the API, its answer already made). type_id is the
 * catalogue type, notes a line about the message.
 */
typedef int (*message_record_fn)(void *ctx, const struct message_out *m, int64_t type_id,
                                 int64_t at, const char *notes, int64_t *id,
                                 struct kith_error *err);

/* Why a message was not sent, when it was refused rather than failed. */
enum message_refusal {
    MESSAGE_SENT = 0,
    MESSAGE_NO_CONSENT, /* the contact's consent does not allow it (KITH_ECONFLICT) */
    MESSAGE_NO_ADDRESS, /* no email or phone to send it to (KITH_EINVAL) */
    MESSAGE_NO_TYPE,    /* the catalogue lacks out_sms / out_email (KITH_ECONFLICT) */
    MESSAGE_RESTRICTED, /* a restriction request of the contact is in force (KITH_ECONFLICT) */
};

struct message_sent {
    enum message_refusal refusal;
    int64_t interaction_id;
    int64_t sent_at; /* Unix ms */
    char to[256];
    char state[16]; /* the contact's consent state for (purpose, channel) when it was asked */
};

/*
 * Sends m in one transaction of its own: checks it (message_check(); KITH_EINVAL naming the
 * field), reads the contact (KITH_ENOTFOUND), asks consent_allows() (refused: KITH_ECONFLICT,
 * out->refusal MESSAGE_NO_CONSENT), finds the address and the catalogue type, records the
 * interaction through record, sends through the current sender (KITH_EIO when it fails), audits
 * "message_send" and commits. With anything but 0, nothing was sent and nothing stays written.
 */
int message_send(struct store *s, const struct message_out *m, message_record_fn record, void *ctx,
                 struct message_sent *out, struct kith_error *err);

/* A record function for the command line: the interaction inserted as the store's row (source
 * "manual", no user), the type's RV and cost. ctx is the store. */
int message_record_plain(void *ctx, const struct message_out *m, int64_t type_id, int64_t at,
                         const char *notes, int64_t *id, struct kith_error *err);

#endif
