/*
 * voice.h - the analyses of what customers say (issue 15, docs/voice.md), written once for both
 * doors: `kith voice surveys|nps|promise|community` and GET /api/v1/voice/{surveys,nps,promise,
 * community} (the community: analysis/voice_community.h, its own run and JSON). One
 * parameter table (analysis_voice); voice_run() loads the latest survey answers of the caller's
 * contacts through store_voice_load(), groups them, computes NPS and CSAT with their 95%
 * intervals (engine/voice.h) and suppresses every group of fewer contacts than k, the min_k of
 * the privacy policy of the caller's role (store_privacy_policy_get(); the CLI: the admin
 * role's), the same policy and rule as the comparison of units. No parameter lowers k.
 * voice_report_json() is the one JSON of a report, voice_report_text() the CLI's table.
 */
#ifndef KITH_ANALYSIS_VOICE_H
#define KITH_ANALYSIS_VOICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/param.h"
#include "analysis/voice_alike.h"
#include "analysis/voice_community.h"
#include "engine/moments.h"
#include "engine/snapshot.h"
#include "analysis/voice_dosay.h"
#include "analysis/voice_paths.h"
#include "engine/voice.h"
#include "model/voice_data.h"
#include "store/store.h"

/* The analyses, in the order of analysis_voice.defs; group bit = 1 << analysis. */
enum voice_analysis {
    VOICE_SURVEYS,
    VOICE_NPS,
    VOICE_PROMISE,
    VOICE_COMMUNITY, /* roles, ideas and ratings (analysis/voice_community.h) */
    VOICE_MOMENTS,   /* moments of truth (voice_moments.c, engine/moments.h) */
    VOICE_ALIKE,     /* someone like me (analysis/voice_alike.h) */
    VOICE_PATHS,     /* digital paths (analysis/voice_paths.h) */
    VOICE_DOSAY,     /* do vs say (analysis/voice_dosay.h) */
    VOICE_RATINGS,   /* ratings per product (voice_ratings.c) */
    VOICE_IDEAS,     /* ideas by status and score (voice_ratings.c) */
    VOICE_NANALYSES
};

/* The groupings of nps, in the order of the table's choices. */
enum voice_by {
    VOICE_BY_CHANNEL,
    VOICE_BY_TOUCHPOINT,
    VOICE_BY_TYPE,
    VOICE_BY_UNIT,
    VOICE_BY_PARTNER,
    VOICE_BY_PRODUCT,
    VOICE_BY_SURVEY,
    VOICE_BY_MONTH,
    VOICE_BY_QUARTER,
    VOICE_BY_ALL
};
extern const char *const voice_bys[];

/* Filled by param_defaults(&analysis_voice, p); from, to and survey count only when given. */
struct voice_params {
    struct param_head head;
    int by;         /* enum voice_by */
    int64_t from;   /* Unix ms */
    int64_t to;     /* Unix ms */
    int64_t survey; /* a survey's id */
    /* moments; paths (enum paths_outcome): each analysis has its own --outcome */
    int outcome;    /* enum moments_outcome */
    int64_t period; /* days */
    int64_t window; /* days */
    double alpha;   /* false discovery rate */
    int64_t min_treated;
    int64_t contact, account; /* alike: the subject (one of them); paths, dosay: a contact's own */
    int64_t k;                /* alike: neighbours */
    bool evaluate;            /* alike: the hold-out evaluation instead (CLI only) */
    /* paths (analysis/voice_paths.h) */
    int step; /* enum voice_path_step_kind */
    int64_t min_support, max_length;
    struct param_list service_type; /* codes of the service outcome's interaction types */
    /* dosay (analysis/voice_dosay.h) */
    int segment;   /* index into voice_dosay_segments */
    int64_t as_of; /* Unix ms */
    int64_t limit; /* disagreements listed */
    /* the CLI's own */
    const char *db;
    bool json;
};

extern const struct analysis_family analysis_voice;

/* The def of analysis a. */
const struct analysis_def *voice_def(enum voice_analysis a);

