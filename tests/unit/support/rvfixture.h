/*
 * rvfixture.h - small RV snapshots built by hand for the engine's unit tests: a catalogue of
 * five types over three levels, and helpers to add contacts and interactions by day number.
 * Header-only, like testutil.h.
 */
#ifndef KITH_TESTS_RVFIXTURE_H
#define KITH_TESTS_RVFIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/snapshot.h"

/* 2024-01-01T00:00:00Z in Unix ms: day 0 of the fixtures. */
#define FX_DAY0_MS 1704067200000LL
#define FX_DAY_MS  86400000LL

static inline int64_t fx_ms(double day)
{
    return FX_DAY0_MS + (int64_t)(day * (double)FX_DAY_MS);
}

/*
 * Types: 1 "visit" rv 2 level 1; 2 "meeting" rv 5 level 1 trigger; 3 "demo" rv 8 level 2;
 * 4 "contract" rv 20 level 2 trigger (closing); 5 "complaint" rv -6 level 3 (retention);
 * 6 "order" rv 15 level 3 trigger (retention). Costs in cents: 100 per type id.
 */
static inline void fx_types(struct rv_builder *b)
{
    static const struct {
        int64_t id, rv, level;
        const char *phase;
        bool trig;
    } t[] = {
        {1, 2, 1, "acquisition", false}, {2, 5, 1, "acquisition", true},
        {3, 8, 2, "closing", false},     {4, 20, 2, "closing", true},
        {5, -6, 3, "retention", false},  {6, 15, 3, "retention", true},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct rv_type_in in = {t[i].id,    t[i].rv,   100 * t[i].id, t[i].level,
                                t[i].phase, t[i].trig, false};
        if (rv_builder_add_type(b, &in, NULL) < 0)
            abort();
    }
}

/* Units 1 "North", 2 "South"; teams 10 "Alpha" (unit 1), 20 "Beta" (unit 2); users 100, 200. */
static inline void fx_org(struct rv_builder *b)
{
    if (rv_builder_add_unit(b, 1, "North", NULL) < 0 ||
        rv_builder_add_unit(b, 2, "South", NULL) < 0 ||
        rv_builder_add_team(b, 10, "Alpha", 1, NULL) < 0 ||
        rv_builder_add_team(b, 20, "Beta", 2, NULL) < 0 ||
        rv_builder_add_user(b, 100, "ann@example.com", "Ann", 10, 1, NULL) < 0 ||
        rv_builder_add_user(b, 200, "bob@example.com", "Bob", 20, 2, NULL) < 0)
        abort();
}

static inline void fx_contact(struct rv_builder *b, int64_t id, int64_t account, int64_t team,
                              int64_t unit, int64_t owner, const char *industry)
{
    struct rv_contact_in c = {.id = id,
                              .account_id = account,
                              .owner_id = owner,
                              .unit_id = unit,
                              .team_id = team,
                              .industry = industry};
    if (rv_builder_add_contact(b, &c, NULL) < 0)
        abort();
}

static inline struct rv_interaction_in fx_row(int64_t id, int64_t contact, int64_t type, double day)
{
    struct rv_interaction_in r = {
        .id = id, .contact_id = contact, .user_id = 0, .type_id = type, .occurred_at = fx_ms(day)};
    return r;
}

static inline void fx_add(struct rv_builder *b, struct rv_interaction_in r)
{
    struct kith_error err = {0};
    if (rv_builder_add_interaction(b, 0, &r, &err) < 0) {
        fprintf(stderr, "fx_add: %s\n", err.msg);
        abort();
    }
}

static inline struct rv_snapshot *fx_finish(struct rv_builder *b)
{
    struct rv_snapshot *s = NULL;
    struct kith_error err = {0};
    if (rv_builder_finish(b, &s, &err) < 0) {
        fprintf(stderr, "fx_finish: %s\n", err.msg);
        abort();
    }
    rv_builder_free(b);
    return s;
}

/* A builder with the fixture's types and organisation, ready for contacts. */
static inline struct rv_builder *fx_builder(void)
{
    struct rv_builder *b = NULL;
    if (rv_builder_new(&b, NULL) < 0)
        abort();
    fx_types(b);
    fx_org(b);
    return b;
}

static inline void fx_begin(struct rv_builder *b)
{
    if (rv_builder_begin_interactions(b, 1, NULL) < 0)
        abort();
}

#endif
