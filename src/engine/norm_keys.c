/*
 * norm_keys.c - what norms group by: the groupings and their names, each grouping's keys with
 * their labels and ids, a key read from text (a name, an id or "none"), the status names and a
 * spec's defaults. A contact's keys themselves are in norm_int.h (they run once per contact).
 */
#include "engine/norm_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/num.h"
#include "engine/rv.h"

#include "util/banned.h"

/* ---- dimensions and keys ------------------------------------------------------------------ */

static const char *const dim_names[NORM_NDIMS] = {
    "all",          "team",  "rep",   "unit",  "industry", "territory", "source",
    "revenue_band", "stage", "level", "event", "profit",   "community",
};

static const char *const profit_names[NORM_NPROFIT] = {"high", "low", "potential"};

const char *norm_dim_name(enum norm_dim dim)
{
    return (unsigned)dim < NORM_NDIMS ? dim_names[dim] : "?";
}

int norm_dim_from_name(const char *name, enum norm_dim *out, struct kith_error *err)
{
    static const struct {
        const char *alias;
        enum norm_dim dim;
    } aliases[] = {{"owner", NORM_REP},
                   {"band", NORM_BAND},
                   {"community_role", NORM_COMMUNITY},
                   {"events", NORM_EVENT}};
    for (int d = 0; d < NORM_NDIMS; d++) {
        if (strcmp(name, dim_names[d]) == 0) {
            *out = (enum norm_dim)d;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcmp(name, aliases[i].alias) == 0) {
            *out = aliases[i].dim;
            return 0;
        }
    }
    return kith_err(err, KITH_EINVAL,
                    "cannot group by '%s'; use one of all, team, rep, unit, industry, territory,"
                    " source, revenue_band, stage, level, event, profit, community",
                    name);
}

size_t norm_dim_cardinality(const struct rv_snapshot *s, enum norm_dim dim)
{
    switch (dim) {
    case NORM_ALL:
        return 1;
    case NORM_TEAM:
        return s->teams.n;
    case NORM_REP:
        return s->users.n;
    case NORM_UNIT:
        return s->units.n;
    case NORM_INDUSTRY:
        return s->industries.n;
    case NORM_TERRITORY:
        return s->territories.n;
    case NORM_SOURCE:
        return s->sources.n;
    case NORM_BAND:
        return s->bands.n;
    case NORM_STAGE:
        return RV_NSTAGES;
    case NORM_LEVEL:
        return (size_t)s->nlevels + 1;
    case NORM_EVENT:
        return rv_event_kind_count();
    case NORM_PROFIT:
        return NORM_NPROFIT;
    case NORM_COMMUNITY:
        return RV_NCOMMUNITY;
    case NORM_NDIMS:
        break;
    }
    return 0;
}

const char *norm_key_label(const struct rv_snapshot *s, enum norm_dim dim, int32_t key, char *buf,
                           size_t size)
{
    const char *name = NULL;
    if (key < 0) {
        snprintf(buf, size, "(none)");
        return buf;
    }
    switch (dim) {
    case NORM_ALL:
        name = "all";
        break;
    case NORM_TEAM:
        name = (size_t)key < s->teams.n ? s->teams.name[key] : NULL;
        break;
    case NORM_REP:
        name = (size_t)key < s->users.n ? s->users.name[key] : NULL;
        break;
    case NORM_UNIT:
        name = (size_t)key < s->units.n ? s->units.name[key] : NULL;
        break;
    case NORM_INDUSTRY:
        name = rv_dict_name(&s->industries, key);
        break;
    case NORM_TERRITORY:
        name = rv_dict_name(&s->territories, key);
        break;
    case NORM_SOURCE:
        name = rv_dict_name(&s->sources, key);
        break;
    case NORM_BAND:
        name = rv_dict_name(&s->bands, key);
        break;
    case NORM_STAGE:
        name = rv_stage_name(key);
        break;
    case NORM_LEVEL:
        snprintf(buf, size, "%d", (int)key);
        return buf;
    case NORM_EVENT:
        name = rv_event_kind_name(key);
        break;
    case NORM_PROFIT:
        name = key < NORM_NPROFIT ? profit_names[key] : NULL;
        break;
    case NORM_COMMUNITY:
        name = rv_community_name(key);
        break;
    case NORM_NDIMS:
        break;
    }
    snprintf(buf, size, "%s", name ? name : "?");
    return buf;
}

