/*
 * voice_data.h - the survey answers, opt-ins and channel RV an analysis of the customer's voice
 * reads (docs/voice.md), as compact arrays. store_voice_load() (store/voice.c) fills a struct
 * voice_data; analysis/voice.c groups it. Times are Unix milliseconds; ids are 0 and names NULL
 * where there is none. Every string is owned by the data (voice_data_release()).
 */
#ifndef KITH_MODEL_VOICE_DATA_H
#define KITH_MODEL_VOICE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The dimensions an answer is grouped by, besides its survey and time. */
enum voice_dim {
    VOICE_DIM_CHANNEL,    /* the channel the survey followed (text) */
    VOICE_DIM_TOUCHPOINT, /* the touchpoint it followed (text) */
    VOICE_DIM_TYPE,       /* the interaction type it followed (id, name) */
    VOICE_DIM_UNIT,       /* the contact's unit, else its account's (id, name) */
    VOICE_DIM_PARTNER,    /* that unit, or its parent, when a partner, distributor or dealer */
    VOICE_DIM_PRODUCT,    /* the product it is about (id, name) */
    VOICE_NDIMS
};

/*
 * The distinct values of one dimension met in a load, each once: index -> (id, name). Text
 * dimensions (channel, touchpoint) have id 0 and are told apart by their name; the others by
 * their id. Answers hold indices, so that 10,000,000 answers of a handful of channels cost
 * neither a copy of each name nor a string compared per answer (docs/BENCHMARKS.md, "Voice").
 */
struct voice_names {
    size_t n, cap;
    int64_t *id;
    char **name;     /* owned; NULL: the value has no name */
    uint32_t *slots; /* open addressing: index + 1, 0 empty; nslots a power of two */
    size_t nslots;
};

/*
 * The contacts' latest answers, column by column (n of each, by contact: a contact's answers are
 * together): 26 bytes an answer, and a grouping reads only the columns it needs (by channel: the
 * contact, the channel and the two scores, 14 bytes an answer).
 */
struct voice_answers {
    int64_t *contact_id, *survey_id, *answered_at;
    int32_t *key[VOICE_NDIMS]; /* index into voice_data.names[dim], -1: none */
    int8_t *nps;               /* 0..10, or -1 */
    int8_t *csat;              /* 1..5, or 0 */
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
    struct voice_answers a; /* n answers */
    size_t n, cap;
    struct voice_survey *surveys; /* by id */
    size_t nsurveys;
    struct voice_channel_rv *rv; /* when asked for */
    size_t nrv;
    struct voice_names names[VOICE_NDIMS]; /* what the answers' keys index */
};

/* Room for n answers in d->a (every column); false when out of memory. */
bool voice_answers_reserve(struct voice_data *d, size_t n);

/*
 * The index of the value (id, or the text name[0..len) when id is 0) of names, added when new
 * (name copied; NULL: none); -1 when out of memory.
 */
int32_t voice_names_intern(struct voice_names *names, int64_t id, const char *name, size_t len);

/* Frees what d owns and zeroes it; safe twice. */
void voice_data_release(struct voice_data *d);

#endif
