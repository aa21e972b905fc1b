/*
 * demo_int.h - internals of the demo generator shared by src/demo/demo_*.c.
 *
 * The generator first builds the whole world in memory (struct demo_world), indexed by
 * generation order, then sorts the time-ordered tables by time so that ids grow with time, and
 * writes every row with an explicit id and created_at. Only demo_*.c include this header.
 */
#ifndef KITH_DEMO_DEMO_INT_H
#define KITH_DEMO_DEMO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "demo/demo.h"
#include "model/catalogue.h"
#include "util/error.h"
#include "util/rng.h"

#define NEVER INT64_MAX

/* ---- the value network: static data of demo_org.c ---- */

struct demo_unit {
    const char *name;
    const char *kind;
    int parent;      /* index, -1 for none */
    int bu;          /* the business unit whose products it sells: 1 or 2 (0: the group) */
    double depth;    /* relationship depth of its people: 1 for the business units */
    double share;    /* share of the accounts it serves */
    const char *ext; /* external_id */
};

struct demo_team {
    const char *name;
    const char *kind;
    int unit;
};

struct demo_user {
    const char *first, *last;
    const char *role;
    int unit;
    int team;            /* -1 for none */
    int vat;             /* frontline reps: the virtual account team they serve; else -1 */
    double skill;        /* latent skill of a rep (z-score); 0 for non-reps */
    int64_t hourly_cost; /* cents */
};

extern const struct demo_unit demo_units[];
extern const size_t demo_nunits;
extern const struct demo_team demo_teams[];
extern const size_t demo_nteams;
extern const struct demo_user demo_users[];
extern const size_t demo_nusers;

/* The email of user i into out (cap bytes). */
void demo_user_email(size_t i, char *out, size_t cap);

/* ---- names and products: static data of demo_names.c ---- */

/* Lower-case ASCII letters and digits of s, Latin-1 accents folded; returns the length. */
size_t demo_slug(const char *s, char *out, size_t cap);

extern const char *const demo_first_names[];
extern const size_t demo_nfirst_names;
extern const char *const demo_last_names[];
extern const size_t demo_nlast_names;
extern const char *const demo_company_prefixes[];
extern const size_t demo_ncompany_prefixes;
extern const char *const demo_company_regions[];
extern const size_t demo_ncompany_regions;
extern const char *const demo_company_suffixes[];
extern const size_t demo_ncompany_suffixes;

struct demo_industry {
    const char *name;
    const char *cores[3]; /* words for company names */
};
extern const struct demo_industry demo_industries[];
extern const size_t demo_nindustries;
extern const char *const demo_territories[];
extern const size_t demo_nterritories;
extern const char *const demo_erps[];
extern const size_t demo_nerps;

/* Titles per buying role (0 decision maker, 1 influencer, 2 user). */
extern const char *const *const demo_titles[3];
extern const size_t demo_ntitles[3];
extern const char *const demo_buying_roles[3];
extern const char *const demo_notes[];
extern const size_t demo_nnotes;
/* Why a voiding interaction voids the earlier one. */
extern const char *const demo_void_notes[];
extern const size_t demo_nvoid_notes;

struct demo_product {
    const char *sku, *name, *category;
    int bu;            /* 1 automation, 2 fluid power, 0 services (both) */
    int64_t price;     /* cents */
    int64_t unit_cost; /* cents */
};
extern const struct demo_product demo_products[];
extern const size_t demo_nproducts;

/* Planted associations: with anchor in an order, partner is added with probability p. */
struct demo_association {
    const char *anchor, *partner;
    double p;
    int qty_per_anchor; /* partner quantity per anchor unit */
};
extern const struct demo_association demo_associations[];
extern const size_t demo_nassociations;

/* Upsell pairs: buying premium after having bought base is an upsell. */
struct demo_upgrade {
    const char *base, *premium;
};
extern const struct demo_upgrade demo_upgrades[];
extern const size_t demo_nupgrades;

/* ---- the simulated world ---- */

enum demo_pace { PACE_NORMAL = 0, PACE_STALL = 1, PACE_FAST = 2 };
enum demo_source_kind { SRC_REFERRAL_INDEX = 6 }; /* demo_sources[6] is "Referral" */

extern const char *const demo_sources[];
extern const size_t demo_nsources;

