/*
 * community.h - a contact's community role, derived from its engagement (issue 15,
 * docs/voice.md "Community roles"). Pure computation: the counts come from the store
 * (store_community_counts()), the role goes back to contacts.community_role through
 * analysis/voice_community.h. The rules, in order, over the engagement of the last
 * COMMUNITY_WINDOW_DAYS days:
 *
 *   leader   ideas posted + referrals made >= COMMUNITY_LEADER_MIN (it starts what others follow)
 *   doer     ideas + reviews + referrals >= COMMUNITY_DOER_MIN (it contributes)
 *   watcher  votes >= COMMUNITY_WATCHER_MIN (it takes part without contributing)
 *   none     otherwise
 */
#ifndef KITH_ENGINE_COMMUNITY_H
#define KITH_ENGINE_COMMUNITY_H

#include <stddef.h>
#include <stdint.h>

#define COMMUNITY_WINDOW_DAYS 365
#define COMMUNITY_LEADER_MIN  2
#define COMMUNITY_DOER_MIN    1
#define COMMUNITY_WATCHER_MIN 1

/* Ascending engagement; COMMUNITY_NROLES is the number of roles, none included. */
enum community_role {
    COMMUNITY_NONE,
    COMMUNITY_WATCHER,
    COMMUNITY_DOER,
    COMMUNITY_LEADER,
    COMMUNITY_NROLES
};

/* A contact's engagement in the window: what it did, counted once per row. */
struct community_counts {
    int64_t ideas;     /* ideas it posted */
    int64_t votes;     /* ideas it voted on (one vote per idea) */
    int64_t reviews;   /* ratings it gave */
    int64_t referrals; /* referral events it made (events.kind "referral", contact_id) */
};

/* The role the rules above give c (negative counts count as 0). */
enum community_role community_role_of(const struct community_counts *c);

/* "leader", "doer", "watcher"; NULL for COMMUNITY_NONE (stored as NULL). */
const char *community_role_name(enum community_role r);

/* "leader", "doer", "watcher" or "none", for reports. */
const char *community_role_label(enum community_role r);

/* The role called name ("none" or NULL: COMMUNITY_NONE); -1 when name is no role. */
int community_role_parse(const char *name);

/* The start of the window that ends at now_ms (Unix ms). */
int64_t community_window_start(int64_t now_ms);

#endif
