/*
 * demo_moments.c - planted effects (j) and (k) of the demo (docs/demo-data.md): two moments of
 * truth for `kith voice moments` to find. (j) The delivery call that breaks the promise: the
 * primary contact of a share of the accounts that give notice calls about a delivery
 * (`voc_delivery_feedback`) in the weeks before the dropout, so that churn follows that type. (k)
 * The onboarding kickoff that lifts the relationship: after each `cu_onboarding_kickoff`, the
 * contact gets extra follow-up interactions (commissioning, training, check-ins, tickets) over the
 * next half year, so that RV rises after it. Drawn from a random stream of its own (7) after the
 * simulation, the deals and the wallets, so that none of them changes; the rows added only add
 * interactions.
 */
#include <math.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

#define HOUR_MS    (3600 * 1000LL)
#define SKILL_COST 0.15 /* as demo_sim.c: skilled reps spend less time */

static int type_index(const char *code)
{
    size_t i;
    if (!catalogue_find(code, &i))
        BUG("catalogue type %s is missing", code);
    return (int)i;
}

/* t moved into office hours (07:30-18:30 UTC, weekdays), from stream 7. */
static int64_t office_hours(struct demo_world *w, int64_t t)
{
    int64_t day = t / DEMO_DAY_MS;
    int64_t tod =
        (int64_t)rng_range(&w->rng_moments, 7.5 * (double)HOUR_MS, 18.5 * (double)HOUR_MS);
    if (day * DEMO_DAY_MS + tod < t)
        day++;
    int wd = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday; 0 is Sunday */
    if (wd == 6)
        day += 2;
    else if (wd == 0)
        day += 1;
    return day * DEMO_DAY_MS + tod;
}

/* Appends an interaction of type (by the account's retention rep when a person's) at at. */
static int add(struct demo_world *w, int type, size_t contact, int64_t at, struct kith_error *err)
{
    const struct catalogue_type *t = &w->types[type];
    const struct demo_account *a = &w->acc[w->con[contact].account];
    const int user = a->rep[catalogue_level_phase(t->level)];
    struct demo_ix *x = demo_vec_push(&w->ix, err);
    if (!x)
        return err->code;
    memset(x, 0, sizeof(*x));
    x->at = at;
    x->logged = at;
    x->contact = (uint32_t)contact;
    x->type = (int16_t)type;
    x->user = (int16_t)(t->by_rep ? user : -1);
    x->rv = t->rv;
    x->cost = t->cost;
    if (t->by_rep && user >= 0)
        x->cost = (int64_t)llround((double)t->cost * exp(-SKILL_COST * demo_users[user].skill));
    x->voids = -1;
    x->seq = w->next_seq++;
    x->outcome = t->rv < 0 ? OUT_SETBACK : OUT_DONE;
    x->level = (uint8_t)w->con[contact].level;
    if (t->by_rep && at >= DEMO_GOLIVE_MS) {
        x->logged = at + (int64_t)(rng_exponential(&w->rng_moments, 4.0) * (double)HOUR_MS);
        if (x->logged >= DEMO_NOW_MS)
            x->logged = DEMO_NOW_MS - 1;
    }
    return 0;
}

/* (j): a delivery call in the DEMO_DELIVERY_LEAD_DAYS before the dropout of a noticed account. */
static int plant_delivery_calls(struct demo_world *w, struct kith_error *err)
{
    const int type = type_index("voc_delivery_feedback");
    for (size_t i = 0; i < w->nacc; i++) {
        const struct demo_account *a = &w->acc[i];
        if (a->notice_ms >= DEMO_NOW_MS || a->death_ms == NEVER)
            continue;
        if (!rng_bernoulli(&w->rng_moments, DEMO_DELIVERY_SHARE))
            continue;
        double lead = rng_range(&w->rng_moments, 0.0, DEMO_DELIVERY_LEAD_DAYS);
        int64_t at = office_hours(w, a->death_ms - (int64_t)(lead * (double)DEMO_DAY_MS));
        if (at <= a->conv_ms || at >= a->notice_ms)
            continue;
        int rc = add(w, type, a->primary, at, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* (k): after each onboarding kickoff, Poisson(DEMO_KICKOFF_FOLLOWUPS) follow-ups within
 * DEMO_KICKOFF_DAYS, drawn by catalogue frequency from the pool below. */
static int plant_kickoff_followups(struct demo_world *w, struct kith_error *err)
{
    /* of the kickoff's level (5), so that no contact reaches a level it had not */
    static const char *const pool[] = {"cu_commissioning", "cu_operator_training",
                                       "cu_checkin_call", "cu_ticket_resolved"};
    enum { NPOOL = sizeof(pool) / sizeof(pool[0]) };
    int idx[NPOOL];
    double total = 0;
    for (size_t i = 0; i < NPOOL; i++) {
        idx[i] = type_index(pool[i]);
        total += w->types[idx[i]].freq;
    }
    const int kickoff = type_index("cu_onboarding_kickoff");
    const size_t n = w->ix.n; /* the simulated ones: the follow-ups are not looked at */
    for (size_t i = 0; i < n; i++) {
        const struct demo_ix x = *VEC_AT(w->ix, struct demo_ix, i);
        if (x.type != kickoff || x.outcome == OUT_VOID)
            continue;
        const struct demo_account *a = &w->acc[w->con[x.contact].account];
        const int64_t end = a->notice_ms < DEMO_NOW_MS ? a->notice_ms : DEMO_NOW_MS;
        unsigned k = rng_poisson(&w->rng_moments, DEMO_KICKOFF_FOLLOWUPS);
        for (unsigned f = 0; f < k; f++) {
            double u = rng_uniform(&w->rng_moments) * total;
            size_t p = 0;
            while (p + 1 < NPOOL && u >= w->types[idx[p]].freq) {
                u -= w->types[idx[p]].freq;
                p++;
            }
            double days = rng_range(&w->rng_moments, 1.0, DEMO_KICKOFF_DAYS);
            int64_t at = office_hours(w, x.at + (int64_t)(days * (double)DEMO_DAY_MS));
            if (at >= end)
                continue;
            int rc = add(w, idx[p], x.contact, at, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

int demo_moments_generate(struct demo_world *w, struct kith_error *err)
{
    int rc = plant_delivery_calls(w, err);
    if (rc == 0)
        rc = plant_kickoff_followups(w, err);
    return rc;
}
