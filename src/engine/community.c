/*
 * community.c - the rules of a contact's community role (community.h, docs/voice.md).
 */
#include "engine/community.h"

#include <string.h>

#include "util/banned.h"

static int64_t nonneg(int64_t v)
{
    return v > 0 ? v : 0;
}

enum community_role community_role_of(const struct community_counts *c)
{
    const int64_t ideas = nonneg(c->ideas), votes = nonneg(c->votes), reviews = nonneg(c->reviews),
                  referrals = nonneg(c->referrals);
    if (ideas + referrals >= COMMUNITY_LEADER_MIN)
        return COMMUNITY_LEADER;
    if (ideas + reviews + referrals >= COMMUNITY_DOER_MIN)
        return COMMUNITY_DOER;
    if (votes >= COMMUNITY_WATCHER_MIN)
        return COMMUNITY_WATCHER;
    return COMMUNITY_NONE;
}

static const char *const labels[COMMUNITY_NROLES] = {"none", "watcher", "doer", "leader"};

const char *community_role_name(enum community_role r)
{
    return r > COMMUNITY_NONE && r < COMMUNITY_NROLES ? labels[r] : NULL;
}

const char *community_role_label(enum community_role r)
{
    return r >= COMMUNITY_NONE && r < COMMUNITY_NROLES ? labels[r] : "none";
}

int community_role_parse(const char *name)
{
    if (!name)
        return COMMUNITY_NONE;
    for (int r = 0; r < COMMUNITY_NROLES; r++)
        if (strcmp(labels[r], name) == 0)
            return r;
    return -1;
}

int64_t community_window_start(int64_t now_ms)
{
    return now_ms - (int64_t)COMMUNITY_WINDOW_DAYS * 86400 * 1000;
}
