/*
 * analysis.c - query strings into analysis parameters (see analysis.h). Every analysis route
 * reads its query this way; the parsing itself is param_set(), shared with the CLI.
 */
#include "api/analysis.h"

#include <microhttpd.h>
#include <string.h>

#include "util/banned.h"

struct query_walk {
    const struct analysis_family *f;
    const struct analysis_def *def;
    void *params;
    struct kith_error err;
    char field[64];
    bool failed;
};

static enum MHD_Result take_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    struct query_walk *w = cls;
    const char *name = key ? key : "";
    const struct param_spec *s = param_find(w->f, w->def->group, name, false);
    int rc;
    if (!s || s->cli_only)
        rc = kith_err(&w->err, KITH_EINVAL, "unknown parameter '%.60s' (%s takes: see %s)", name,
                      w->def->route, "/api/v1/openapi.json");
    else
        rc = param_set(w->f, s, w->params, value ? value : "", name, &w->err);
    if (rc == 0)
        return MHD_YES;
    snprintf(w->field, sizeof(w->field), "%.60s", name);
    w->failed = true;
    return MHD_NO;
}

bool api_analysis_params(const struct api_request *req, struct api_response *res,
                         const struct analysis_family *f, const struct analysis_def *def,
                         void *params)
{
    struct query_walk w = {.f = f, .def = def, .params = params};
    param_defaults(f, params);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, take_arg, &w);
    const struct param_spec *missing = NULL;
    if (!w.failed && param_check_required(f, def->group, params, false, &missing, &w.err) < 0) {
        snprintf(w.field, sizeof(w.field), "%s", missing->name);
        w.failed = true;
    }
    if (w.failed) {
        api_error(res, 400, "invalid", w.field, "%s", w.err.msg);
        return false;
    }
    return true;
}

void api_analysis_fail(struct api_response *res, const char *param, const struct kith_error *err)
{
    if (param)
        api_error(res, 400, "invalid", param, "%s: %s", param, err->msg);
    else if (err->code == KITH_EINVAL)
        api_error(res, 400, "invalid", NULL, "%s", err->msg);
    else
        api_error_from(res, err);
}
