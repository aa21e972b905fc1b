/*
 * voice_dosay.h - do vs say (issue 15 item 7, docs/voice.md "Do vs say"): `kith voice dosay` and
 * GET /api/v1/voice/dosay, an analysis of the voice family (analysis/voice.h, VOICE_DOSAY) with
 * its own run, JSON and table. Per segment of the contacts in the caller's scope: their latest
 * NPS and stated intents beside their behaviour after it on the RV snapshot (engine/dosay.h),
 * groups below k suppressed; and, one by one, the disagreements of the contacts whose opt-in
 * shares their answers, for managers to act on.
 */
#ifndef KITH_ANALYSIS_VOICE_DOSAY_H
#define KITH_ANALYSIS_VOICE_DOSAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dosay.h"
#include "engine/voice.h"

extern const char *const voice_dosay_segments[]; /* the choices of --segment */

#define VOICE_DOSAY_MAX_INTENTS 32 /* a contact's intents shown with --contact */

/* A segment: what its contacts said and did. */
struct voice_dosay_cell {
    int32_t key;          /* the norm key (engine/norm.h) of the segment, -1: none */
    int64_t id;           /* the unit's, team's or rep's id, else 0 */
    char name[128];       /* its label ("none" for none, "all" for the total) */
    bool suppressed;      /* fewer contacts than k: only the key is shown */
    int64_t contacts;     /* contacts with a latest answer */
    struct voice_tally t; /* their latest NPS */
    struct voice_figures f;
    int64_t intents, due, met;             /* intents stated; their horizon passed; met in it */
    int64_t nps_contacts, buying, churned; /* with an NPS; a sale / a churn since */
    int64_t rv;                            /* RV added since their NPS answer, summed */
    int64_t exceptions[DOSAY_NRULES];      /* every disagreement, shared or not */
    int64_t listed;                        /* of them, those of shared answers */
};

/* A disagreement of a contact whose answer is shared. */
struct voice_dosay_row {
    int64_t contact_id;
    char contact[128]; /* its name */
    int32_t cell;      /* its segment (index into cells) */
    int rule;          /* enum dosay_rule */
    int64_t survey_id, answered_at;
    char survey[128];
    int nps;            /* -1 for an intent */
    char intent[256];   /* the intent question's text */
    int64_t horizon;    /* months */
    int64_t due;        /* Unix ms */
    int64_t product_id; /* 0: a category */
    char category[104];
    struct dosay_behaviour b; /* after the answer, to as_of */
};

struct voice_dosay {
    int segment;   /* index into voice_dosay_segments */
    int64_t as_of; /* Unix ms */
    int64_t limit;
    struct voice_dosay_cell *cells; /* by name, none last */
    size_t ncells;
    struct voice_dosay_cell total;
    struct voice_dosay_row *rows; /* by rule, then contact; at most limit */
    size_t nrows;
    int64_t nlisted; /* shared disagreements before the limit */
    bool one;        /* --contact */
    int64_t contact_id;
    char contact[128];
    int64_t shared_answers, hidden_answers;
    /* --contact: what it said (shared answers only) beside what it did since */
    bool has_nps; /* its latest NPS answer is shared */
    int nps;
    int64_t nps_at;
    char nps_survey[128];
    struct dosay_behaviour b; /* after that answer */
    struct voice_dosay_intent {
        char text[256];
        int64_t at, due, horizon;
        int status;                     /* 0 open (horizon not passed), 1 met, 2 unmet */
    } intents[VOICE_DOSAY_MAX_INTENTS]; /* of shared answers */
    size_t nintents;
};

#endif
