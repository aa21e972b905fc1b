/*
 * value_groups.c - groups of customers for the value reports: one group of all, or by unit,
 * industry, source or segment (industry / revenue band), with each customer's group code.
 */
#include "engine/value_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

static const char *const by_names[] = {
    [VALUE_BY_NONE] = "none",         [VALUE_BY_UNIT] = "unit",     [VALUE_BY_SEGMENT] = "segment",
    [VALUE_BY_INDUSTRY] = "industry", [VALUE_BY_SOURCE] = "source",
};

const char *value_by_name(enum value_by by)
{
    return (size_t)by < sizeof(by_names) / sizeof(by_names[0]) ? by_names[by] : "?";
}

bool value_by_parse(const char *name, enum value_by *by)
{
    for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++) {
        if (strcmp(by_names[i], name) == 0) {
            *by = (enum value_by)i;
            return true;
        }
    }
    return false;
}

void value_groups_release(struct value_groups *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        free(g->names[i]);
    free(g->names);
    free(g->code);
    memset(g, 0, sizeof(*g));
}

static const struct cv_labels *labels_of(const struct cv_data *d, enum value_by by)
{
    switch (by) {
    case VALUE_BY_UNIT:
        return &d->units;
    case VALUE_BY_INDUSTRY:
        return &d->industries;
    case VALUE_BY_SOURCE:
        return &d->sources;
    default:
        return NULL;
    }
}

static int32_t attribute_of(const struct cv_data *d, const struct value_customer *c,
                            enum value_by by)
{
    if (c->account == CV_NO_INDEX)
        return CV_NONE;
    const struct cv_account *a = &d->accounts[c->account];
    switch (by) {
    case VALUE_BY_UNIT:
        return a->unit;
    case VALUE_BY_INDUSTRY:
        return a->industry;
    case VALUE_BY_SOURCE:
        return a->source;
    default:
        return CV_NONE;
    }
}

static char *label_or_none(const struct cv_labels *l, int32_t code)
{
    return strdup(code == CV_NONE ? "(none)" : cv_label(l, code));
}

/* Segments: the (industry, band) combinations that occur, in key order. */
static int segment_groups(const struct cv_data *d, const struct value_result *r,
                          struct value_groups *g, struct kith_error *err)
{
    struct keyed *kv = alloc_array(r->n, sizeof(*kv));
    if (!kv)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
    for (size_t i = 0; i < r->n; i++)
        kv[i] =
            (struct keyed){segment_key(industry_of(d, &r->c[i]), band_of(d, &r->c[i])), (double)i};
    qsort(kv, r->n, sizeof(*kv), keyed_cmp);
    size_t groups = 0;
    for (size_t i = 0; i < r->n; i++)
        groups += i == 0 || kv[i].key != kv[i - 1].key;
    g->names = alloc_array_zero(groups, sizeof(*g->names));
    if (!g->names) {
        free(kv);
        return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
    }
    for (size_t i = 0; i < r->n; i++) {
        if (i == 0 || kv[i].key != kv[i - 1].key) {
            int32_t ind = (int32_t)(kv[i].key >> 32) - 1;
            int32_t band = (int32_t)(uint32_t)(kv[i].key & 0xffffffffu) - 1;
            char buf[512];
            snprintf(buf, sizeof(buf), "%s / %s",
                     ind == CV_NONE ? "(none)" : cv_label(&d->industries, ind),
                     band == CV_NONE ? "(none)" : cv_label(&d->revenue_bands, band));
            if (!(g->names[g->n++] = strdup(buf))) {
                free(kv);
                return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
            }
        }
        g->code[(size_t)kv[i].value] = (int32_t)(g->n - 1);
    }
    free(kv);
    return 0;
}

int value_groups_build(const struct cv_data *d, const struct value_result *r, enum value_by by,
                       struct value_groups *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->code = alloc_array(r->n, sizeof(*out->code));
    if (!out->code)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
    int rc = 0;
    if (by == VALUE_BY_SEGMENT) {
        rc = segment_groups(d, r, out, err);
    } else if (by == VALUE_BY_NONE) {
        out->names = malloc(sizeof(*out->names));
        if (out->names && (out->names[0] = strdup("all")))
            out->n = 1;
        else
            rc = kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
        for (size_t i = 0; rc == 0 && i < r->n; i++)
            out->code[i] = 0;
    } else {
        const struct cv_labels *l = labels_of(d, by);
        out->names = alloc_array_zero(l->n + 1, sizeof(*out->names));
        if (!out->names) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
        } else {
            for (size_t k = 0; k <= l->n && rc == 0; k++) {
                if (!(out->names[k] = label_or_none(l, k < l->n ? (int32_t)k : CV_NONE)))
                    rc = kith_err(err, KITH_ENOMEM, "out of memory grouping customers");
                out->n = k + 1;
            }
        }
        for (size_t i = 0; rc == 0 && i < r->n; i++) {
            int32_t a = attribute_of(d, &r->c[i], by);
            out->code[i] = a == CV_NONE ? (int32_t)l->n : a;
        }
    }
    if (rc < 0)
        value_groups_release(out);
    return rc;
}
