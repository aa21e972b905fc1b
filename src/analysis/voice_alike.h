/*
 * voice_alike.h - "someone like me" in the family of the customer's voice (issue 15 item 4,
 * docs/voice.md "Someone like me", "The people map"): `kith voice alike`, GET
 * /api/v1/voice/alike and the portal's GET /portal/api/alike run voice_alike_run() (declared in
 * analysis/voice.h with the family) and write voice_alike_json().
 *
 * A model is the loaded data with its index (engine/alike.h), built once per database state: the
 * API keeps one per kind (contacts, accounts) between requests (api/kept.h) and passes them in
 * struct voice_scope.models; the CLI lets the run load its own.
 */
#ifndef KITH_ANALYSIS_VOICE_ALIKE_H
#define KITH_ANALYSIS_VOICE_ALIKE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/alike.h"
#include "store/store.h"

struct voice_alike_model {
    struct alike_data d;
    struct alike_index ix;
};

/* Loads kind's model from s into *m (zeroed first). On failure nothing is left to free. */
int voice_alike_model_load(struct store *s, enum alike_kind kind, struct voice_alike_model *m,
                           struct kith_error *err);

/* Frees what m owns and zeroes it; safe twice. */
void voice_alike_model_release(struct voice_alike_model *m);

/* What `voice alike` reports (part of struct voice_report). */
struct voice_alike {
    enum alike_kind kind;
    bool people_map;                       /* the portal's view of a contact's neighbours */
    bool findable;                         /* people map: the subject's own opt-in */
    const struct voice_alike_model *model; /* the model the result indexes: borrowed from the
                                              scope (valid while the caller keeps it) or own */
    struct voice_alike_model *own;         /* loaded by the run: freed with the report */
    size_t subject;                        /* index in the model */
    struct alike_result res;
    bool evaluated; /* --evaluate: ev instead of res */
    struct alike_eval ev;
};

/* Frees what a owns and zeroes it; safe twice. */
void voice_alike_release(struct voice_alike *a);

#endif
