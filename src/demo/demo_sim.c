/*
 * demo_sim.c - the relationship journeys of the demo: each contact moves through the levels of
 * the catalogue one interaction at a time (triggers advance, setbacks may regress, leads go
 * cold), its account buys by a BG/NBD process once its decision maker signs, disengages before
 * it drops out, gives notice, and happy customers refer others. Planted effects and every rate:
 * docs/demo-data.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

#define HOUR_MS (3600 * 1000LL)
#define MIN_MS  (60 * 1000LL)

/* Per level (index 1..8): interactions per day, and chances per interaction. */
static const double base_rate[CATALOGUE_NLEVELS + 1] = {0,     0.100, 0.120, 0.150, 0.150,
                                                        0.090, 0.090, 0.090, 0.080};
static const double base_trigger[CATALOGUE_NLEVELS + 1] = {0,    0.12, 0.10, 0.09, 0.10,
                                                           0.08, 0.03, 0.02, 0.03};
static const double base_setback[CATALOGUE_NLEVELS + 1] = {0,    0.03, 0.04, 0.05, 0.05,
                                                           0.05, 0.04, 0.03, 0.02};
/*
 * Scales the interaction rates so that the default demo has about 500,000 interactions; the
 * chances per interaction of advancing and of going cold are divided by it, so that the time a
 * contact takes to move through the levels does not depend on it.
 */
#define RATE_SCALE     1.6
#define P_LOST         0.012 /* a lead goes cold (levels 1..4) */
#define P_REGRESS      0.30  /* a setback of -12 RV or worse costs a level */
#define P_MISTAKE      0.012 /* a rep logs a wrong interaction, voided later */
#define P_NOTE         0.06
#define DISENGAGE_DAYS 365 /* before an account drops out */
#define SKILL_TILT     0.5 /* type choice towards RV per cost */
#define SKILL_COST     0.15
#define LAMBDA_MEAN    0.075 /* mean purchase rate per week (demo_people.c: r / alpha) */

struct pool {
    int n;
    int idx[40];
};

/* What the simulation needs to know about the catalogue, computed once. */
struct sim {
    struct demo_world *w;
    struct pool trig[CATALOGUE_NLEVELS + 1], neg[CATALOGUE_NLEVELS + 1], pos[CATALOGUE_NLEVELS + 1];
    int *event_of; /* per type: the event kind it records, or -1 */
    int t_order, t_repeat_order, t_po, t_award, t_cancel, t_referral;
    int open_type[8]; /* the first interaction of a primary contact, per lead source */
};

struct journey {
    size_t c;
    struct demo_account *a;
    int level;
    int64_t t, end;
    bool dormant, primary;
    size_t next_order; /* scheduled order interactions (primary only) */
    bool notice_done;
};

static int type_index(const char *code)
{
    size_t i;
    if (!catalogue_find(code, &i))
        BUG("catalogue type %s is missing", code);
    return (int)i;
}

static void event_map(struct sim *s, const char *const *codes, int kind)
{
    for (; *codes; codes++)
        s->event_of[type_index(*codes)] = kind;
}

