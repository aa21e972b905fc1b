/*
 * rv_levels.c - the contacts' stored level and stage, written from a snapshot (rv_levels.h).
 */
#include "analysis/rv_levels.h"

#include <stdlib.h>

#include "engine/rv.h"
#include "util/alloc.h"

#include "util/banned.h"

void rv_levels_of(const struct rv_snapshot *s, size_t c, struct store_contact_level *out)
{
    int level = s->level[c];
    int stage = level > 0 ? rv_level_stage(s, level) : RV_STAGE_NONE;
    out->contact_id = s->cid[c];
    out->level = level;
    out->stage = stage == RV_STAGE_NONE ? NULL : rv_stage_name(stage);
}

int rv_levels_store_all(struct store *st, const struct rv_snapshot *s, size_t *changed,
                        struct kith_error *err)
{
    struct store_contact_level *rows = alloc_array(s->nc, sizeof(*rows));
    if (!rows)
        return kith_err(err, KITH_ENOMEM, "out of memory for the levels of %zu contacts", s->nc);
    for (size_t c = 0; c < s->nc; c++)
        rv_levels_of(s, c, &rows[c]);
    int rc = store_contacts_set_levels(st, rows, s->nc, changed, err);
    free(rows);
    return rc;
}

int rv_levels_refresh(struct store *st, unsigned nthreads, size_t *changed, struct kith_error *err)
{
    struct rv_snapshot *s = NULL;
    int rc = rv_snapshot_load(store_rv_source(st), nthreads, &s, err);
    if (rc < 0)
        return rc;
    rc = rv_levels_store_all(st, s, changed, err);
    rv_snapshot_free(s);
    return rc;
}
