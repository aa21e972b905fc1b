/*
 * v2t2.h - the V2T2 analyses (issue 14, seed 000, docs/v2t2.md), written once for both doors:
 * `kith v2t2 zones|tones|discord|scenario` and GET /api/v1/v2t2/{zones,tones,discord,scenario}.
 * One parameter table (analysis_v2t2); v2t2_run() reads what it needs through store_v2t2_load()
 * and the RV snapshot, computes with engine/v2t2.h and fills a struct v2t2_report;
 * v2t2_report_json() is the one JSON of a report, v2t2_report_text() the CLI's table.
 */
#ifndef KITH_ANALYSIS_V2T2_H
#define KITH_ANALYSIS_V2T2_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/param.h"
#include "engine/snapshot.h"
#include "engine/v2t2.h"
#include "model/v2t2_data.h"
#include "store/store.h"

/* The analyses, in the order of analysis_v2t2.defs; group bit = 1 << analysis. */
enum v2t2_analysis { V2T2_ZONES, V2T2_TONES, V2T2_DISCORD, V2T2_SCENARIO, V2T2_NANALYSES };

/* Filled by param_defaults(&analysis_v2t2, p). Ids are 0 when not given. */
struct v2t2_params {
    struct param_head head;
    int64_t order, deal, account; /* the subject (zones), the relationship (tones, discord) */
    const char *unit;             /* zones: an aggregate subject, a unit's market (name or #id) */
    /* what-if overrides of the units' settings (docs/v2t2.md, "Settings"): each counts only
     * when given (param_given()); otherwise every relationship and subject is judged by its
     * unit's settings */
    double value[V2T2_NPOVS]; /* value thresholds per point of view */
    double volume;            /* subjects per period from which volume is high */
    double period_days;
    double touch, tech; /* tone thresholds */
    int64_t from, to;   /* interactions counted (tones, discord); 0: unbounded */
    int phase;          /* discord: 0 every phase, else 1 + enum rv_stage */
    int64_t limit;      /* discord: relationships listed */
    const char *name;   /* scenario */
    /* the CLI's own */
    const char *db;
    bool json;
};

extern const struct analysis_family analysis_v2t2;

/* The def of analysis a. */
const struct analysis_def *v2t2_def(enum v2t2_analysis a);

/* What a run works on. The run reads what it needs from store; snap is needed by tones and
 * discord (NULL otherwise), mask limits them to the caller's contacts (NULL: all). */
struct v2t2_scope {
    struct store *store;
    const struct rv_snapshot *snap;
    const struct rv_mask *mask;
    /* the API for a caller who does not read everything: zones of a unit's market only for
     * own_unit_id, and the places of others' aggregates (manager, unit, enterprise) over fewer
     * than min_k subjects are suppressed */
    bool scoped;
    int64_t own_unit_id;
    int64_t min_k;
};

/* A set of thresholds that judged something, and where each of its values came from. */
struct v2t2_judge {
    int64_t unit_id;                /* the unit whose settings these are; 0: the defaults */
    const char *unit;               /* its name (points into the report's data), or NULL */
    uint8_t source[V2T2_NSETTINGS]; /* enum v2t2_source of each setting */
    int64_t updated_at, updated_by; /* the unit's last change of its settings; 0: none */
    size_t nrel;                    /* relationships it judged (tones, discord) */
};

/*
 * The thresholds of every relationship of a snapshot (or of one subject): set[i] and judge[i],
 * n of them; set[0] the defaults (with the request's overrides), then one per unit with
 * settings. of[k]: the set of customer k, NULL when every customer has set[0]. Owned by the
 * struct: v2t2_judging_release().
 */
struct v2t2_judging {
    struct v2t2_thresholds *set;
    struct v2t2_judge *judge;
    size_t n;
    uint32_t *of;
};

/*
 * The thresholds of unit_id (0: none) from d's settings, with the overrides p gives (p NULL:
 * none), into th, and where each came from into source (enum v2t2_source).
 */
void v2t2_thresholds_of(const struct v2t2_data *d, int64_t unit_id, const struct v2t2_params *p,
                        struct v2t2_thresholds *th, uint8_t source[V2T2_NSETTINGS]);