static int sim_init(struct sim *s, struct demo_world *w, struct kith_error *err)
{
    memset(s, 0, sizeof(*s));
    s->w = w;
    s->event_of = malloc(w->ntypes * sizeof(*s->event_of));
    if (!s->event_of)
        return kith_err(err, KITH_ENOMEM, "out of memory preparing the simulation");
    for (size_t i = 0; i < w->ntypes; i++) {
        const struct catalogue_type *t = &w->types[i];
        s->event_of[i] = -1;
        if (t->freq <= 0.0)
            continue;
        struct pool *p = t->is_trigger ? &s->trig[t->level]
                         : t->rv < 0   ? &s->neg[t->level]
                                       : &s->pos[t->level];
        if (p->n == (int)(sizeof(p->idx) / sizeof(p->idx[0])))
            BUG("too many types at level %d", t->level);
        p->idx[p->n++] = (int)i;
    }
    static const char *const bad[] = {"cu_late_delivery",      "cu_installation_problem",
                                      "rp_support_escalation", "rp_unplanned_downtime",
                                      "voc_complaint",         "voc_nps_detractor",
                                      "voc_critical_review",   NULL};
    static const char *const recommend[] = {"ad_reference_call_given", "ad_five_star_review",
                                            "voc_nps_promoter",        "voc_public_praise",
                                            "ad_case_study",           NULL};
    static const char *const create[] = {"ly_community_answer", "ad_community_meetup",
                                         "voc_improvement_idea", NULL};
    static const char *const share[] = {"ad_social_share", NULL};
    static const char *const download[] = {"aw_whitepaper_download", "in_case_study_download",
                                           NULL};
    event_map(s, bad, EV_BAD_EXPERIENCE);
    event_map(s, recommend, EV_RECOMMEND);
    event_map(s, create, EV_CREATE);
    event_map(s, share, EV_SHARE);
    event_map(s, download, EV_DOWNLOAD);
    s->t_order = type_index("cu_order_placed");
    s->t_repeat_order = type_index("cu_repeat_order");
    s->t_po = type_index("cm_po_received");
    s->t_award = type_index("cm_award_notified");
    s->t_cancel = type_index("cu_cancellation_notice");
    s->t_referral = type_index("ad_peer_referral");
    static const char *const open[] = {
        "aw_web_visit",       "aw_trade_show_scan",   "aw_cold_call", "aw_webinar_registration",
        "aw_search_ad_click", "aw_prospecting_email", "in_intro_call"};
    if (demo_nsources != sizeof(open) / sizeof(open[0]))
        BUG("an opening interaction is needed for each of the %zu lead sources", demo_nsources);
    for (size_t i = 0; i < demo_nsources; i++)
        s->open_type[i] = type_index(open[i]);
    return 0;
}

static void sim_release(struct sim *s)
{
    free(s->event_of);
}

/* ---- emitting interactions ---- */

/*
 * A moment in office hours (07:30-18:30 UTC, a weekday) on the first day from t on that still has
 * one after t: when a person does something is not when the simulation's clock ticked.
 */
static int64_t business_hours(struct demo_world *w, int64_t t)
{
    int64_t day = t / DEMO_DAY_MS;
    int64_t tod = (int64_t)rng_range(&w->rng_sim, 7.5 * (double)HOUR_MS, 18.5 * (double)HOUR_MS);
    if (day * DEMO_DAY_MS + tod < t)
        day++;
    int wd = (int)((day + 4) % 7); /* 1970-01-01 was a Thursday; 0 is Sunday */
    /* What would have fallen on a weekend is spread over the next week, not piled on Monday. */
    if (wd == 6)
        day += 2 + rng_below(&w->rng_sim, 5);
    else if (wd == 0)
        day += 1 + rng_below(&w->rng_sim, 5);
    return day * DEMO_DAY_MS + tod;
}

static int rep_of(const struct journey *j, int level)
{
    return j->a->rep[catalogue_level_phase(level)];
}

static double skill_of(int user)
{
    return user >= 0 ? demo_users[user].skill : 0.0;
}

static struct demo_ix *push_ix(struct demo_world *w, int type, uint32_t contact, int user,
                               int64_t at, struct kith_error *err)
{
    struct demo_ix *x = demo_vec_push(&w->ix, err);
    if (!x)
        return NULL;
    const struct catalogue_type *t = &w->types[type];
    memset(x, 0, sizeof(*x));
    x->at = at;
    x->contact = contact;
    x->type = (int16_t)type;
    x->user = (int16_t)(t->by_rep ? user : -1);
    x->rv = t->rv;
    x->cost = t->cost;
    if (t->by_rep)
        x->cost = (int64_t)llround((double)t->cost * exp(-SKILL_COST * skill_of(user)));
    x->voids = -1;
    x->seq = w->next_seq++;
    x->logged = at;
    if (t->by_rep && at >= DEMO_GOLIVE_MS) {
        /* People log a while after the fact; systems log at once. */
        x->logged = at + (int64_t)(rng_exponential(&w->rng_sim, 4.0) * (double)HOUR_MS);
        if (x->logged >= DEMO_NOW_MS)
            x->logged = DEMO_NOW_MS - 1;
    }
    return x;
}

