/*
 * v2t2_data.c - frees and searches what the V2T2 analyses read (model/v2t2_data.h).
 */
#include "model/v2t2_data.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void v2t2_data_release(struct v2t2_data *d)
{
    for (size_t i = 0; i < d->nunits; i++) {
        free(d->units[i].name);
        free(d->units[i].kind);
    }
    for (size_t i = 0; i < d->nteams; i++)
        free(d->teams[i].name);
    for (size_t i = 0; i < d->nusers; i++)
        free(d->users[i].name);
    free(d->types);
    free(d->units);
    free(d->teams);
    free(d->users);
    free(d->accounts);
    free(d->settings);
    free(d->orders);
    free(d->deals);
    memset(d, 0, sizeof(*d));
}

/* The element of base[0..n) (each size bytes, an int64_t id first) whose id is id, or NULL. */
static const void *find(const void *base, size_t n, size_t size, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const int64_t v = *(const int64_t *)(const void *)((const char *)base + mid * size);
        if (v == id)
            return (const char *)base + mid * size;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct v2t2_unit_rec *v2t2_data_unit(const struct v2t2_data *d, int64_t id)
{
    return id ? find(d->units, d->nunits, sizeof(*d->units), id) : NULL;
}

const struct v2t2_team_rec *v2t2_data_team(const struct v2t2_data *d, int64_t id)
{
    return id ? find(d->teams, d->nteams, sizeof(*d->teams), id) : NULL;
}

const struct v2t2_user_rec *v2t2_data_user(const struct v2t2_data *d, int64_t id)
{
    return id ? find(d->users, d->nusers, sizeof(*d->users), id) : NULL;
}

const struct v2t2_account_rec *v2t2_data_account(const struct v2t2_data *d, int64_t id)
{
    return id ? find(d->accounts, d->naccounts, sizeof(*d->accounts), id) : NULL;
}

const struct v2t2_settings *v2t2_data_settings(const struct v2t2_data *d, int64_t unit_id)
{
    return unit_id ? find(d->settings, d->nsettings, sizeof(*d->settings), unit_id) : NULL;
}
