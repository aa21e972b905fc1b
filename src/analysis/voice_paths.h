/*
 * voice_paths.h - the digital paths of the customer's voice (issue 15 item 5, docs/voice.md
 * "Digital paths"): `kith voice paths` and GET /api/v1/voice/paths, an analysis of the voice
 * family (analysis/voice.h, VOICE_PATHS) with its own run, JSON and table. It runs on the RV
 * snapshot (engine/paths.h) over the contacts of the caller's scope, with the catalogue's codes,
 * names and channels to name the steps (store_voice_types()).
 */
#ifndef KITH_ANALYSIS_VOICE_PATHS_H
#define KITH_ANALYSIS_VOICE_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/paths.h"
#include "store/store.h"

/* What a step of a path is, in the order of the table's choices (voice_path_steps). */
enum voice_path_step_kind { VOICE_STEP_CHANNEL, VOICE_STEP_TYPE };
extern const char *const voice_path_steps[];
extern const char *const voice_path_outcomes[]; /* in the order of enum paths_outcome */

/* One step of a contact's own path. */
struct voice_path_step {
    int16_t step;           /* index into labels */
    int64_t interaction_id; /* its first interaction */
    int64_t at;             /* Unix ms of it */
    int32_t type;           /* index into types of its first interaction */
    uint32_t interactions;  /* counted interactions collapsed into it */
};

/* What `voice paths` reports (part of struct voice_report). Owned by the report. */
struct voice_paths {
    int outcome; /* enum paths_outcome */
    int step;    /* enum voice_path_step_kind */
    int64_t min_support;
    int max_length;
    struct store_voice_type *types; /* the catalogue, by id */
    size_t ntypes;
    char (*labels)[64]; /* the steps' names: channels ("none" for none) or type codes */
    size_t nlabels;
    int32_t *service; /* indices into types of the service outcome's types */
    size_t nservice;
    struct paths_result res; /* the common paths (no contact asked) */
    /* --contact: that contact's own path */
    bool one;
    int64_t contact_id;
    struct voice_path_step *steps;
    size_t nsteps;
    bool reached;
    int64_t outcome_at;   /* Unix ms, when reached */
    int32_t outcome_type; /* service: index into types of the service interaction; else -1 */
    int64_t outcome_interaction;
};

#endif