/* A rep logs a wrong interaction and voids it later; neither changes the journey. */
static int add_mistake(struct sim *s, const struct journey *j, int user, int64_t at,
                       struct kith_error *err)
{
    struct demo_world *w = s->w;
    const struct pool *p = &s->pos[j->level];
    int cand[40], n = 0;
    for (int i = 0; i < p->n; i++)
        if (w->types[p->idx[i]].by_rep)
            cand[n++] = p->idx[i];
    if (n == 0 || at < DEMO_GOLIVE_MS || at > DEMO_NOW_MS - 12 * DEMO_DAY_MS)
        return 0;
    int type = cand[rng_below(&w->rng_sim, (uint32_t)n)];
    int64_t when = at + (int64_t)rng_range(&w->rng_sim, 5.0 * MIN_MS, 3.0 * HOUR_MS);
    if (when >= j->a->notice_ms)
        return 0; /* nothing is logged for an account after its notice */
    struct demo_ix *bad = push_ix(w, type, (uint32_t)j->c, user, when, err);
    if (!bad)
        return err->code;
    bad->level = (uint8_t)j->level;
    int32_t bad_seq = bad->seq;
    int64_t bad_logged = bad->logged, bad_rv = bad->rv, bad_cost = bad->cost;
    struct demo_ix *fix = push_ix(w, type, (uint32_t)j->c, user, when, err);
    if (!fix)
        return err->code;
    fix->rv = (int32_t)-bad_rv;
    fix->cost = -bad_cost;
    fix->voids = bad_seq;
    fix->outcome = OUT_VOID;
    fix->level = (uint8_t)j->level;
    fix->logged =
        bad_logged + (int64_t)rng_range(&w->rng_sim, 1.0 * DEMO_DAY_MS, 10.0 * DEMO_DAY_MS);
    fix->note = (uint8_t)(1 + rng_below(&w->rng_sim, (uint32_t)demo_nvoid_notes));
    return 0;
}

static void reach(struct demo_contact *c, int level, int64_t t)
{
    if (c->reach_ms[level] == NEVER)
        c->reach_ms[level] = t;
}

/*
 * Records interaction type for journey j at time at (already in business hours when done by a
 * rep), applies its effect on the level and records the event it implies.
 */
static int emit(struct sim *s, struct journey *j, int type, int64_t at, struct kith_error *err)
{
    struct demo_world *w = s->w;
    const struct catalogue_type *t = &w->types[type];
    struct demo_contact *c = &w->con[j->c];
    int user = rep_of(j, j->level);
    struct demo_ix *x = push_ix(w, type, (uint32_t)j->c, user, at, err);
    if (!x)
        return err->code;
    if (t->is_trigger) {
        if (j->level < CATALOGUE_NLEVELS)
            j->level++;
        reach(c, j->level, at);
        x->outcome = OUT_ADVANCED;
        j->dormant = false;
    } else if (t->rv < 0) {
        x->outcome = OUT_SETBACK;
        int floor = j->level >= 5 ? 5 : 1;
        if (t->rv <= -12 && j->level > floor && rng_bernoulli(&w->rng_sim, P_REGRESS)) {
            j->level--;
            x->outcome = OUT_REGRESSED;
        }
    }
    x->level = (uint8_t)j->level;
    if (t->by_rep && rng_bernoulli(&w->rng_sim, P_NOTE))
        x->note = (uint8_t)(1 + rng_below(&w->rng_sim, (uint32_t)demo_nnotes));
    j->t = at;
    int kind = s->event_of[type];
    if (kind >= 0) {
        int rc = demo_event_add(w, kind, at, (int64_t)j->c, (int64_t)c->account, -1, -1, NULL, err);
        if (rc < 0)
            return rc;
    }
    if (t->by_rep && !t->is_trigger && rng_bernoulli(&w->rng_sim, P_MISTAKE))
        return add_mistake(s, j, user, at, err);
    return 0;
}

/* ---- choosing the next interaction ---- */

static double pace_factor(enum demo_pace p, double stall, double fast)
{
    return p == PACE_STALL ? stall : p == PACE_FAST ? fast : 1.0;
}