struct demo_account {
    int64_t arrival_ms;
    int unit, team;
    int rep[CATALOGUE_NPHASES]; /* user index per phase */
    int industry, territory, source, band, erp;
    int name_prefix, name_core, name_region, name_suffix, name_variant;
    int64_t revenue; /* cents */
    int employees;
    double q;        /* latent relationship quality, N(0,1) */
    double lambda;   /* purchase rate per week while alive (BG/NBD) */
    double p_drop;   /* dropout probability after each repeat purchase (BG/NBD) */
    double nu;       /* Gamma-Gamma rate of spend: mean order = 3 / nu dollars */
    double discount; /* share off list price */
    int cat_pref[2]; /* preferred product categories (indices into demo_categories) */
    size_t primary;  /* contact index of the first decision maker */
    size_t first_contact, ncontacts; /* contacts are generated per account, contiguously */
    int64_t conv_ms;   /* became a customer (the primary's trigger to level 5), or NEVER */
    int conv_type;     /* the type of that trigger */
    int64_t death_ms;  /* stopped buying (unobserved), or NEVER */
    int64_t notice_ms; /* cancellation notice (churn event), or NEVER */
    size_t first_order, norders; /* orders of the account, contiguous in time order */
    int64_t second_order_ms;
    int64_t referral_ms; /* when it was referred, or NEVER */
    int64_t wallet;      /* estimated annual category spend, cents; 0: none (demo_wallet.c) */
    bool misfit;         /* closing phase out of tune (planted effect i, demo_misfit.c) */
    double misfit_days;  /* misfit: gives up buying this long after its conversion at the latest */
};

struct demo_contact {
    size_t account;
    int64_t arrival_ms;
    int first, last, title, buying_role; /* indices */
    int community;                       /* -1 none, 0 leader, 1 doer, 2 watcher */
    enum demo_pace pace;
    double advocacy; /* propensity to refer */
    int start_level, level;
    int64_t reach_ms[CATALOGUE_NLEVELS + 1]; /* first time each level was reached, or NEVER */
    int email_dup; /* >0: a digit to tell it from a namesake at the same account */
    uint32_t id;   /* row id once sorted */
};

struct demo_ix {
    int64_t at, logged;
    uint32_t contact; /* contact index */
    int16_t user;     /* user index or -1 */
    int16_t type;     /* catalogue index */
    int32_t rv;
    int32_t seq;   /* generation order */
    int32_t voids; /* seq of the voided interaction, or -1 */
    int64_t cost;
    uint8_t outcome; /* enum demo_outcome */
    uint8_t note;    /* 0 none, else demo_notes[note - 1] (demo_void_notes for OUT_VOID) */
    uint8_t level;   /* the contact's level after it */
};

enum demo_outcome { OUT_DONE = 0, OUT_ADVANCED, OUT_SETBACK, OUT_REGRESSED, OUT_VOID, OUT_ERROR };

struct demo_order {
    int64_t at;
    size_t account, contact;
    size_t first_line, nlines;
    int64_t amount, margin;
    int32_t seq;
    uint32_t id;
};

struct demo_line {
    int product;
    int64_t quantity, amount, margin;
};

struct demo_event {
    int64_t at;
    int kind;                          /* index into the event kinds of model/tables.c */
    int64_t contact, account, related; /* indices, -1 for none */
    int64_t value;                     /* cents, or -1 for none */
    const char *notes;                 /* static text or NULL */
    int32_t seq;
};

/* demo_deals.c: a deal of an account (times Unix ms; NEVER when not closed). */
#define DEMO_NSTAGES    6 /* the default stages of migration 7, in their order */
#define DEMO_STAGE_WON  4
#define DEMO_STAGE_LOST 5
#define DEMO_DEAL_LINES 3
extern const char *const demo_deal_stages[DEMO_NSTAGES];
extern const char *const demo_loss_reasons[];
extern const size_t demo_nloss_reasons;

struct demo_deal {
    int64_t created, expected, closed;
    int64_t entered[4]; /* when each open stage was entered */
    size_t account;
    int owner;       /* user index */
    int stage;       /* index into demo_deal_stages: where it is now */
    int reached;     /* the last open stage it reached (0..3) */
    int loss_reason; /* index into demo_loss_reasons, or -1 */
    int nlines;
    int product[DEMO_DEAL_LINES];
    int64_t qty[DEMO_DEAL_LINES], line_amount[DEMO_DEAL_LINES];
    int64_t amount; /* cents: the sum of the lines */
};

/* A growable array with a hard cap on its length (items of size bytes). */
struct demo_vec {
    void *items;
    size_t n, cap, max;
    size_t size;
};

