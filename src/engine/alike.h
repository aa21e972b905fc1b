/*
 * alike.h - "someone like me" (issue 15 item 4, docs/voice.md "Someone like me"): the k contacts
 * or accounts most similar to one, what each bought next and what they bought next taken
 * together. Pure computation over an index built once from struct alike_data.
 *
 * The similarity of a candidate c to the subject s, both seen as they were before the instant
 * at (everything, for the live question), is a weighted sum of four parts, each in [0, 1]:
 *
 *   attributes  (ALIKE_W_ATTR)     (equal known codes of s's attributes + size) / (known of s,
 *                                  + 1 when s's employees are known); size = 1 - min(1,
 *                                  |log10(1 + e_s) - log10(1 + e_c)| / 2), 0 when c's unknown
 *   purchases   (ALIKE_W_BUY)      cosine of the two sets of products bought: |S ∩ C| /
 *                                  sqrt(|S| |C|), 0 when either is empty
 *   spend       (ALIKE_W_SPEND)    1 - min(1, |log10(1 + spend_s) - log10(1 + spend_c)| / 3),
 *                                  spend in major units (a factor of 1000 apart: 0)
 *   intent      (ALIKE_W_INTENT)   Jaccard of the products each said it intends to buy, 0 when
 *                                  either said none
 *
 * and the distance is 1 - similarity. Ties go to the lower id. What a neighbour bought next:
 * the products it bought (before at) from the time of its last purchase of a product the subject
 * also holds on (from its first purchase when they share none) that the subject does not hold,
 * in the order it first bought them. The products recommended: those of the neighbours' next
 * purchases, each scored by the sum of the similarities of the neighbours that bought it.
 */
#ifndef KITH_ENGINE_ALIKE_H
#define KITH_ENGINE_ALIKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alike_data.h"
#include "util/error.h"

#define ALIKE_W_ATTR   0.25
#define ALIKE_W_BUY    0.50
#define ALIKE_W_SPEND  0.10
#define ALIKE_W_INTENT 0.15

#define ALIKE_K_MAX    100 /* neighbours at most */
#define ALIKE_NEXT_MAX 8   /* products of a neighbour's next purchases kept */
#define ALIKE_TOP      5   /* products recommended */
#define ALIKE_LIVE     INT64_MAX

/* What a candidate is first compared by, in one half of a cache line. */
struct alike_hot {
    uint16_t attr[ALIKE_NATTRS];
    float lemp;      /* log10(1 + employees), negative: unknown */
    float lspend;    /* log10(1 + spend in major units) of every sale */
    uint32_t bought; /* products bought, ever */
    int64_t group;   /* alike_entity.group */
};

/* The compact form of the data, built once per load; reads d, which must outlive it. */
struct alike_index {
    const struct alike_data *d;
    size_t n, nproducts;
    struct alike_hot *hot; /* n */
    uint32_t *poff;        /* n + 1: entity i's purchases are [poff[i], poff[i+1]) */
    uint32_t *prod;        /* each product once, in the order first bought */
    int64_t *pat;          /* when first bought */
    uint32_t *ooff;        /* n + 1: entity i's sales are [ooff[i], ooff[i+1]), by time */
    int64_t *oat;          /* a sale's time */
    int64_t *ocum;         /* the entity's spend up to and with that sale */
    uint32_t *ioff;        /* n + 1: entity i's intents are [ioff[i], ioff[i+1]), ascending */
    uint32_t *intent;      /* product indexes */
    uint32_t *boff;        /* nproducts + 1: product p's buyers are buyer[boff[p] .. boff[p+1]) */
    uint32_t *buyer;       /* entity indexes, ascending within a product */
};

/* Builds ix from d (sorting copies; d is not changed). 0, or KITH_ENOMEM with err. */
int alike_index_build(const struct alike_data *d, struct alike_index *ix, struct kith_error *err);

/* Frees what ix owns (not its data) and zeroes it; safe twice. */
void alike_index_release(struct alike_index *ix);

struct alike_query {
    size_t subject;         /* entity index */
    int64_t at;             /* only what happened before it counts; ALIKE_LIVE: everything */
    size_t k;               /* 1..ALIKE_K_MAX */
    const uint8_t *visible; /* n flags: candidates allowed (NULL: all) */
    bool other_groups;      /* skip candidates of the subject's group (contacts of its account) */
};

struct alike_next {
    uint32_t product;
    int64_t at;
};

struct alike_neighbour {
    size_t entity;
    double similarity;
    double attr, buy, spend, intent; /* the parts, each in [0, 1] before its weight */
    size_t shared;                   /* products held by both */
    struct alike_next next[ALIKE_NEXT_MAX];
    size_t nnext;
};

struct alike_pick {
    uint32_t product;
    double score;      /* sum of the similarities of the neighbours that bought it next */
    size_t neighbours; /* how many did */
};

struct alike_result {
    struct alike_neighbour nb[ALIKE_K_MAX]; /* most similar first */
    size_t n;
    struct alike_pick top[ALIKE_TOP]; /* best first */
    size_t ntop;
    size_t subject_products; /* what the subject held at the instant */
    int64_t subject_spend;   /* minor units */
};

/* The k nearest of q->subject into *out. 0, or KITH_EINVAL / KITH_ENOMEM with err. */
int alike_query(const struct alike_index *ix, const struct alike_query *q, struct alike_result *out,
                struct kith_error *err);

/*
 * Hold-out evaluation (docs/voice.md, "How well it predicts"): for each entity with a sale, the
 * products first bought in its last sale are held out; from what happened before that sale
 * only, the k nearest recommend ALIKE_TOP products (alike_result.top) and the baseline the
 * ALIKE_TOP products most entities had bought by then, neither counting what the entity held. A
 * hit: at least one recommended product is among the held-out ones.
 */
struct alike_eval {
    size_t k;
    size_t customers; /* entities with a sale */
    size_t repeats;   /* of them, whose last sale brought no new product (not evaluated) */
    size_t evaluated; /* the others */
    size_t hits, popular_hits;
    size_t with_history, history_hits, history_popular_hits; /* evaluated with an earlier sale */
};

int alike_evaluate(const struct alike_index *ix, size_t k, struct alike_eval *out,
                   struct kith_error *err);

#endif
