/*
 * contacts.c - /api/v1/contacts: the individuals kith is about, and GET
 * /api/v1/contacts/{id}/timeline, their interactions, orders and events newest first. A new
 * contact is owned by its creator and in the creator's unit unless the body says otherwise.
 */
#include <stdlib.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char *const search[] = {"first_name", "last_name", "email", NULL};

static const struct api_resource contacts = {.table = "contacts",
                                             .path = "/api/v1/contacts",
                                             .search = search,
                                             .prepare = resource_prepare_owned,
                                             .committed = rvstate_on_contact};

RESOURCE_DEFINE_READ(contacts, contacts)
RESOURCE_DEFINE_WRITE(contacts, contacts)
RESOURCE_DEFINE_DELETE(contacts, contacts)

struct timeline {
    json_t *items;
    size_t limit, n;
    bool more;
    struct store_timeline_pos last;
};

static int timeline_item(void *ctx, const struct table_def *t, const struct store_timeline_pos *pos,
                         const struct store_value *vals)
{
    struct timeline *tl = ctx;
    char at[TIMEFMT_SIZE];
    if (tl->n == tl->limit) {
        tl->more = true;
        return 1;
    }
    timefmt_format(pos->at, at);
    json_t *item = json_pack("{s:s, s:s, s:o*}", "type", t->singular, "at", at, "record",
                             resource_row_json(t, vals, NULL));
    if (!item || json_array_append_new(tl->items, item) < 0)
        return KITH_ENOMEM;
    tl->n++;
    tl->last = *pos;
    return 0;
}

/* The cursor of a timeline: [at, kind, id] of the last item of the page. */
static bool timeline_after(const char *text, struct store_timeline_pos *pos)
{
    json_t *c = resource_cursor_decode(text);
    bool ok = json_is_array(c) && json_array_size(c) == 3 &&
              json_is_integer(json_array_get(c, 0)) && json_is_integer(json_array_get(c, 1)) &&
              json_is_integer(json_array_get(c, 2));
    if (ok) {
        pos->at = json_integer_value(json_array_get(c, 0));
        pos->kind = (int)json_integer_value(json_array_get(c, 1));
        pos->id = json_integer_value(json_array_get(c, 2));
    }
    json_decref(c);
    return ok;
}

void api_contacts_timeline(struct api_request *req, struct api_response *res)
{
    const struct table_def *t = resource_table(&contacts);
    struct timeline tl = {.items = NULL};
    struct store_timeline_pos after;
    struct store_scope scope;
    struct kith_error err = {0};
    int64_t id;
    const char *cursor = api_query(req, "cursor");
    if (!api_param_id(req, 0, &id, res) || !resource_limit(req, &tl.limit, res))
        return;
    if (cursor && !timeline_after(cursor, &after)) {
        api_error(res, 400, "bad_request", "cursor", "cursor is not one this timeline gave out");
        return;
    }
    if (api_scope(req->who, t, false, &scope) < 0 ||
        store_get(req->store, t, id, &scope, NULL, NULL, &err) < 0) {
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)id);
        return;
    }
    if (!(tl.items = json_array()) || store_timeline(req->store, id, cursor ? &after : NULL,
                                                     tl.limit + 1, timeline_item, &tl, &err) < 0) {
        json_decref(tl.items);
        resource_answer_error(t, &err, res);
        return;
    }
    json_t *next = json_null();
    if (tl.more) {
        json_t *state =
            json_pack("[I, i, I]", (json_int_t)tl.last.at, tl.last.kind, (json_int_t)tl.last.id);
        char *text = state ? resource_cursor_encode(state) : NULL;
        next = text ? json_string(text) : NULL;
        json_decref(state);
        free(text);
    }
    api_json(res, 200, json_pack("{s:o, s:o*}", "items", tl.items, "next_cursor", next));
}