/* The contacts an analysis reads and whose privacy policy bounds it. */
struct voice_scope {
    struct store *store;
    bool scoped;             /* false: every contact (the CLI, a caller who reads all) */
    const int64_t *contacts; /* when scoped: the ids the caller may read, ascending */
    size_t ncontacts;
    const char *role; /* the role whose privacy policy applies ("admin" from the CLI) */
    /* alike */
    bool accounts_scoped;    /* false: every account */
    const int64_t *accounts; /* when accounts_scoped: the account ids it may read, ascending */
    size_t naccounts;
    bool people_map;                           /* the portal's view: only findable contacts */
    const struct voice_alike_model *models[2]; /* [enum alike_kind]: loaded (the API's kept
                                                  ones), or NULL: loaded by the run */
    /* moments: the RV snapshot (the CLI loads it; the API passes the server's, read-locked for
     * the run) and the caller's contacts in it (NULL: every contact) */
    const struct rv_snapshot *snap;
    const struct rv_mask *mask;
};

/* What `voice moments` reports (part of struct voice_report); names owned by it. */
struct voice_moments {
    struct moments_result m;
    size_t ntypes;
    int64_t *type_id;              /* per snapshot type index */
    char **type_code, **type_name; /* per snapshot type index (NULL: unknown) */
    size_t nchannels;
    char **channels;
};

/* A group: a unit, type, product, partner or survey (id, name), a channel or touchpoint (name),
 * or a period (label); id 0 and name NULL is "none". name points into the report's data. */
struct voice_key {
    int64_t id;
    const char *name;
    char label[32]; /* month "2026-03", quarter "2026-Q1", "all" */
};

/* The answers of a group. Suppressed: fewer than k contacts; nothing but the key is shown. */
struct voice_cell {
    struct voice_key key;
    int64_t contacts, answers;
    struct voice_tally t;
    struct voice_figures f;
    bool suppressed;
    /* promise: the RV of the channel's interactions in the period */
    int64_t rv, interactions, rv_contacts;
    bool has_rv;
};

/*
 * surveys with a survey given: what the latest answers to one of its questions say. A question
 * answered by fewer than k contacts is suppressed (answered and counts not shown). counts[i] is
 * the answers of value i: NPS 0..10 (11 values), CSAT 1..5 (5), the choices of a single or
 * multiple choice question (a multiple answer counts once for each choice it names), an intent
 * true then false (2); text, wants and needs have no counts (0 values).
 */
struct voice_question {
    const char *id, *kind, *text; /* point into the report's questions_doc */
    json_t *choices;              /* single, multiple: the array in questions_doc (borrowed) */
    int64_t answered;             /* contacts who answered it */
    bool suppressed;
    size_t nvalues;
    int64_t *counts; /* owned */
};

/*
 * The result of one analysis; groups sorted by key name (none last), periods in time order.
 * Owned by the caller, freed by voice_report_release().
 */
struct voice_report {
    enum voice_analysis analysis;
    struct voice_params p;
    bool has_from, has_to, has_survey;
    int64_t k;                /* the policy's min_k applied */
    char role[32];            /* whose policy */
    struct voice_data d;      /* the answers read */
    struct voice_cell *cells; /* nps, promise: the groups; surveys: one per survey (d.surveys) */
    size_t n;
    struct voice_cell total;
    struct voice_community community; /* VOICE_COMMUNITY */
    struct voice_ratings ratings;     /* VOICE_RATINGS */
    struct voice_ideas ideas;         /* VOICE_IDEAS */
    struct voice_moments moments;     /* VOICE_MOMENTS */
    struct voice_alike alike;         /* VOICE_ALIKE */
    struct voice_paths paths;         /* VOICE_PATHS */
    struct voice_dosay dosay;         /* VOICE_DOSAY */
    /* VOICE_SURVEYS with a survey: its questions (the parsed questions field, owned) */
    json_t *questions_doc;
    struct voice_question *questions;
    size_t nquestions;
};

/*
 * Runs analysis a with p over scope into *out. Returns 0, or a negative KITH_E code with a
 * message in err and, when a parameter is at fault, its name in *param (else NULL); on failure
 * nothing is left to release.
 */