/*
 * The judging of every customer of s (docs/v2t2.md, "Settings"): a relationship's unit is its
 * account's unit (accounts.unit_id; d->accounts), a contact without an account its own; the
 * relationship is judged by that unit's settings when the unit has some, else by the defaults;
 * p's overrides (NULL: none) apply to every set. On failure nothing is left to release.
 */
int v2t2_judging_make(const struct rv_snapshot *s, const struct v2t2_data *d,
                      const struct v2t2_params *p, struct v2t2_judging *out,
                      struct kith_error *err);

/* The judging of one subject of unit_id (0: none): one set, the unit's settings when it has
 * some, else the defaults, with p's overrides. On failure nothing is left to release. */
int v2t2_judging_one(const struct v2t2_data *d, int64_t unit_id, const struct v2t2_params *p,
                     struct v2t2_judging *out, struct kith_error *err);

/* The engine's view of j. */
struct v2t2_config v2t2_judging_config(const struct v2t2_judging *j);

/* Frees what j owns and zeroes it; safe twice. */
void v2t2_judging_release(struct v2t2_judging *j);

/* A unit of d by name or #id, or NULL. */
const struct v2t2_unit_rec *v2t2_unit_named(const struct v2t2_data *d, const char *text);

/* One point of view placing a subject; texts point into the report (or static strings). */
struct v2t2_pov_place {
    int pov;
    int64_t party_id; /* the account, user, team or unit; 0 for the enterprise or a scenario */
    const char *party;
    const char *baseline_is, *volume_is; /* what the two numbers are */
    size_t n;                            /* subjects behind the baseline */
    bool suppressed;                     /* fewer than min_k: no numbers shown */
    struct v2t2_place place;
};

/* zones, and each subject of a scenario. Money in cents. */
struct v2t2_zones_report {
    const char *kind; /* "order", "deal", "account" (its latest order), "unit" (its market) */
    int64_t id;
    const char *label;
    int64_t at;         /* Unix ms; 0 for an aggregate */
    double money_scale; /* currency units per unit of amount and baseline (0.01: cents) */
    double periods;
    size_t nsubjects;
    size_t judge; /* the report's judging set its thresholds came from */
    struct v2t2_pov_place places[V2T2_NPOVS];
    size_t nplaces;
};

/* A relationship's delivered tones and, with a zone, their discord. */
struct v2t2_relationship {
    const char *kind; /* "account" or "contact" (a contact without an account) */
    int64_t id;
    char name[STORE_CONTACT_NAME_MAX];
    struct v2t2_place zone; /* from the customer's point of view; zone V2T2_NONE: none */
    uint32_t judge;         /* the report's judging set that judged it */
    struct v2t2_cells cells;
    double discord; /* NaN without a zone */
    double phase_discord[RV_NSTAGES];
    int worst_phase, worst_agent; /* the cell furthest out of tune weighted by n; -1: none */
    struct v2t2_discord worst;
};

/* tones (one relationship, or pooled over every relationship in scope) and discord. */
struct v2t2_heat {
    uint32_t nrel;    /* relationships with a zone and interactions in the cell */
    uint64_t n;       /* their interactions in the cell */
    double discord;   /* mean over those relationships of the cell's discord */
    double out_share; /* share of those relationships whose cell is out of tune */
};

struct v2t2_tones_report {
    bool one;                   /* one relationship (--account) */
    struct v2t2_relationship r; /* one: the relationship; else r.cells pooled over nrel */
    size_t nrel, nplaced;       /* relationships with interactions; with a zone too */
    /* discord without --account */
    struct v2t2_heat heat[RV_NSTAGES][V2T2_NAGENTS];
    double mean_discord;
    struct v2t2_relationship *top; /* the most out of tune, discord descending */
    size_t ntop;
};

/* A channel agent's delivered tone in a scenario. */
struct v2t2_scenario_tone {
    const char *party;
    int agent, phase;
    double touch, tech;
    struct v2t2_discord d; /* against the first subject's customer zone */
};

struct v2t2_scenario_report {
    json_t *doc; /* the scenario's data file, parsed (the texts below point into it) */
    const char *name, *title, *source;
    struct v2t2_zones_report subjects[4];
    size_t nsubjects;
    int customer_zone;
    struct v2t2_scenario_tone tones[16];
    size_t ntones;
};

