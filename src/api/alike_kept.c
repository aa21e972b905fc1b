/*
 * alike_kept.c - the kept models of "someone like me" (alike_kept.h).
 */
#include "api/alike_kept.h"

#include <stdlib.h>

#include "util/banned.h"

static void model_free(void *v)
{
    if (v) {
        voice_alike_model_release(v);
        free(v);
    }
}

static struct kept_cache g_models = KEPT_CACHE(model_free, 2);

static int model_load(struct store *conn, void *ctx, void **value, struct kith_error *err)
{
    struct voice_alike_model *m = calloc(1, sizeof(*m));
    if (!m)
        return kith_err(err, KITH_ENOMEM, "out of memory keeping the contacts to compare");
    int rc = voice_alike_model_load(conn, *(const enum alike_kind *)ctx, m, err);
    if (rc < 0) {
        free(m);
        return rc;
    }
    *value = m;
    return 0;
}

struct kept_item *alike_kept_begin(struct store *s, enum alike_kind kind, struct kith_error *err)
{
    const unsigned char key = (unsigned char)kind;
    return kept_begin(&g_models, s, &key, 1, model_load, &kind, err);
}

void alike_kept_end(struct kept_item *it)
{
    kept_end(&g_models, it);
}
