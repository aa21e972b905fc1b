/*
 * deal_data.h - the deals an analysis reads (docs/deals.md), as plain arrays: each deal with its
 * owner, team, unit, source and stage (ids and names), outcome, amount, probability and close
 * time, and its lines by product. store_deals_load() (store/deals.c) fills a struct deal_data;
 * analysis/deals.c turns it into the engine's items. Money is in minor units (cents); times are
 * Unix milliseconds.
 */
#ifndef KITH_MODEL_DEAL_DATA_H
#define KITH_MODEL_DEAL_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A deal's outcome: its outcome column, or its stage's kind when that is missing. */
enum deal_outcome { DEAL_OPEN, DEAL_WON, DEAL_LOST };

/* A stage of the pipeline (any unit's list), in the order position, id. */
struct deal_stage_rec {
    int64_t id;
    char *name;
    int64_t position;
    double probability;
    enum deal_outcome kind;
};

/* Ids are 0 and names NULL where the deal has none (no owner, team, unit or source). */
struct deal_rec {
    int64_t id;
    int64_t owner_id, team_id, unit_id;
    int64_t account_id, contact_id; /* contact_id 0: no primary contact */
    char *owner, *team, *unit, *source;
    size_t stage; /* index in deal_data.stages */
    enum deal_outcome outcome;
    int64_t amount;     /* cents; 0 when missing */
    double probability; /* the deal's, else its stage's */
    bool has_closed;
    int64_t closed_at;
    size_t line0, nlines; /* its lines: deal_data.lines[line0 .. line0 + nlines) */
};

struct deal_line_rec {
    int64_t product_id;
    char *product;
    int64_t amount; /* cents */
};

/* Owned by whoever loaded it; deal_data_release() frees every array and string. */
struct deal_data {
    struct deal_stage_rec *stages;
    size_t nstages;
    struct deal_rec *deals; /* ascending id */
    size_t n;
    struct deal_line_rec *lines; /* grouped by deal, in the deals' order */
    size_t nlines;
};

/* Frees what d owns and zeroes it; safe twice. */
void deal_data_release(struct deal_data *d);

#endif
