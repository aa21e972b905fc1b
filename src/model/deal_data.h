/*
 * deal_data.h - the deals an analysis reads (docs/deals.md), as plain arrays: each deal with its
 * owner, team, unit, source and stage (ids and names), outcome, amount, probability, creation,
 * expected and actual close times, its lines by product and (when asked) its stage history; the
 * users with their managers, and (when asked) the quotas. store_deals_load() and the loaders
 * beside it (store/deals.c) fill a struct deal_data; analysis/deals.c turns it into the engine's
 * items. Money is in minor units (cents); times are Unix milliseconds.
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

/*
 * Ids are 0 and names NULL where the deal has none (no owner, team, unit or source). The names
 * point into deal_data's dictionaries (users, names, sources), each string stored once.
 */
struct deal_rec {
    int64_t id;
    int64_t owner_id, team_id, unit_id;
    int64_t account_id, contact_id; /* contact_id 0: no primary contact */
    const char *owner, *team, *unit, *source;
    size_t owner_user; /* the owner's index in deal_data.users; nusers when none */
    size_t stage;      /* index in deal_data.stages */
    enum deal_outcome outcome;
    int64_t amount;     /* cents; 0 when missing */
    double probability; /* the deal's, else its stage's */
    bool has_closed;
    int64_t closed_at;
    int64_t created_at;
    bool has_expected;
    int64_t expected_close_at;
    size_t line0, nlines;     /* its lines: deal_data.lines[line0 .. line0 + nlines) */
    size_t change0, nchanges; /* its stage history, when loaded: deal_data.changes[...] */
};

struct deal_line_rec {
    int64_t product_id;
    char *product;
    int64_t amount; /* cents */
};

/* A user: who owns deals and who manages whom (manager_id 0: none). */
struct deal_user_rec {
    int64_t id;
    char *name;
    int64_t manager_id;
};

#define DEAL_NO_STAGE ((size_t)-1)

/* One move of a deal's stage; from is DEAL_NO_STAGE for its first stage. */
struct deal_change_rec {
    size_t from, to; /* indexes in deal_data.stages */
    int64_t at;
};

/* A quota: what user_id is expected to win in [start, end). */
struct deal_quota_rec {
    int64_t id, user_id;
    int64_t start, end;
    int64_t amount; /* cents */
    char *currency; /* NULL when not given */
};

/* Owned by whoever loaded it; deal_data_release() frees every array and string. */
struct deal_data {
    struct deal_stage_rec *stages;
    size_t nstages;
    struct deal_rec *deals; /* ascending id */
    size_t n;
    struct deal_line_rec *lines; /* grouped by deal, in the deals' order */
    size_t nlines;
    struct deal_user_rec *users; /* every user, ascending id */
    size_t nusers;
    struct deal_change_rec *changes; /* grouped by deal in the deals' order, by time */
    size_t nchanges;
    struct deal_quota_rec *quotas; /* ascending id */
    size_t nquotas;
    char **names; /* the names of teams and units, and the sources, each once */
    size_t nnames;
};

/* Frees what d owns and zeroes it; safe twice. */
void deal_data_release(struct deal_data *d);

#endif
