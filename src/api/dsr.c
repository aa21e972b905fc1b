/*
 * dsr.c - GET /api/v1/contacts/{id}/export: everything held about one contact for a data-subject
 * access or portability request (io/dsr_export.h, docs/dsr-export.md), as JSON or, with
 * ?format=zip, as a zip of CSV files. Whoever may read the contact (GET /api/v1/contacts/{id})
 * may export it; others get 404, as for the contact. Staff do not get the content of survey
 * answers the contact keeps confidential (DSR_FOR_STAFF). Every export is audited.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit.h"
#include "api/handlers.h"
#include "io/dsr_export.h"

#include "util/banned.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void api_contacts_export(struct api_request *req, struct api_response *res)
{
    const struct table_def *t = model_table("contacts");
    const char *format = api_query(req, "format");
    struct store_scope scope;
    struct kith_error err = {0};
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return;
    bool zip = format && strcmp(format, "zip") == 0;
    if (format && !zip && strcmp(format, "json") != 0) {
        api_error(res, 400, "bad_request", "format", "format must be json or zip");
        return;
    }
    /* the contact's own GET decides: out of scope is missing */
    if (api_scope(req->who, t, false, &scope) < 0 ||
        store_get(req->store, t, id, &scope, NULL, NULL, &err) < 0) {
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)id);
        return;
    }
    int rc;
    if (zip) {
        unsigned char *data = NULL;
        size_t len = 0;
        rc = dsr_export_zip(req->store, id, now_ms(), DSR_FOR_STAFF, &data, &len, &err);
        if (rc == 0) {
            res->status = 200;
            res->text = (char *)data;
            res->text_len = len;
            res->content_type = "application/zip";
            snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]),
                     "Content-Disposition");
            snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]),
                     "attachment; filename=\"contact-%lld-export.zip\"", (long long)id);
        }
    } else {
        json_t *doc = NULL;
        rc = dsr_export_json(req->store, id, now_ms(), DSR_FOR_STAFF, &doc, &err);
        if (rc == 0)
            api_json(res, 200, doc);
    }
    if (rc < 0) {
        api_error_from(res, &err);
        return;
    }
    /* what was exported, never the contact's data: the log outlives erasure */
    api_audit(req, "export", "contacts", id,
              zip ? "data-subject export (zip)" : "data-subject export (json)");
}
