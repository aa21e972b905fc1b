/*
 * voice_data.h - the survey answers, opt-ins and channel RV an analysis of the customer's voice
 * reads (docs/voice.md), as plain arrays. store_voice_load() (store/voice.c) fills a struct
 * voice_data; analysis/voice.c groups it. Times are Unix milliseconds; ids are 0 and names NULL
 * where there is none. Every string is owned by the data (voice_data_release()).
 */
#ifndef KITH_MODEL_VOICE_DATA_H
#define KITH_MODEL_VOICE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A contact's latest answer to a survey, with the dimensions it is grouped by. */
struct voice_answer {
    int64_t id, contact_id, survey_id, answered_at;
    int nps;                    /* 0..10, or -1 */
    int csat;                   /* 1..5, or 0 */
    char *channel, *touchpoint; /* the channel and touchpoint the survey followed */
    int64_t type_id;            /* the interaction type it followed */
    char *type;
    int64_t unit_id; /* the contact's unit, else its account's */
    char *unit;
    int64_t partner_id; /* that unit, or its parent, when it is a partner, distributor or dealer */
    char *partner;
    int64_t product_id; /* the product it is about */
    char *product;
};

/* A survey with the opt-ins of the contacts read (the latest opt-in of each contact counts). */
struct voice_survey {
    int64_t id;
    char *name, *channel, *touchpoint;
    int64_t opted_in, sharing, withdrawn; /* contacts */
    int64_t updates; /* answers in the period replaced by a later one (the history) */
};

/* The RV of one contact's interactions in one channel over the period. */
struct voice_channel_rv {
    int64_t contact_id;
    char *channel;
    int64_t rv;           /* RV units, voids netted */
    int64_t interactions; /* voids netted */
};

struct voice_data {
    struct voice_answer *answers; /* by contact_id */
    size_t n;
    struct voice_survey *surveys; /* by id */
    size_t nsurveys;
    struct voice_channel_rv *rv; /* when asked for */
    size_t nrv;
};

/* Frees what d owns and zeroes it; safe twice. */
void voice_data_release(struct voice_data *d);

#endif