struct v2t2_report {
    enum v2t2_analysis analysis;
    struct v2t2_params p;
    struct v2t2_data data;
    struct v2t2_judging judging;    /* the thresholds applied (not for a scenario) */
    struct v2t2_tone_thresholds th; /* a scenario's; else judging.set[0].tone (pooled tones) */
    char label[STORE_CONTACT_NAME_MAX];
    struct v2t2_zones_report zones;
    struct v2t2_tones_report tones; /* tones and discord */
    struct v2t2_scenario_report scenario;
};

/*
 * Runs analysis a with p over scope into *out. Returns 0, or a negative KITH_E code with a
 * message in err and, when a parameter is at fault, its name in *param (else NULL); on failure
 * nothing is left to release.
 */
int v2t2_run(enum v2t2_analysis a, const struct v2t2_params *p, const struct v2t2_scope *scope,
             struct v2t2_report *out, struct kith_error *err, const char **param);

/* The scenario analysis (v2t2_scenario.c), for v2t2_run(): fills r->scenario from the data file
 * named r->p.name. */
int v2t2_scenario_run(struct v2t2_report *r, struct kith_error *err, const char **param);

/*
 * The engine's struct v2t2_catalog for snapshot s from what store_v2t2_load() read into d: the
 * touch and tech of each of s->types, and which of s->units are partners, distributors or
 * dealers. The three arrays are the caller's (free() each, also on failure).
 */
int v2t2_catalog_of(const struct rv_snapshot *s, const struct v2t2_data *d, float **touch,
                    float **tech, uint8_t **partner, struct kith_error *err);

/* Frees what r owns and zeroes it; safe twice. */
void v2t2_report_release(struct v2t2_report *r);

/* The plain-language advice for a cell out of tune into buf: "more human contact and less
 * technology from the rep in closing". */
void v2t2_recommendation(int agent, int phase, const struct v2t2_discord *d, char *buf,
                         size_t size);

/* The scenario data files built into the binary (data/v2t2/<name>.json): its text, or NULL. */
const char *v2t2_scenario_text(const char *name);

/* ---- the units' settings (v2t2_settings.c): `kith v2t2 settings`, /api/v1/v2t2/settings ---- */

/* The settings of unit_id from d (its row, else every value the default). */
void v2t2_settings_of(const struct v2t2_data *d, int64_t unit_id, struct v2t2_settings *out);

/* {"unit": {"id", "name"}, "settings": {name: value}, "source": {name: "unit" | "default"},
 * "updated_at", "updated_by"}. New reference; NULL when out of memory. */
json_t *v2t2_settings_json(const struct v2t2_settings *st, const char *unit_name);

/* {"defaults": {name: {"default", "min", "max", "help"}}, "units": [settings of each unit]}:
 * the units of d whose visible[i] is true (visible NULL: all). */
json_t *v2t2_settings_list_json(const struct v2t2_data *d, const bool *visible);

/* Applies "name=value" (value "default": back to the default) to st; KITH_EINVAL naming what is
 * wrong, with *field the setting when the name is one. */
int v2t2_settings_assign(struct v2t2_settings *st, const char *assignment, const char **field,
                         struct kith_error *err);

/* Applies a JSON object {name: number | null (the default), ...} to st; KITH_EINVAL with *field
 * the key at fault (NULL: the body itself). */
int v2t2_settings_apply_json(struct v2t2_settings *st, json_t *body, const char **field,
                             struct kith_error *err);

/* The audit log's description of a change of unit's settings into buf. */
void v2t2_settings_change(const struct v2t2_settings *before, const struct v2t2_settings *after,
                          const char *unit, char *buf, size_t size);

/* The CLI's listing of one unit's settings (unit NULL: the defaults). */
void v2t2_settings_text(const struct v2t2_settings *st, const char *unit, FILE *out);

/* The report as JSON: one shape for `kith v2t2 --json` and the API. New reference; NULL when out
 * of memory. */
json_t *v2t2_report_json(const struct v2t2_report *r);

/* The report as the CLI's table. */
void v2t2_report_text(const struct v2t2_report *r, FILE *out);

#endif
