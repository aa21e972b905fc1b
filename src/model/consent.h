/*
 * consent.h - what a contact may be asked for and where (issue 16, docs/portal.md "Consent"):
 * the purposes and channels of a consent, which pairs make sense, what holds when a contact has
 * recorded nothing, and the one rule that turns a history of records into a state. Checked in one
 * place for every door that writes consents (the portal, staff on its behalf, the data-subject
 * import through model/tables.c) and every use that reads them (store/consent.c).
 */
#ifndef KITH_MODEL_CONSENT_H
#define KITH_MODEL_CONSENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* The purposes, in the order the portal lists them; NULL-terminated (model/tables.c's enum). */
extern const char *const consent_purposes[];
/* The channels; "any" stands for every channel. NULL-terminated. */
extern const char *const consent_channels[];
/* "granted", "withdrawn"; NULL-terminated. */
extern const char *const consent_states[];

#define CONSENT_MARKETING "marketing"
#define CONSENT_ANALYTICS "analytics"
#define CONSENT_PROFILING "profiling"
#define CONSENT_SHARING   "sharing"
#define CONSENT_SURVEYS   "surveys"
#define CONSENT_ANY       "any"

enum consent_state {
    CONSENT_NONE = 0,  /* nothing recorded that applies */
    CONSENT_GRANTED,   /* the least permissive applicable record grants */
    CONSENT_WITHDRAWN, /* at least one applicable record withdraws */
};

/* "none", "granted", "withdrawn". */
const char *consent_state_name(enum consent_state s);

/* True when purpose is one of consent_purposes (channel likewise). */
bool consent_purpose_known(const char *purpose);
bool consent_channel_known(const char *channel);

/*
 * True when purpose is about reaching the contact on a channel (marketing, surveys): it is
 * recorded per channel. The others (analytics, profiling, sharing) concern no channel and are
 * recorded on "any" only.
 */
bool consent_purpose_has_channels(const char *purpose);

/*
 * Checks a record to be written: a known purpose, a known channel that the purpose takes, a
 * known state. Returns 0 or KITH_EINVAL with the reason (naming the field: "channel: ...").
 */
int consent_check(const char *purpose, const char *channel, const char *state,
                  struct kith_error *err);

/*
 * Whether a use for purpose is allowed when nothing applicable is recorded (CONSENT_NONE):
 * analytics rests on the company's legitimate interest (GDPR Art. 6(1)(f)) and is allowed until
 * the contact objects by withdrawing it (Art. 21); marketing, profiling, sharing and surveys
 * rest on consent (Art. 6(1)(a), 7) and are refused until granted.
 */
bool consent_default_allows(const char *purpose);

/*
 * The least permissive rule: given the state of the latest record of (purpose, channel) and of
 * (purpose, "any") (CONSENT_NONE where there is none), the contact's state for purpose on
 * channel: withdrawn if either is, else granted if either is, else none. For channel "any" the
 * two are the same record.
 */
enum consent_state consent_fold(enum consent_state on_channel, enum consent_state on_any);

/* Whether a use is allowed in state for purpose: granted, or none and the default allows. */
bool consent_state_allows(enum consent_state state, const char *purpose);

/* A human sentence for the receipt and the portal: what purpose covers. Never NULL. */
const char *consent_purpose_text(const char *purpose);

#endif