/*
 * Engagement around the account's dropout: 1 until DISENGAGE_DAYS before it, then falling
 * linearly to 0.25 at the dropout, and 0.2 from then until the notice.
 */
static double engagement(const struct demo_account *a, int64_t t)
{
    int64_t from = a->death_ms == NEVER ? NEVER : a->death_ms - DISENGAGE_DAYS * DEMO_DAY_MS;
    if (t < from)
        return 1.0;
    if (t >= a->death_ms)
        return 0.2;
    return 1.0 - 0.75 * (double)(t - from) / (double)(a->death_ms - from);
}

static double rate_of(const struct journey *j, const struct demo_contact *c, int64_t t)
{
    static const double role_early[3] = {1.0, 0.85, 0.75}, role_late[3] = {1.0, 0.9, 1.1};
    double r = base_rate[j->level] * RATE_SCALE;
    r *= pace_factor(c->pace, 0.4, 1.6);
    r *= sqrt(demo_units[j->a->unit].depth);
    r *= exp(0.15 * j->a->q);
    if (j->level >= 5) {
        /* Customers that buy more often have more to talk about: deliveries, tickets, reviews. */
        double busy = pow(j->a->lambda / LAMBDA_MEAN, 0.6);
        r *= role_late[c->buying_role] * (busy < 3.0 ? busy : 3.0);
    } else {
        r *= role_early[c->buying_role];
        /* Committed, but the decision is the decision maker's: little to do while waiting. */
        if (j->level == 4 && !j->primary && t < j->a->conv_ms)
            r *= 0.3;
    }
    r *= engagement(j->a, t);
    if (j->dormant)
        r *= 0.15;
    return r;
}

/* True if a trigger of type may happen for this contact now (conversion and repeat gates). */
static bool trigger_allowed(const struct sim *s, const struct journey *j, int type, int64_t t)
{
    if (j->level == 4) {
        if (type == s->t_award)
            return !j->primary && t >= j->a->conv_ms;
        return j->primary;
    }
    if (j->level == 5)
        return t >= j->a->second_order_ms;
    return true;
}

static int choose(struct sim *s, const struct journey *j, const struct pool *p, int user,
                  int64_t now, bool triggers, bool system_only)
{
    struct demo_world *w = s->w;
    const struct demo_contact *c = &w->con[j->c];
    double depth = demo_units[j->a->unit].depth;
    double skill = skill_of(user);
    double wt[40];
    for (int i = 0; i < p->n; i++) {
        const struct catalogue_type *t = &w->types[p->idx[i]];
        double x = t->freq;
        if (system_only && t->by_rep)
            x = 0.0;
        if (triggers && !trigger_allowed(s, j, p->idx[i], now))
            x = 0.0;
        if (t->by_rep)
            x *= exp(SKILL_TILT * skill * w->type_eff[p->idx[i]]);
        /* Deep partners favour high-touch interactions, shallow ones low-touch (V2T2). */
        x *= exp(1.5 * (depth - 1.0) * (t->touch - 0.5));
        /* Misfit accounts get a closing out of tune: more tech, less touch (planted effect i). */
        if (j->a->misfit && catalogue_level_phase(j->level) == PHASE_CLOSING)
            x *= exp(DEMO_MISFIT_TILT * (t->tech - t->touch));
        int kind = s->event_of[p->idx[i]];
        if (kind == EV_CREATE || kind == EV_SHARE)
            x *= c->community == 0 ? 4.0 : c->community == 1 ? 3.0 : 0.4;
        else if (kind == EV_DOWNLOAD)
            x *= c->community == 2 ? 2.5 : 1.0;
        wt[i] = x;
    }
    double total = 0.0;
    for (int i = 0; i < p->n; i++)
        total += wt[i];
    if (total <= 0.0)
        return -1;
    return p->idx[rng_choice(&w->rng_sim, wt, (size_t)p->n)];
}

