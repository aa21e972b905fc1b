/*
 * v2t2_settings.h - the V2T2 thresholds and baselines a unit configures (docs/v2t2.md,
 * "Settings"): what each point of view counts as high value, the volume from which a party is
 * busy, the period volumes are counted in, and where touch and tech turn high. The one list of
 * the settings, their ranges and defaults, and the one check of a value, for every door that
 * writes them (`kith v2t2 settings --set`, PUT /api/v1/v2t2/settings, the store). A unit without
 * a setting uses the default, so a database with no settings judges as the defaults say.
 */
#ifndef KITH_MODEL_V2T2_SETTINGS_H
#define KITH_MODEL_V2T2_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* The settings, in this order everywhere (the store's columns, the JSON, the CLI's listing). */
enum v2t2_setting {
    V2T2_SET_VALUE_CUSTOMER,
    V2T2_SET_VALUE_REP,
    V2T2_SET_VALUE_MANAGER,
    V2T2_SET_VALUE_UNIT,
    V2T2_SET_VALUE_ENTERPRISE,
    V2T2_SET_VOLUME,
    V2T2_SET_PERIOD_DAYS,
    V2T2_SET_TOUCH,
    V2T2_SET_TECH,
    V2T2_NSETTINGS
};

/* Ranges, shared with the what-if parameters of the analyses (analysis/v2t2.c). */
#define V2T2_VALUE_MAX  1e9
#define V2T2_VOLUME_MAX 1e12
#define V2T2_PERIOD_MIN 1
#define V2T2_PERIOD_MAX 3660

/* Where a threshold that was applied came from. */
enum v2t2_source {
    V2T2_FROM_DEFAULT,  /* the built-in default below */
    V2T2_FROM_UNIT,     /* the unit's setting */
    V2T2_FROM_OVERRIDE, /* the request's what-if parameter */
};

struct v2t2_setting_def {
    const char *name; /* value_customer, ...: the column, the JSON key, the what-if parameter */
    double lo, hi;    /* the range, both included */
    double def;       /* the default */
    const char *help; /* one line */
};

extern const struct v2t2_setting_def v2t2_setting_defs[V2T2_NSETTINGS];

/* The setting called name, or -1. */
int v2t2_setting_find(const char *name);

/* "default", "unit", "override". */
const char *v2t2_source_name(int source);

/*
 * 0 when v is a value setting which may take (finite, in its range); else KITH_EINVAL with
 * "must be a number from LO to HI" in err (the door puts the setting's name in front).
 */
int v2t2_setting_check(int which, double v, struct kith_error *err);

/* One unit's settings: v[i] applies; set[i] says the unit set it (else v[i] is the default). */
struct v2t2_settings {
    int64_t unit_id; /* 0: none (every value the default) */
    double v[V2T2_NSETTINGS];
    bool set[V2T2_NSETTINGS];
    int64_t updated_at, updated_by; /* Unix ms and user id of the last change; 0: none */
};

/* s with every value the default and none set, for unit_id. */
void v2t2_settings_defaults(struct v2t2_settings *s, int64_t unit_id);

/* 0 when every value s sets passes v2t2_setting_check(); else its code with *field the name. */
int v2t2_settings_check(const struct v2t2_settings *s, const char **field, struct kith_error *err);

#endif
