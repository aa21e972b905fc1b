/*
 * rv_json.c - the JSON pieces of the RV engine's results (rv_json.h): times, money, group keys,
 * positions, contact states and the live stream's updates. Builds jansson values only; the
 * report writers (analysis/rv_json.c) and the live stream assemble them.
 */
#include "io/rv_json.h"

#include <math.h>
#include <stdlib.h>

#include "engine/rv.h"
#include "util/money.h"
#include "util/timefmt.h"

#include "util/banned.h"

/* json_object_set_new that reports failure (the value is consumed either way). */
bool rvjson_put(json_t *o, const char *k, json_t *v)
{
    return o && v && json_object_set_new(o, k, v) == 0;
}

bool rvjson_push(json_t *a, json_t *v)
{
    return a && v && json_array_append_new(a, v) == 0;
}

json_t *rvjson_fail(json_t *o)
{
    json_decref(o);
    return NULL;
}

json_t *rvjson_time(int32_t t)
{
    if (t == RV_TIME_MIN || t == RV_TIME_MAX)
        return json_null();
    char buf[TIMEFMT_SIZE];
    size_t n = timefmt_format(rv_time_to_ms(t), buf);
    return json_stringn(buf, n);
}

json_t *rvjson_ms(int64_t ms)
{
    char buf[TIMEFMT_SIZE];
    size_t n = timefmt_format(ms, buf);
    return json_stringn(buf, n);
}

json_t *rvjson_number(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

json_t *rvjson_money(int64_t cents)
{
    char buf[MONEY_SIZE];
    size_t n = money_format(cents, MONEY_DECIMALS, buf);
    return json_stringn(buf, n);
}

json_t *rvjson_key(const struct rv_snapshot *s, enum norm_dim dim, int32_t key)
{
    char label[256];
    json_t *o = json_object();
    if (!rvjson_put(o, "field", json_string(norm_dim_name(dim))) ||
        !rvjson_put(o, "value",
                    key < 0 ? json_null()
                            : json_string(norm_key_label(s, dim, key, label, sizeof(label)))))
        return rvjson_fail(o);
    int64_t id = norm_key_id(s, dim, key);
    if (id && !rvjson_put(o, "id", json_integer(id)))
        return rvjson_fail(o);
    return o;
}

json_t *rvjson_stage(int st)
{
    return st < 0 ? json_null() : json_string(rv_stage_name(st));
}

json_t *rvjson_position(const struct rv_snapshot *s, const struct norm_result *r,
                        const struct norm_position *p)
{
    const struct norm_group *g = &r->groups[p->group];
    const struct norm_row *row = &r->rows[g->row_off + p->row];
    json_t *o = json_object();
    if (!rvjson_put(o, "group", rvjson_key(s, r->spec.by, g->key)) ||
        !rvjson_put(o, "row", json_integer(p->row)) ||
        !rvjson_put(o, "row_age_days", json_integer((json_int_t)p->row * r->spec.bucket_days)) ||
        !rvjson_put(o, "age_days", json_integer(p->age_days)) ||
        !rvjson_put(o, "rv", json_integer(p->rv)) ||
        !rvjson_put(o, "percentile", rvjson_number(p->percentile)) ||
        !rvjson_put(o, "status", json_string(norm_status_name(p->status))) ||
        !rvjson_put(o, "n", json_integer(row->n)) ||
        !rvjson_put(o, "p10", rvjson_number(row->p10)) ||
        !rvjson_put(o, "p50", rvjson_number(row->p50)) ||
        !rvjson_put(o, "p90", rvjson_number(row->p90)))
        return rvjson_fail(o);
    return o;
}

static json_t *positions_of(const struct rv_snapshot *s, const struct norm_result *r, size_t c,
                            int64_t as_of_ms)
{
    json_t *a = json_array();
    if (!r)
        return a;
    struct norm_position p[16];
    size_t n;
    norm_position_of(r, s, c, as_of_ms, p, 16, &n);
    for (size_t i = 0; i < n; i++)
        if (!rvjson_push(a, rvjson_position(s, r, &p[i])))
            return rvjson_fail(a);
    return a;
}

json_t *rvjson_state(const struct rv_snapshot *s, const struct rv_contact_state *st)
{
    json_t *o = json_object();
    if (!rvjson_put(o, "rv", json_integer(st->rv)) ||
        !rvjson_put(o, "level", json_integer(st->level)) ||
        !rvjson_put(o, "stage", rvjson_stage(st->stage)) ||
        !rvjson_put(o, "interactions", json_integer(st->ncounted)) ||
        !rvjson_put(o, "first_interaction", rvjson_time(st->first)) ||
        !rvjson_put(o, "last_interaction", rvjson_time(st->last)))
        return rvjson_fail(o);
    (void)s;
    return o;
}

json_t *rvjson_update(const struct rv_snapshot *s, const struct rv_update *u,
                      const struct norm_result *r, int64_t as_of_ms)
{
    json_t *o = json_object();
    if (!rvjson_put(o, "contact_id", json_integer(s->cid[u->contact])) ||
        !rvjson_put(o, "new_contact", json_boolean(u->new_contact)) ||
        !rvjson_put(o, "before", rvjson_state(s, &u->before)) ||
        !rvjson_put(o, "after", rvjson_state(s, &u->after)) ||
        !rvjson_put(o, "positions", positions_of(s, r, (size_t)u->contact, as_of_ms)))
        return rvjson_fail(o);
    return o;
}