/* Draws the next interaction of j at time t; -1 when nothing fits. */
static int next_type(struct sim *s, struct journey *j, int64_t t, bool *lost)
{
    struct demo_world *w = s->w;
    const struct demo_contact *c = &w->con[j->c];
    const struct demo_account *a = j->a;
    int user = rep_of(j, j->level);
    double skill = skill_of(user), depth = demo_units[a->unit].depth;
    double eng = engagement(a, t);
    double p_trig = base_trigger[j->level] / RATE_SCALE * pace_factor(c->pace, 0.15, 2.8) * depth *
                    exp(0.35 * skill + 0.45 * a->q);
    double p_neg = base_setback[j->level] * pace_factor(c->pace, 1.5, 0.6) / depth *
                   exp(-0.35 * skill - 0.45 * a->q);
    if (eng < 1.0) {
        /* Disengaging: fewer steps forward, more setbacks; none forward once gone. */
        p_trig = t >= a->death_ms ? 0.0 : p_trig * eng * eng;
        p_neg *= 1.0 + 12.0 * (1.0 - eng);
    }
    if (j->dormant)
        p_trig *= 0.1;
    *lost = false;
    double u = rng_uniform(&w->rng_sim);
    int type = -1;
    if (u < p_trig)
        type = choose(s, j, &s->trig[j->level], user, t, true, false);
    else if (u < p_trig + p_neg && !j->dormant)
        type = choose(s, j, &s->neg[j->level], user, t, false, false);
    if (type < 0)
        type = choose(s, j, &s->pos[j->level], user, t, false, j->dormant);
    if (j->level <= 4 && !j->dormant &&
        rng_bernoulli(&w->rng_sim, P_LOST / RATE_SCALE * pace_factor(c->pace, 1.5, 0.5) / depth *
                                       exp(-0.3 * a->q - 0.2 * skill)))
        *lost = true;
    return type;
}

/* ---- journeys ---- */

static void journey_start(struct journey *j, struct demo_world *w, size_t c, int level)
{
    memset(j, 0, sizeof(*j));
    j->c = c;
    j->a = &w->acc[w->con[c].account];
    j->primary = w->acc[w->con[c].account].primary == c;
    j->level = level;
    j->t = w->con[c].arrival_ms;
    j->end = DEMO_NOW_MS;
    w->con[c].start_level = level;
    reach(&w->con[c], level, j->t);
}

/* The next scheduled interaction of the primary contact (orders, notice): time and type. */
static int64_t scheduled(const struct sim *s, struct journey *j, int *type)
{
    const struct demo_account *a = j->a;
    if (!j->primary)
        return NEVER;
    while (j->next_order < a->norders) {
        const struct demo_order *o =
            VEC_AT(s->w->orders, struct demo_order, a->first_order + j->next_order);
        if (j->next_order == 0 && a->conv_type == s->t_po) {
            j->next_order++; /* the purchase order was the trigger */
            continue;
        }
        *type = j->next_order == 1 && j->level == 5 ? s->t_repeat_order : s->t_order;
        return o->at;
    }
    if (!j->notice_done && a->notice_ms < DEMO_NOW_MS) {
        *type = s->t_cancel;
        return a->notice_ms;
    }
    return NEVER;
}

/*
 * Runs journey j until its end; with stop_at_customer, returns as soon as the contact becomes a
 * customer (the account's conversion).
 */
static int journey_run(struct sim *s, struct journey *j, bool stop_at_customer, bool first,
                       struct kith_error *err)
{
    struct demo_world *w = s->w;
    struct demo_contact *c = &w->con[j->c];
    int rc;
    for (;;) {
        int64_t end = j->a->notice_ms < j->end ? j->a->notice_ms : j->end;
        int stype = -1;
        int64_t st = scheduled(s, j, &stype);
        int64_t t = j->t;
        if (!first) {
            double rate = rate_of(j, c, j->t);
            t += (int64_t)(rng_exponential(&w->rng_sim, 1.0 / rate) * (double)DEMO_DAY_MS);
        }
        if (st != NEVER && st <= t && st <= DEMO_NOW_MS - 1) {
            if (stype == s->t_cancel)
                j->notice_done = true;
            else
                j->next_order++;
            if ((rc = emit(s, j, stype, st, err)) < 0)
                return rc;
            if (stype == s->t_cancel)
                return 0;
            continue;
        }
        if (t >= end)
            return 0;
        bool lost = false;
        int type;
        if (first && j->primary && j->level == c->start_level && c->start_level <= 2)
            type = s->open_type[j->a->source];
        else
            type = next_type(s, j, t, &lost);
        first = false;
        if (type < 0) {
            j->t = t;
            continue;
        }
        if (w->types[type].by_rep)
            t = business_hours(w, t);
        if (t >= end) { /* office hours came too late; what is scheduled may still be due */
            j->t = t;
            continue;
        }
        if ((rc = emit(s, j, type, t, err)) < 0)
            return rc;
        if (lost)
            j->dormant = true;
        if (stop_at_customer && j->level == 5) {
            j->a->conv_ms = t;
            j->a->conv_type = type;
            return 0;
        }
    }
}

