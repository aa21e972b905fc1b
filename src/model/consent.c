/*
 * consent.c - the purposes and channels of a consent, their pairs, the defaults and the least
 * permissive rule (consent.h). The rule and the defaults are explained for users in
 * docs/portal.md ("Consent").
 */
#include "model/consent.h"

#include <string.h>

#include "util/banned.h"

const char *const consent_purposes[] = {CONSENT_MARKETING, CONSENT_ANALYTICS, CONSENT_PROFILING,
                                        CONSENT_SHARING,   CONSENT_SURVEYS,   NULL};
const char *const consent_channels[] = {"email", "sms", "phone", "post", "feed", CONSENT_ANY, NULL};
const char *const consent_states[] = {"granted", "withdrawn", NULL};

static const struct {
    const char *purpose;
    bool channels;    /* recorded per channel */
    bool by_default;  /* allowed with nothing recorded */
    const char *text; /* what it covers */
} purposes[] = {
    {CONSENT_MARKETING, true, false,
     "Marketing: offers and news about products and services sent to you on this channel."},
    {CONSENT_ANALYTICS, false, true,
     "Analytics: your interactions and orders counted in the company's statistics (relationship "
     "norms, customer value). Based on legitimate interest: allowed until you withdraw it."},
    {CONSENT_PROFILING, false, false,
     "Profiling: inferences about you as a person (segments, look-alike groups) used to "
     "personalise what you are offered."},
    {CONSENT_SHARING, false, false,
     "Sharing with partners: your records shown to the company's partners (dealers, "
     "distributors) who serve you."},
    {CONSENT_SURVEYS, true, false,
     "Surveys: invitations to tell the company what you think or intend, on this channel."},
};

static int purpose_index(const char *purpose)
{
    for (size_t i = 0; purpose && i < sizeof(purposes) / sizeof(purposes[0]); i++)
        if (strcmp(purposes[i].purpose, purpose) == 0)
            return (int)i;
    return -1;
}

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

const char *consent_state_name(enum consent_state s)
{
    return s == CONSENT_GRANTED ? "granted" : s == CONSENT_WITHDRAWN ? "withdrawn" : "none";
}

bool consent_purpose_known(const char *purpose)
{
    return purpose_index(purpose) >= 0;
}

bool consent_channel_known(const char *channel)
{
    return in_list(consent_channels, channel);
}

bool consent_purpose_has_channels(const char *purpose)
{
    int i = purpose_index(purpose);
    return i >= 0 && purposes[i].channels;
}

int consent_check(const char *purpose, const char *channel, const char *state,
                  struct kith_error *err)
{
    if (!consent_purpose_known(purpose))
        return kith_err(err, KITH_EINVAL,
                        "purpose: '%s' is not a purpose; use marketing, analytics, profiling, "
                        "sharing or surveys",
                        purpose ? purpose : "");
    if (!consent_channel_known(channel))
        return kith_err(err, KITH_EINVAL,
                        "channel: '%s' is not a channel; use email, sms, phone, post, feed or any",
                        channel ? channel : "");
    if (!consent_purpose_has_channels(purpose) && strcmp(channel, CONSENT_ANY) != 0)
        return kith_err(err, KITH_EINVAL,
                        "channel: %s concerns no channel; record it on channel \"any\"", purpose);
    if (!in_list(consent_states, state))
        return kith_err(err, KITH_EINVAL, "state: '%s' is not a state; use granted or withdrawn",
                        state ? state : "");
    return 0;
}

bool consent_default_allows(const char *purpose)
{
    int i = purpose_index(purpose);
    return i >= 0 && purposes[i].by_default;
}

enum consent_state consent_fold(enum consent_state on_channel, enum consent_state on_any)
{
    if (on_channel == CONSENT_WITHDRAWN || on_any == CONSENT_WITHDRAWN)
        return CONSENT_WITHDRAWN;
    if (on_channel == CONSENT_GRANTED || on_any == CONSENT_GRANTED)
        return CONSENT_GRANTED;
    return CONSENT_NONE;
}

bool consent_state_allows(enum consent_state state, const char *purpose)
{
    return state == CONSENT_GRANTED || (state == CONSENT_NONE && consent_default_allows(purpose));
}

const char *consent_purpose_text(const char *purpose)
{
    int i = purpose_index(purpose);
    return i >= 0 ? purposes[i].text : "an unknown purpose";
}
