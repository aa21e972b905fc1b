/*
 * voice_community.h - the community of the customer's voice (issue 15, docs/voice.md
 * "Ratings", "Ideas", "Community roles"): keeping the derived fields in line with the rows they
 * are derived from, and the `voice community` analysis (analysis/voice.h, VOICE_COMMUNITY).
 *
 * contacts.community_role is derived from each contact's engagement by engine/community.h and
 * ratings.verified from the orders; whoever writes what they depend on calls
 * voice_community_refresh(): `kith serve` at start-up and after each API write of a rating, an
 * idea, a vote or an event, `kith import` after contacts or events.
 */
#ifndef KITH_ANALYSIS_VOICE_COMMUNITY_H
#define KITH_ANALYSIS_VOICE_COMMUNITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/community.h"
#include "store/store.h"

/* The current time, Unix ms. */
int64_t voice_community_now(void);

/*
 * Derives and stores the community role of contact contact_id (0: of every contact, after
 * verifying every rating against the orders) as of now_ms; *changed (when non-NULL) gets the
 * number of contacts whose role moved.
 */
int voice_community_refresh(struct store *st, int64_t contact_id, int64_t now_ms, size_t *changed,
                            struct kith_error *err);

/* What `voice community` reports (part of struct voice_report). */
struct voice_community {
    int64_t as_of, since; /* the window [since, as_of], Unix ms */
    int64_t contacts;     /* contacts in scope */
    int64_t roles[COMMUNITY_NROLES];
    int64_t ideas, idea_status[4], votes_up, votes_down; /* new, planned, done, declined */
    int64_t ratings, verified, stars, verified_stars;    /* sums of stars */
};

/* `voice ratings`: one product's ratings by the contacts in scope; below k contacts suppressed. */
struct voice_product_ratings {
    int64_t product_id;
    char name[128];
    int64_t contacts, ratings, stars, verified, verified_stars, reviews; /* stars: sums */
    bool suppressed;
};
struct voice_ratings {
    struct voice_product_ratings *rows; /* by product name, then id */
    size_t n;
    int64_t total;
};

/* `voice ideas`: the ideas of the contacts in scope, by status, and the best scored. */
struct voice_idea_row {
    int64_t id, product_id, up, down;
    char status[16];
    char title[201];
};
struct voice_ideas {
    int64_t total, status[4], up, down; /* new, planned, done, declined */
    struct voice_idea_row *rows;        /* by up - down, then newest; at most limit */
    size_t n;
};

#endif