int voice_run(enum voice_analysis a, const struct voice_params *p, const struct voice_scope *scope,
              struct voice_report *out, struct kith_error *err, const char **param);

/*
 * The grouping voice_run() does for nps, promise and surveys, on what r holds: the answers of
 * r->d (those of survey when nonzero) by by into r->cells (owned by r) and r->total, each
 * suppressed below r->k. For the benchmark (bench/voice_nps.c), which loads r->d once and
 * groups it many times; r->cells must be NULL and r->total zero before.
 */
int voice_report_group(struct voice_report *r, enum voice_by by, int64_t survey,
                       struct kith_error *err);

/* Shared by the community's analyses (voice_community.c): whether contact id is in scope (a
 * staff idea, contact 0, only when nothing is scoped); an idea's statuses in their order; sum / n
 * as a JSON number, or null when n is 0. */
bool voice_in_scope(const struct voice_scope *sc, int64_t id);
extern const char *const voice_idea_statuses[4];
json_t *voice_mean_or_null(int64_t sum, int64_t n);

/* voice_run() of VOICE_RATINGS and VOICE_IDEAS (voice_ratings.c): out has its head and k. */
int voice_ratings_run(enum voice_analysis a, const struct voice_scope *scope,
                      struct voice_report *out, struct kith_error *err);
json_t *voice_ratings_json(const struct voice_report *r);
void voice_ratings_text(const struct voice_report *r, FILE *out);
void voice_ratings_release(struct voice_report *r);

/* voice_run() of VOICE_COMMUNITY (voice_community.c): out is zeroed and its head filled. */
int voice_community_run(const struct voice_scope *scope, struct voice_report *out,
                        struct kith_error *err);
json_t *voice_community_json(const struct voice_report *r);
void voice_community_text(const struct voice_report *r, FILE *out);

/* voice_run() of VOICE_MOMENTS (voice_moments.c): out has its head, k and role filled; needs
 * scope->snap. On failure nothing is left to release. */
int voice_moments_run(const struct voice_params *p, const struct voice_scope *scope,
                      struct voice_report *out, struct kith_error *err, const char **param);
json_t *voice_moments_json(const struct voice_report *r);
void voice_moments_text(const struct voice_report *r, FILE *out);
void voice_moments_release(struct voice_moments *m);
extern const char *const voice_moment_outcomes[]; /* "rv", "nps", "churn" */
/* voice_run() of VOICE_ALIKE (voice_alike.c): out is zeroed and its head filled. */
int voice_alike_run(const struct voice_params *p, const struct voice_scope *scope,
                    struct voice_report *out, struct kith_error *err, const char **param);
json_t *voice_alike_json(const struct voice_report *r);
void voice_alike_text(const struct voice_report *r, FILE *out);
/* voice_run() of VOICE_PATHS (voice_paths.c): out is zeroed and its head filled; scope->snap
 * must be set. */
int voice_paths_run(const struct voice_params *p, const struct voice_scope *scope,
                    struct voice_report *out, struct kith_error *err, const char **param);
json_t *voice_paths_json(const struct voice_report *r);
void voice_paths_text(const struct voice_report *r, FILE *out);
void voice_paths_release(struct voice_paths *vp);

/* voice_run() of VOICE_DOSAY (voice_dosay.c), like voice_paths_run(). */
int voice_dosay_run(const struct voice_params *p, const struct voice_scope *scope,
                    struct voice_report *out, struct kith_error *err, const char **param);
json_t *voice_dosay_json(const struct voice_report *r);
void voice_dosay_text(const struct voice_report *r, FILE *out);
void voice_dosay_release(struct voice_dosay *d);

/* True when analysis a runs on the RV snapshot (the doors load or lock it). */
bool voice_needs_snapshot(enum voice_analysis a);

/* Frees what r owns and zeroes it; safe twice. */
void voice_report_release(struct voice_report *r);

/* The report as JSON: one shape for `kith voice --json` and the API. New reference; NULL when
 * out of memory. */
json_t *voice_report_json(const struct voice_report *r);

/* The report as the CLI's table. */
void voice_report_text(const struct voice_report *r, FILE *out);

#endif
