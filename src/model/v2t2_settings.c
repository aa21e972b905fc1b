/*
 * v2t2_settings.c - the list of the V2T2 settings of a unit, their ranges and defaults, and the
 * one check of their values (model/v2t2_settings.h; docs/v2t2.md, "Settings").
 */
#include "model/v2t2_settings.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "util/banned.h"

const struct v2t2_setting_def v2t2_setting_defs[V2T2_NSETTINGS] = {
    [V2T2_SET_VALUE_CUSTOMER] = {"value_customer", 0, V2T2_VALUE_MAX, 1,
                                 "high value for the customer: amount >= X times its usual order"},
    [V2T2_SET_VALUE_REP] = {"value_rep", 0, V2T2_VALUE_MAX, 0.5,
                            "high value for the rep: amount >= X times the rep's typical subject"},
    [V2T2_SET_VALUE_MANAGER] = {"value_manager", 0, V2T2_VALUE_MAX, 0.05,
                                "high value for the manager: amount >= X times the team's amount "
                                "per period"},
    [V2T2_SET_VALUE_UNIT] = {"value_unit", 0, V2T2_VALUE_MAX, 0.05,
                             "high value for the unit: amount >= X times the unit's amount per "
                             "period"},
    [V2T2_SET_VALUE_ENTERPRISE] = {"value_enterprise", 0, V2T2_VALUE_MAX, 0.05,
                                   "high value for the enterprise: amount >= X times its amount "
                                   "per period"},
    [V2T2_SET_VOLUME] = {"volume", 0, V2T2_VOLUME_MAX, 1,
                         "high volume: the party handles at least N such subjects per period"},
    [V2T2_SET_PERIOD_DAYS] = {"period_days", V2T2_PERIOD_MIN, V2T2_PERIOD_MAX, 30,
                              "the period volumes and amounts per period are counted in (days)"},
    [V2T2_SET_TOUCH] = {"touch", 0, 1, 0.5, "high touch: mean touch weight >= X"},
    [V2T2_SET_TECH] = {"tech", 0, 1, 0.5, "high tech: mean tech weight >= X"},
};

int v2t2_setting_find(const char *name)
{
    for (int i = 0; name && i < V2T2_NSETTINGS; i++)
        if (strcmp(name, v2t2_setting_defs[i].name) == 0)
            return i;
    return -1;
}

const char *v2t2_source_name(int source)
{
    switch (source) {
    case V2T2_FROM_UNIT:
        return "unit";
    case V2T2_FROM_OVERRIDE:
        return "override";
    default:
        return "default";
    }
}

int v2t2_setting_check(int which, double v, struct kith_error *err)
{
    if (which < 0 || which >= V2T2_NSETTINGS)
        return kith_err(err, KITH_EINVAL, "is not a V2T2 setting");
    const struct v2t2_setting_def *d = &v2t2_setting_defs[which];
    if (!isfinite(v) || v < d->lo || v > d->hi)
        return kith_err(err, KITH_EINVAL, "must be a number from %g to %g", d->lo, d->hi);
    return 0;
}

void v2t2_settings_defaults(struct v2t2_settings *s, int64_t unit_id)
{
    memset(s, 0, sizeof(*s));
    s->unit_id = unit_id;
    for (int i = 0; i < V2T2_NSETTINGS; i++)
        s->v[i] = v2t2_setting_defs[i].def;
}

int v2t2_settings_check(const struct v2t2_settings *s, const char **field, struct kith_error *err)
{
    *field = NULL;
    for (int i = 0; i < V2T2_NSETTINGS; i++) {
        if (!s->set[i])
            continue;
        int rc = v2t2_setting_check(i, s->v[i], err);
        if (rc < 0) {
            *field = v2t2_setting_defs[i].name;
            return rc;
        }
    }
    return 0;
}
