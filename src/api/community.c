/*
 * community.c - the community role derived again after API writes (community.h).
 */
#include "api/community.h"

#include <stdio.h>
#include <string.h>

#include "analysis/voice_community.h"
#include "api/rvstate.h"

#include "util/banned.h"

struct contact_of {
    size_t index; /* of contact_id in the table's fields */
    int64_t contact_id;
};

static int take_contact(void *ctx, const struct store_value *vals)
{
    struct contact_of *c = ctx;
    if (vals[c->index].kind == SV_INT)
        c->contact_id = vals[c->index].i;
    return 0;
}

void api_community_changed(struct api_request *req, const char *table, int64_t id,
                           enum resource_change change)
{
    struct kith_error err = {0};
    const struct table_def *t = model_table(table);
    struct contact_of c = {0};
    const bool one =
        change == RESOURCE_CREATED || (change == RESOURCE_UPDATED && strcmp(table, "events") != 0);
    if (!t || !table_field(t, "contact_id", &c.index))
        BUG("%s has no contact_id", table);
    if (one) {
        const struct store_scope all = {.all = true};
        if (store_get(req->store, t, id, &all, take_contact, &c, &err) < 0)
            goto fail;
        if (c.contact_id <= 0) /* an idea of staff, an event of an account: nobody's role */
            return;
    }
    size_t changed = 0;
    if (voice_community_refresh(req->store, one ? c.contact_id : 0, voice_community_now(), &changed,
                                &err) == 0) {
        if (changed) /* the RV norms group contacts by their role too */
            rvstate_changed("a contact's community role changed");
        return;
    }
fail:
    fprintf(stderr,
            "kith serve: the community roles after a write of %s %lld were not derived: %s\n",
            t->singular, (long long)id, err.msg);
}