int64_t norm_key_id(const struct rv_snapshot *s, enum norm_dim dim, int32_t key)
{
    if (key < 0)
        return 0;
    if (dim == NORM_TEAM && (size_t)key < s->teams.n)
        return s->teams.id[key];
    if (dim == NORM_REP && (size_t)key < s->users.n)
        return s->users.id[key];
    if (dim == NORM_UNIT && (size_t)key < s->units.n)
        return s->units.id[key];
    return 0;
}

/* An id written "12" or "#12"; false if text is not one. */
static bool parse_id(const char *text, int64_t *id)
{
    if (*text == '#')
        text++;
    return num_int64(text, 1, INT64_MAX, id, "id", NULL) == 0;
}

int norm_key_from_text(const struct rv_snapshot *s, enum norm_dim dim, const char *text,
                       int32_t *key, struct kith_error *err)
{
    char label[256];
    int64_t id;
    if (strcasecmp(text, "none") == 0 || strcmp(text, "(none)") == 0) {
        *key = -1;
        return 0;
    }
    if ((dim == NORM_TEAM || dim == NORM_REP || dim == NORM_UNIT) && parse_id(text, &id)) {
        const int64_t *ids = dim == NORM_TEAM  ? s->teams.id
                             : dim == NORM_REP ? s->users.id
                                               : s->units.id;
        size_t n = norm_dim_cardinality(s, dim);
        if ((*key = rv_find_id(ids, n, id)) >= 0)
            return 0;
        return kith_err(err, KITH_ENOTFOUND, "no %s with id %lld", norm_dim_name(dim),
                        (long long)id);
    }
    if (dim == NORM_LEVEL && parse_id(text, &id) && id <= s->nlevels) {
        *key = (int32_t)id;
        return 0;
    }
    size_t n = norm_dim_cardinality(s, dim);
    for (size_t k = 0; k < n; k++) {
        const char *l = norm_key_label(s, dim, (int32_t)k, label, sizeof(label));
        bool match = strcasecmp(l, text) == 0;
        if (!match && dim == NORM_REP)
            match = strcasecmp(s->users.email[k], text) == 0;
        if (match) {
            *key = (int32_t)k;
            return 0;
        }
    }
    /* say which values exist when they are few enough to list */
    char list[400] = "";
    size_t len = 0;
    for (size_t k = 0; k < n && k < 12 && len < sizeof(list) - 64; k++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", k ? ", " : "",
                                norm_key_label(s, dim, (int32_t)k, label, 48));
    if (n && n <= 12)
        return kith_err(err, KITH_ENOTFOUND, "no %s '%s'; the values are %s", norm_dim_name(dim),
                        text, list);
    return kith_err(err, KITH_ENOTFOUND, "no %s '%s'", norm_dim_name(dim), text);
}

const char *norm_status_name(int status)
{
    switch (status) {
    case NORM_BEHIND:
        return "behind";
    case NORM_NORMAL:
        return "normal";
    case NORM_AHEAD:
        return "ahead";
    default:
        return "unknown";
    }
}

void norm_spec_init(struct norm_spec *spec, enum norm_dim by, int64_t as_of_ms)
{
    memset(spec, 0, sizeof(*spec));
    spec->by = by;
    spec->as_of_ms = as_of_ms;
    spec->bucket_days = NORM_BUCKET_DEFAULT;
    spec->grid = NORM_GRID_DEFAULT;
    spec->min_n = NORM_MIN_N_DEFAULT;
    spec->nthreads = 1;
}

bool norm_attribute_key(const struct rv_snapshot *s, enum norm_dim dim, size_t c, int32_t *key)
{
    return attribute_key(s, dim, c, key);
}
