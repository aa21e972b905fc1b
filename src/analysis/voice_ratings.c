/*
 * voice_ratings.c - `voice ratings` and `voice ideas` (analysis/voice.h; docs/voice.md "Ratings",
 * "Ideas"): the community's ratings per product and its ideas by status and score, over the
 * contacts the caller may read. A product rated by fewer than the policy's k contacts shows its
 * name only, as every group of the voice family; ideas are the contacts' own posts, listed as the
 * ideas resource lists them to the same caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/voice.h"
#include "io/rv_json.h"
#include "util/alloc.h"

#include "util/banned.h"

/* Ratings in scope, by product then contact: the rows to add up. */
static int rating_cmp(const void *a, const void *b)
{
    const struct store_community_rating *x = a, *y = b;
    if (x->product_id != y->product_id)
        return (x->product_id > y->product_id) - (x->product_id < y->product_id);
    return (x->contact_id > y->contact_id) - (x->contact_id < y->contact_id);
}

static int product_cmp(const void *a, const void *b)
{
    const struct voice_product_ratings *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->product_id > y->product_id) - (x->product_id < y->product_id);
}

static int ratings_run(const struct voice_scope *scope, struct voice_report *out,
                       struct store_community_items *items, struct kith_error *err)
{
    struct voice_ratings *v = &out->ratings;
    size_t m = 0;
    for (size_t i = 0; i < items->nratings; i++)
        if (voice_in_scope(scope, items->ratings[i].contact_id))
            items->ratings[m++] = items->ratings[i];
    qsort(items->ratings, m, sizeof(*items->ratings), rating_cmp);
    v->rows = alloc_array_zero(m ? m : 1, sizeof(*v->rows));
    if (!v->rows)
        return kith_err(err, KITH_ENOMEM, "out of memory adding up %zu ratings", m);
    for (size_t i = 0; i < m; i++) {
        const struct store_community_rating *r = &items->ratings[i];
        struct voice_product_ratings *row = v->n ? &v->rows[v->n - 1] : NULL;
        if (!row || row->product_id != r->product_id) {
            row = &v->rows[v->n++];
            row->product_id = r->product_id;
            snprintf(row->name, sizeof(row->name), "%s", r->product);
        }
        if (i == 0 || items->ratings[i - 1].product_id != r->product_id ||
            items->ratings[i - 1].contact_id != r->contact_id)
            row->contacts++;
        row->ratings++;
        row->stars += r->stars;
        row->reviews += r->reviewed;
        if (r->verified) {
            row->verified++;
            row->verified_stars += r->stars;
        }
        v->total++;
    }
    for (size_t i = 0; i < v->n; i++) {
        struct voice_product_ratings *row = &v->rows[i];
        if (row->contacts < out->k) {
            const struct voice_product_ratings keep = *row;
            memset(row, 0, sizeof(*row));
            row->product_id = keep.product_id;
            memcpy(row->name, keep.name, sizeof(row->name));
            row->suppressed = true;
        }
    }
    qsort(v->rows, v->n, sizeof(*v->rows), product_cmp);
    return 0;
}

static int idea_cmp(const void *a, const void *b)
{
    const struct voice_idea_row *x = a, *y = b;
    const int64_t sx = x->up - x->down, sy = y->up - y->down;
    if (sx != sy)
        return (sx < sy) - (sx > sy);
    return (x->id < y->id) - (x->id > y->id);
}

static int ideas_run(const struct voice_scope *scope, struct voice_report *out,
                     const struct store_community_items *items, struct kith_error *err)
{
    struct voice_ideas *v = &out->ideas;
    v->rows = alloc_array_zero(items->nideas ? items->nideas : 1, sizeof(*v->rows));
    if (!v->rows)
        return kith_err(err, KITH_ENOMEM, "out of memory listing %zu ideas", items->nideas);
    for (size_t i = 0; i < items->nideas; i++) {
        const struct store_community_idea *idea = &items->ideas[i];
        if (!voice_in_scope(scope, idea->contact_id))
            continue;
        v->total++;
        for (size_t s = 0; s < 4; s++)
            if (strcmp(idea->status, voice_idea_statuses[s]) == 0)
                v->status[s]++;
        v->up += idea->up;
        v->down += idea->down;
        struct voice_idea_row *row = &v->rows[v->n++];
        row->id = idea->id;
        row->product_id = idea->product_id;
        row->up = idea->up;
        row->down = idea->down;
        memcpy(row->status, idea->status, sizeof(row->status));
        memcpy(row->title, idea->title, sizeof(row->title));
    }
    qsort(v->rows, v->n, sizeof(*v->rows), idea_cmp);
    if (v->n > (size_t)out->p.limit)
        v->n = (size_t)out->p.limit;
    return 0;
}

int voice_ratings_run(enum voice_analysis a, const struct voice_scope *scope,
                      struct voice_report *out, struct kith_error *err)
{
    struct store_community_items items;
    int rc = store_community_items(scope->store, &items, err);
    if (rc < 0)
        return rc;
    rc = a == VOICE_RATINGS ? ratings_run(scope, out, &items, err)
                            : ideas_run(scope, out, &items, err);
    store_community_items_release(&items);
    if (rc < 0)
        voice_ratings_release(out);
    return rc;
}