/*
 * BG/NBD: purchases at rate lambda while alive; after each repeat purchase, gone with p. A misfit
 * account is also gone at its give-up time (effect i).
 */
static int purchases(struct sim *s, struct demo_account *a, struct kith_error *err)
{
    struct demo_world *w = s->w;
    struct rng *r = &w->rng_orders;
    int64_t t = a->conv_ms;
    if (a->conv_type != s->t_po) {
        int64_t room = DEMO_NOW_MS - 1 - a->conv_ms;
        double delay = rng_range(r, 1.0, 21.0) * (double)DEMO_DAY_MS;
        t += (int64_t)(delay < (double)room / 2 ? delay : (double)room / 2);
    }
    a->first_order = w->orders.n;
    int rc;
    if ((rc = demo_order_add(w, (size_t)(a - w->acc), t, err)) < 0)
        return rc;
    double week = 7.0 * (double)DEMO_DAY_MS;
    /* A misfit account gives up misfit_days after its conversion at the latest (effect i). */
    int64_t give_up = NEVER;
    if (a->misfit && a->misfit_days * (double)DEMO_DAY_MS < (double)(DEMO_NOW_MS - a->conv_ms))
        give_up = a->conv_ms + (int64_t)(a->misfit_days * (double)DEMO_DAY_MS);
    if (give_up < t)
        give_up = t; /* not before its first order */
    int64_t death = NEVER;
    for (;;) {
        t += (int64_t)(rng_exponential(r, 1.0 / a->lambda) * week);
        if (t >= give_up) {
            death = give_up;
            break;
        }
        if (t >= DEMO_NOW_MS)
            break;
        if ((rc = demo_order_add(w, (size_t)(a - w->acc), t, err)) < 0)
            return rc;
        if (rng_bernoulli(r, a->p_drop)) {
            death = t;
            break;
        }
    }
    if (death != NEVER) {
        a->death_ms = death;
        /* The company notices weeks or months later, when the account gives notice. */
        double lag = 14.0 + rng_exponential(r, 75.0);
        a->notice_ms = business_hours(w, death + (int64_t)(lag * (double)DEMO_DAY_MS));
    }
    a->norders = w->orders.n - a->first_order;
    if (a->norders >= 2)
        a->second_order_ms = VEC_AT(w->orders, struct demo_order, a->first_order + 1)->at;
    return 0;
}

