/*
 * v2t2_data.h - what the V2T2 analyses read from the store beside the RV snapshot
 * (docs/v2t2.md): the catalogue's touch and tech weights, the units (kind, parent), teams and
 * users (manager), the accounts' units, the units' settings, and the subjects a point of view
 * places: orders and deals, each with the account, the rep, team and unit that handled it.
 * store_v2t2_load() (store/v2t2.c) fills a struct v2t2_data; analysis/v2t2*.c reads it. Money is in
 * cents; times are Unix ms.
 */
#ifndef KITH_MODEL_V2T2_DATA_H
#define KITH_MODEL_V2T2_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/v2t2_settings.h"

struct v2t2_type_rec {
    int64_t id;
    double touch, tech; /* 0..1 */
};

/* Ids are 0 and names NULL where there is none. */
struct v2t2_unit_rec {
    int64_t id, parent_id;
    char *name;
    char *kind; /* manufacturer, business_unit, partner, distributor, dealer */
};

struct v2t2_team_rec {
    int64_t id;
    char *name;
};

struct v2t2_user_rec {
    int64_t id, manager_id, team_id, unit_id;
    char *name;
};

/*
 * An order or a deal. rep: the order's user, else its contact's or account's owner (a deal's
 * owner, else its account's); team and unit: the subject's own (a deal's), else its rep's, else
 * its account's. at: an order's ordered_at; a deal's closed_at, else engaged_at, else created_at.
 */
struct v2t2_subject {
    int64_t id, account_id, rep_id, team_id, unit_id;
    int64_t at;
    int64_t amount;
};

/* An account's unit (the relationship's unit, docs/v2t2.md "Settings"). */
struct v2t2_account_rec {
    int64_t id, unit_id;
};

/* Every array sorted by id; owned by whoever loaded it: v2t2_data_release(). */
struct v2t2_data {
    struct v2t2_type_rec *types;
    size_t ntypes;
    struct v2t2_unit_rec *units;
    size_t nunits;
    struct v2t2_team_rec *teams;
    size_t nteams;
    struct v2t2_user_rec *users;
    size_t nusers;
    struct v2t2_account_rec *accounts; /* the accounts that have a unit (when settings exist) */
    size_t naccounts;
    struct v2t2_settings *settings; /* the units that have settings, by unit_id */
    size_t nsettings;
    struct v2t2_subject *orders; /* every order */
    size_t norders;
    struct v2t2_subject *deals; /* the deals with an amount that are not lost */
    size_t ndeals;
};

/* Frees what d owns and zeroes it; safe twice. */
void v2t2_data_release(struct v2t2_data *d);

/* The row of id in a loaded array (sorted by id), or NULL. */
const struct v2t2_unit_rec *v2t2_data_unit(const struct v2t2_data *d, int64_t id);
const struct v2t2_team_rec *v2t2_data_team(const struct v2t2_data *d, int64_t id);
const struct v2t2_user_rec *v2t2_data_user(const struct v2t2_data *d, int64_t id);
const struct v2t2_account_rec *v2t2_data_account(const struct v2t2_data *d, int64_t id);
const struct v2t2_settings *v2t2_data_settings(const struct v2t2_data *d, int64_t unit_id);

#endif