void voice_ratings_release(struct voice_report *r)
{
    free(r->ratings.rows);
    free(r->ideas.rows);
    memset(&r->ratings, 0, sizeof(r->ratings));
    memset(&r->ideas, 0, sizeof(r->ideas));
}

static json_t *product_json(const struct voice_product_ratings *x)
{
    if (x->suppressed)
        return json_pack("{s:I, s:s, s:b}", "product_id", (json_int_t)x->product_id, "name",
                         x->name, "suppressed", 1);
    return json_pack("{s:I, s:s, s:b, s:I, s:I, s:o, s:I, s:o, s:I}", "product_id",
                     (json_int_t)x->product_id, "name", x->name, "suppressed", 0, "contacts",
                     (json_int_t)x->contacts, "ratings", (json_int_t)x->ratings, "mean_stars",
                     voice_mean_or_null(x->stars, x->ratings), "verified", (json_int_t)x->verified,
                     "mean_stars_verified", voice_mean_or_null(x->verified_stars, x->verified),
                     "reviews", (json_int_t)x->reviews);
}

static json_t *idea_json(const struct voice_idea_row *x)
{
    return json_pack(
        "{s:I, s:s, s:s, s:o, s:I, s:I, s:I}", "id", (json_int_t)x->id, "title", x->title, "status",
        x->status, "product_id", x->product_id ? json_integer(x->product_id) : json_null(), "up",
        (json_int_t)x->up, "down", (json_int_t)x->down, "score", (json_int_t)(x->up - x->down));
}

json_t *voice_ratings_json(const struct voice_report *r)
{
    json_t *a = json_array();
    if (r->analysis == VOICE_RATINGS) {
        for (size_t i = 0; a && i < r->ratings.n; i++)
            if (!rvjson_push(a, product_json(&r->ratings.rows[i])))
                a = rvjson_fail(a);
        if (!a)
            return NULL;
        return json_pack("{s:s, s:s, s:I, s:I, s:o}", "analysis", "ratings", "role", r->role, "k",
                         (json_int_t)r->k, "ratings", (json_int_t)r->ratings.total, "products", a);
    }
    const struct voice_ideas *v = &r->ideas;
    for (size_t i = 0; a && i < v->n; i++)
        if (!rvjson_push(a, idea_json(&v->rows[i])))
            a = rvjson_fail(a);
    json_t *by = json_object();
    bool ok = a && by;
    for (size_t s = 0; ok && s < 4; s++)
        ok = rvjson_put(by, voice_idea_statuses[s], json_integer(v->status[s]));
    if (!ok) {
        json_decref(a);
        json_decref(by);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:I, s:o, s:I, s:I, s:I, s:o}", "analysis", "ideas", "role",
                     r->role, "total", (json_int_t)v->total, "by_status", by, "votes_up",
                     (json_int_t)v->up, "votes_down", (json_int_t)v->down, "limit",
                     (json_int_t)r->p.limit, "ideas", a);
}

void voice_ratings_text(const struct voice_report *r, FILE *out)
{
    if (r->analysis == VOICE_RATINGS) {
        fprintf(out, "%-32s %8s %8s %6s %8s %6s %8s\n", "product", "contacts", "ratings", "stars",
                "verified", "stars", "reviews");
        for (size_t i = 0; i < r->ratings.n; i++) {
            const struct voice_product_ratings *x = &r->ratings.rows[i];
            if (x->suppressed) {
                fprintf(out, "%-32.32s %8s (fewer than %lld contacts)\n", x->name, "-",
                        (long long)r->k);
                continue;
            }
            fprintf(out, "%-32.32s %8lld %8lld %6.2f %8lld ", x->name, (long long)x->contacts,
                    (long long)x->ratings, (double)x->stars / (double)x->ratings,
                    (long long)x->verified);
            if (x->verified)
                fprintf(out, "%6.2f", (double)x->verified_stars / (double)x->verified);
            else
                fprintf(out, "%6s", "-");
            fprintf(out, " %8lld\n", (long long)x->reviews);
        }
        return;
    }
    const struct voice_ideas *v = &r->ideas;
    fprintf(out,
            "ideas %lld: new %lld, planned %lld, done %lld, declined %lld; votes +%lld -%lld\n\n",
            (long long)v->total, (long long)v->status[0], (long long)v->status[1],
            (long long)v->status[2], (long long)v->status[3], (long long)v->up, (long long)v->down);
    fprintf(out, "%-8s %6s %5s %5s %-9s %s\n", "id", "score", "up", "down", "status", "title");
    for (size_t i = 0; i < v->n; i++) {
        const struct voice_idea_row *x = &v->rows[i];
        fprintf(out, "%-8lld %6lld %5lld %5lld %-9s %s\n", (long long)x->id,
                (long long)(x->up - x->down), (long long)x->up, (long long)x->down, x->status,
                x->title);
    }
}