static int simulate_account(struct sim *s, size_t ai, struct kith_error *err)
{
    struct demo_world *w = s->w;
    struct demo_account *a = &w->acc[ai];
    struct journey j;
    int rc;
    journey_start(&j, w, a->primary, a->source == SRC_REFERRAL_INDEX ? 2 : 1);
    if ((rc = journey_run(s, &j, true, true, err)) < 0)
        return rc;
    if (a->conv_ms != NEVER) {
        if ((rc = purchases(s, a, err)) < 0)
            return rc;
        if ((rc = journey_run(s, &j, false, false, err)) < 0)
            return rc;
    }
    w->con[a->primary].level = j.level;
    for (size_t k = a->first_contact; k < a->first_contact + a->ncontacts; k++) {
        if (k == a->primary)
            continue;
        struct demo_contact *c = &w->con[k];
        if (c->arrival_ms >= a->notice_ms) /* nobody new joins a lost account */
            c->arrival_ms =
                a->arrival_ms +
                (int64_t)rng_range(&w->rng_sim, 0, (double)(a->notice_ms - a->arrival_ms));
        /* People added to a customer account start as customers. */
        int level = c->arrival_ms >= a->conv_ms ? 5 : 1;
        journey_start(&j, w, k, level);
        if ((rc = journey_run(s, &j, false, true, err)) < 0)
            return rc;
        c->level = j.level;
    }
    if (a->notice_ms < DEMO_NOW_MS) {
        int64_t value = 0;
        for (size_t k = 0; k < a->norders; k++) {
            const struct demo_order *o = VEC_AT(w->orders, struct demo_order, a->first_order + k);
            if (o->at > a->death_ms - 365 * DEMO_DAY_MS)
                value += o->margin;
        }
        rc = demo_event_add(w, EV_CHURN, a->notice_ms, (int64_t)a->primary, (int64_t)ai, -1, value,
                            "Gave notice; margin of its last twelve months of orders", err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- referrals (planted effect g) ---- */

static int referrals(struct sim *s, struct kith_error *err)
{
    struct demo_world *w = s->w;
    struct rng *r = &w->rng_sim;
    /* Customers' contacts, in the order they became customers. */
    size_t *cust = malloc(w->ncon * sizeof(*cust));
    double *wt = malloc(w->ncon * sizeof(*wt));
    if (!cust || !wt) {
        free(cust);
        free(wt);
        return kith_err(err, KITH_ENOMEM, "out of memory choosing referrers");
    }
    size_t n = 0;
    for (size_t i = 0; i < w->ncon; i++)
        if (w->con[i].reach_ms[5] != NEVER)
            cust[n++] = i;
    int rc = 0;
    for (size_t ai = 0; ai < w->nacc; ai++) {
        struct demo_account *a = &w->acc[ai];
        if (a->source != SRC_REFERRAL_INDEX)
            continue;
        /* Ten to forty days before the referred account arrives (office hours add up to a week). */
        int64_t t = a->arrival_ms - (int64_t)(rng_range(r, 10.0, 40.0) * (double)DEMO_DAY_MS);
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            const struct demo_contact *c = &w->con[cust[k]];
            const struct demo_account *ca = &w->acc[c->account];
            double x = 0.0;
            if (c->account != ai && c->reach_ms[5] <= t && ca->notice_ms > t + 8 * DEMO_DAY_MS) {
                x = c->advocacy;
                if (c->reach_ms[7] <= t)
                    x *= 3.0;
                if (c->reach_ms[8] <= t)
                    x *= 2.0;
            }
            wt[k] = x;
            m += x > 0.0;
        }
        if (m == 0) {
            a->source = 0; /* nobody could have referred it: a website lead after all */
            continue;
        }
        size_t ref = cust[rng_choice(r, wt, n)];
        struct demo_contact *rc_ = &w->con[ref];
        struct journey j;
        memset(&j, 0, sizeof(j));
        j.c = ref;
        j.a = &w->acc[rc_->account];
        j.level = 5;
        for (int l = CATALOGUE_NLEVELS; l >= 5; l--) {
            if (rc_->reach_ms[l] <= t) {
                j.level = l;
                break;
            }
        }
        int64_t at = business_hours(w, t);
        if ((rc = emit(s, &j, s->t_referral, at, err)) < 0)
            break;
        a->referral_ms = at;
        w->referrals++;
        rc = demo_event_add(w, EV_REFERRAL, at, (int64_t)ref, (int64_t)rc_->account,
                            (int64_t)a->primary, -1, "Introduced a peer company", err);
        if (rc < 0)
            break;
    }
    free(cust);
    free(wt);
    return rc;
}

int demo_sim_run(struct demo_world *w, struct kith_error *err)
{
    struct sim s;
    int rc = sim_init(&s, w, err);
    if (rc < 0)
        return rc;
    for (size_t ai = 0; ai < w->nacc && rc == 0; ai++)
        rc = simulate_account(&s, ai, err);
    if (rc == 0)
        rc = referrals(&s, err);
    sim_release(&s);
    return rc;
}
