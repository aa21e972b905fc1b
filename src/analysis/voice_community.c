/*
 * voice_community.c - the community's derived fields kept in line (voice_community.h) and the
 * `voice community` analysis: contacts per role, ideas by status with their votes, ratings and
 * verified purchases, over the contacts in the caller's scope. docs/voice.md defines them.
 */
#include "analysis/voice.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/rv_json.h"
#include "util/alloc.h"

#include "util/banned.h"

const char *const voice_idea_statuses[4] = {"new", "planned", "done", "declined"};

int64_t voice_community_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum community_role role_of(const struct store_community_counts *r)
{
    const struct community_counts c = {r->ideas, r->votes, r->reviews, r->referrals};
    return community_role_of(&c);
}

int voice_community_refresh(struct store *st, int64_t contact_id, int64_t now_ms, size_t *changed,
                            struct kith_error *err)
{
    if (contact_id <= 0) {
        int rc = store_ratings_verify(st, 0, NULL, err);
        if (rc < 0)
            return rc;
    }
    struct store_community_counts *counts = NULL;
    size_t n = 0;
    int rc =
        store_community_counts(st, community_window_start(now_ms), contact_id, &counts, &n, err);
    if (rc < 0)
        return rc;
    struct store_contact_role *rows = n ? alloc_array(n, sizeof(*rows)) : NULL;
    if (n && !rows) {
        free(counts);
        return kith_err(err, KITH_ENOMEM, "out of memory for the roles of %zu contacts", n);
    }
    for (size_t i = 0; i < n; i++) {
        rows[i].contact_id = counts[i].contact_id;
        rows[i].role = community_role_name(role_of(&counts[i]));
    }
    free(counts);
    rc = store_contacts_set_community_roles(st, rows, n, changed, err);
    free(rows);
    return rc;
}

/* ---- the analysis ------------------------------------------------------------------------ */

