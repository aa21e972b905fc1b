/*
 * catalogue.h - the default interaction catalogue: kith's B2B relationship process model
 * (DESIGN.md §4, seed 001 "Step Two": about 100 major interactions and some 30 voice-of-the-
 * customer interactions, each with Relationship Value units and a variable cost).
 *
 * Static, read-only data: eight relationship levels over the three lifecycle phases, and the
 * interaction types that happen at each level. A trigger type moves the contact that completes
 * it from its level to the next one (at the top level a trigger confirms the level: there is no
 * level beyond). Administrators edit the catalogue in the database (interaction_types); this
 * file is what a new database and kith demo start from. Nothing here is allocated or freed.
 */
#ifndef KITH_MODEL_CATALOGUE_H
#define KITH_MODEL_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The lifecycle phases, in order; their names are the "stage" enum of model/tables.c. */
enum catalogue_phase {
    PHASE_ACQUISITION = 0,
    PHASE_CLOSING = 1,
    PHASE_RETENTION = 2,
};
#define CATALOGUE_NPHASES 3

/* Levels are numbered 1 .. CATALOGUE_NLEVELS. */
#define CATALOGUE_NLEVELS 8

struct catalogue_level {
    int level;                  /* 1 .. CATALOGUE_NLEVELS, the index + 1 */
    const char *code;           /* "aware", "interested", ... */
    const char *name;           /* "Aware" */
    enum catalogue_phase phase; /* non-decreasing with level */
    const char *description;
};

struct catalogue_type {
    const char *code; /* unique, [a-z0-9_], at most 64 bytes */
    const char *name;
    int level;           /* the level at which it typically happens: 1 .. CATALOGUE_NLEVELS */
    const char *channel; /* web, email, phone, video, meeting, event, webinar, social, chat, ... */
    double touch;        /* 0..1: human interaction (V2T2) */
    double tech;         /* 0..1: technology enablement (V2T2) */
    int rv;              /* Relationship Value units; negative moves the relationship back */
    int64_t cost;        /* variable cost in cents (USD) */
    bool is_trigger;     /* completing it moves the contact to the next level */
    bool is_voc;         /* a voice-of-the-customer interaction */
    bool inbound;        /* usually started by the contact (else by us) */
    bool by_rep;         /* done by a person (user_id set), else by a system, portal or device */
    double freq;         /* relative frequency among the types of its level; 0: only recorded by a
                          * process (an order, a referral, a cancellation), never drawn at random */
    const char *description;
};

/* The levels, in order; *n (when non-NULL) receives CATALOGUE_NLEVELS. */
const struct catalogue_level *catalogue_levels(size_t *n);

/* Level number level (1 .. CATALOGUE_NLEVELS), or NULL. */
const struct catalogue_level *catalogue_level(int level);

/* The phase of a level (1 .. CATALOGUE_NLEVELS). */
enum catalogue_phase catalogue_level_phase(int level);

/* "acquisition", "closing" or "retention". */
const char *catalogue_phase_name(enum catalogue_phase phase);

/*
 * All interaction types: the major ones by level, then the voice-of-the-customer ones by level;
 * *n receives their number.
 */
const struct catalogue_type *catalogue_types(size_t *n);

/* The type with this code, or NULL; index (when non-NULL) receives its position. */
const struct catalogue_type *catalogue_find(const char *code, size_t *index);

/* The phase of a type: that of its level. */
enum catalogue_phase catalogue_type_phase(const struct catalogue_type *t);

#endif