struct demo_world {
    const struct demo_options *opt;
    struct rng rng_people, rng_sim, rng_orders, rng_deals, rng_wallet, rng_misfit, rng_moments;
    const struct catalogue_type *types;
    size_t ntypes;
    double *type_eff; /* efficiency z-score of each type: RV per cost, within its level */
    struct demo_account *acc;
    size_t nacc;
    struct demo_contact *con;
    size_t ncon;
    struct demo_vec ix, orders, lines, events, deals;
    int32_t next_seq;
    int64_t referrals;
};

/* Event kinds as model/tables.c spells them. */
enum demo_event_kind {
    EV_REPEAT,
    EV_REFERRAL,
    EV_UPSELL,
    EV_CROSS_SELL,
    EV_VOLUME_INCREASE,
    EV_BAD_EXPERIENCE,
    EV_CHURN,
    EV_RECOMMEND,
    EV_CREATE,
    EV_SHARE,
    EV_DOWNLOAD,
};
extern const char *const demo_event_kinds[];

/* demo_vec: the array grows by doubling up to max items; KITH_ERANGE beyond. */
void demo_vec_init(struct demo_vec *v, size_t size, size_t max);
void *demo_vec_push(struct demo_vec *v, struct kith_error *err);
void demo_vec_release(struct demo_vec *v);
#define VEC_AT(v, type, i) (&((type *)(v).items)[i])

/* demo_people.c: accounts and contacts with their attributes and latent traits. */
const char *demo_band_name(int band);
int demo_people_generate(struct demo_world *w, struct kith_error *err);

/* The category index of a name, and the categories. */
extern const char *const demo_categories[];
extern const size_t demo_ncategories;
int demo_category_index(const char *name);

/* demo_sim.c: journeys, purchases, churn and referrals. */
int demo_sim_run(struct demo_world *w, struct kith_error *err);

/* demo_orders.c: the order lines and order-derived events of account a at time at. */
int demo_order_add(struct demo_world *w, size_t a, int64_t at, struct kith_error *err);
int demo_event_add(struct demo_world *w, int kind, int64_t at, int64_t contact, int64_t account,
                   int64_t related, int64_t value, const char *notes, struct kith_error *err);

/* demo_deals.c: every account's deals (after demo_sim_run), and user i's manager or -1. */
int demo_deals_generate(struct demo_world *w, struct kith_error *err);
int demo_user_manager(size_t i);

/* demo_wallet.c: every account's estimated wallet (share of wallet), from stream 5. */
void demo_wallets_generate(struct demo_world *w);
#define DEMO_WALLET_YEAR 2026 /* the year the demo's wallet estimates are for */

/*
 * demo_misfit.c: planted effect (i), from stream 6, before the simulation: with probability
 * DEMO_MISFIT_SHARE an account is misfit. The simulation weighs each type drawn for it in the
 * closing phase by exp(DEMO_MISFIT_TILT * (tech - touch)); its purchase rate is multiplied by
 * DEMO_MISFIT_LAMBDA, and it gives up buying at the latest misfit_days after its conversion,
 * Exp(mean DEMO_MISFIT_DAYS).
 */
#define DEMO_MISFIT_SHARE  0.3
#define DEMO_MISFIT_TILT   2.5
#define DEMO_MISFIT_LAMBDA 0.85
#define DEMO_MISFIT_DAYS   540
void demo_misfits_generate(struct demo_world *w);

/*
 * demo_moments.c: planted effects (j) and (k), from stream 7, after the deals and wallets. (j)
 * With probability DEMO_DELIVERY_SHARE, the primary contact of an account that gives notice gets
 * a voc_delivery_feedback U(0, DEMO_DELIVERY_LEAD_DAYS) days before the account drops out; (k)
 * after each cu_onboarding_kickoff, Poisson(DEMO_KICKOFF_FOLLOWUPS) follow-up interactions within
 * DEMO_KICKOFF_DAYS (before the account's notice and "now").
 */
#define DEMO_DELIVERY_SHARE     0.6
#define DEMO_DELIVERY_LEAD_DAYS 45.0
#define DEMO_KICKOFF_FOLLOWUPS  6.0
#define DEMO_KICKOFF_DAYS       180.0
int demo_moments_generate(struct demo_world *w, struct kith_error *err);

/* demo_write.c: sort and write every table. */
int demo_write(struct store *s, struct demo_world *w, struct demo_summary *sum,
               struct kith_error *err);

/* The name of account a into out (cap bytes), and its email domain. */
void demo_account_name(const struct demo_account *a, char *out, size_t cap);
void demo_account_domain(const struct demo_account *a, char *out, size_t cap);

#endif