static int id_cmp(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* True if contact id is in scope (a staff idea, contact 0, only when nothing is scoped). */
bool voice_in_scope(const struct voice_scope *sc, int64_t id)
{
    if (!sc->scoped)
        return true;
    return id > 0 && sc->ncontacts &&
           bsearch(&id, sc->contacts, sc->ncontacts, sizeof(*sc->contacts), id_cmp) != NULL;
}

int voice_community_run(const struct voice_scope *scope, struct voice_report *out,
                        struct kith_error *err)
{
    struct voice_community *c = &out->community;
    snprintf(out->role, sizeof(out->role), "%s", scope->role ? scope->role : "admin");
    c->as_of = voice_community_now();
    c->since = community_window_start(c->as_of);
    struct store_community_counts *counts = NULL;
    size_t n = 0;
    int rc = store_community_counts(scope->store, c->since, 0, &counts, &n, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (!voice_in_scope(scope, counts[i].contact_id))
            continue;
        c->contacts++;
        c->roles[role_of(&counts[i])]++;
    }
    free(counts);
    struct store_community_items items;
    if ((rc = store_community_items(scope->store, &items, err)) < 0)
        return rc;
    for (size_t i = 0; i < items.nideas; i++) {
        const struct store_community_idea *idea = &items.ideas[i];
        if (!voice_in_scope(scope, idea->contact_id))
            continue;
        c->ideas++;
        for (size_t s = 0; s < 4; s++)
            if (strcmp(idea->status, voice_idea_statuses[s]) == 0)
                c->idea_status[s]++;
        c->votes_up += idea->up;
        c->votes_down += idea->down;
    }
    for (size_t i = 0; i < items.nratings; i++) {
        const struct store_community_rating *r = &items.ratings[i];
        if (!voice_in_scope(scope, r->contact_id))
            continue;
        c->ratings++;
        c->stars += r->stars;
        if (r->verified) {
            c->verified++;
            c->verified_stars += r->stars;
        }
    }
    store_community_items_release(&items);
    return 0;
}

json_t *voice_mean_or_null(int64_t sum, int64_t n)
{
    return n ? rvjson_number((double)sum / (double)n) : json_null();
}

json_t *voice_community_json(const struct voice_report *r)
{
    const struct voice_community *c = &r->community;
    json_t *o = json_object(), *rules = json_object(), *roles = json_object(),
           *ideas = json_object(), *ratings = json_object();
    if (!o || !rules || !roles || !ideas || !ratings) {
        json_decref(rules);
        json_decref(roles);
        json_decref(ideas);
        json_decref(ratings);
        return rvjson_fail(o);
    }
    bool ok =
        rvjson_put(o, "analysis", json_string("community")) &&
        rvjson_put(o, "as_of", rvjson_ms(c->as_of)) &&
        rvjson_put(o, "window_from", rvjson_ms(c->since)) &&
        rvjson_put(o, "window_days", json_integer(COMMUNITY_WINDOW_DAYS)) &&
        rvjson_put(o, "rules", rules) &&
        rvjson_put(rules, "leader_min_ideas_and_referrals", json_integer(COMMUNITY_LEADER_MIN)) &&
        rvjson_put(rules, "doer_min_ideas_reviews_and_referrals",
                   json_integer(COMMUNITY_DOER_MIN)) &&
        rvjson_put(rules, "watcher_min_votes", json_integer(COMMUNITY_WATCHER_MIN)) &&
        rvjson_put(o, "contacts", json_integer(c->contacts)) && rvjson_put(o, "roles", roles);
    for (int k = COMMUNITY_NROLES - 1; ok && k >= 0; k--)
        ok = rvjson_put(roles, community_role_label((enum community_role)k),
                        json_integer(c->roles[k]));
    ok = ok && rvjson_put(o, "ideas", ideas) && rvjson_put(ideas, "total", json_integer(c->ideas));
    for (size_t s = 0; ok && s < 4; s++)
        ok = rvjson_put(ideas, voice_idea_statuses[s], json_integer(c->idea_status[s]));
    ok = ok && rvjson_put(ideas, "votes_up", json_integer(c->votes_up)) &&
         rvjson_put(ideas, "votes_down", json_integer(c->votes_down)) &&
         rvjson_put(o, "ratings", ratings) &&
         rvjson_put(ratings, "total", json_integer(c->ratings)) &&
         rvjson_put(ratings, "verified", json_integer(c->verified)) &&
         rvjson_put(ratings, "mean_stars", voice_mean_or_null(c->stars, c->ratings)) &&
         rvjson_put(ratings, "mean_stars_verified",
                    voice_mean_or_null(c->verified_stars, c->verified));
    return ok ? o : rvjson_fail(o);
}

void voice_community_text(const struct voice_report *r, FILE *out)
{
    const struct voice_community *c = &r->community;
    fprintf(out, "%-10s %10s\n", "role", "contacts");
    for (int k = COMMUNITY_NROLES - 1; k >= 0; k--)
        fprintf(out, "%-10s %10lld\n", community_role_label((enum community_role)k),
                (long long)c->roles[k]);
    fprintf(out, "%-10s %10lld\n\n", "total", (long long)c->contacts);
    fprintf(out,
            "ideas %lld: new %lld, planned %lld, done %lld, declined %lld; votes +%lld -%lld\n",
            (long long)c->ideas, (long long)c->idea_status[0], (long long)c->idea_status[1],
            (long long)c->idea_status[2], (long long)c->idea_status[3], (long long)c->votes_up,
            (long long)c->votes_down);
    fprintf(out, "ratings %lld (verified purchases %lld)", (long long)c->ratings,
            (long long)c->verified);
    if (c->ratings)
        fprintf(out, ", mean %.2f stars", (double)c->stars / (double)c->ratings);
    if (c->verified)
        fprintf(out, ", verified %.2f", (double)c->verified_stars / (double)c->verified);
    fprintf(out,
            "\n\nroles over the %d days to now: leader >= %d ideas + referrals, doer >= %d"
            " ideas + reviews + referrals, watcher >= %d votes (docs/voice.md)\n",
            COMMUNITY_WINDOW_DAYS, COMMUNITY_LEADER_MIN, COMMUNITY_DOER_MIN, COMMUNITY_WATCHER_MIN);
}
