/*
 * dsrs_ops.c - filing data-subject requests and acting on them, shared by the staff API, the
 * portal and `kith dsr` (api/dsrs.h; docs/portal.md, "Data-subject requests"). Each call is one
 * transaction holding the change and its audit entry; the audit's detail names the kind, the
 * step and counts, never a personal value (the log outlives erasure).
 */
#include "api/dsrs.h"

#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define DSR_CHECKPOINT_WAIT_MS 200

static int audit(struct store *s, const struct dsr_actor *who, const char *action, int64_t id,
                 const char *detail, struct kith_error *err)
{
    struct store_audit_entry e = {.user_id = who->user_id,
                                  .action = action,
                                  .table_name = "dsrs",
                                  .record_id = id,
                                  .client_addr = who->client_addr,
                                  .detail = detail};
    return store_audit_insert(s, &e, NULL, err);
}

static bool is_self_service(enum dsr_kind k)
{
    return k == DSR_ACCESS || k == DSR_PORTABILITY;
}

/* Where the export that answers an access or portability request is, for the person. */
static void export_answer(const struct store_dsr *d, char *out, size_t size)
{
    snprintf(out, size,
             "Everything held about you is in the export of this request: GET "
             "/portal/api/requests/%lld/export in the portal (JSON, or ?format=zip for CSV "
             "files); staff: GET /api/v1/dsrs/%lld/export or kith dsr export %lld.",
             (long long)d->id, (long long)d->id, (long long)d->contact_id);
}

static const char *default_answer(enum dsr_kind k)
{
    switch (k) {
    case DSR_RECTIFICATION:
        return "The data you asked us to correct has been corrected.";
    case DSR_ERASURE:
        return "Your personal data has been erased; what remains are anonymous facts"
               " (interactions, orders) that no longer name you.";
    case DSR_RESTRICTION:
        return "Your data is restricted: it is kept but left out of analytics and outreach until"
               " the restriction is lifted.";
    case DSR_OBJECTION:
        return "Your objection has been upheld: your data is no longer processed for that"
               " purpose.";
    default:
        return "Done.";
    }
}

int dsr_file(struct store *s, const struct dsr_actor *who, int64_t contact_id, enum dsr_kind kind,
             int64_t received_ms, const char *notes, struct store_dsr *out, struct kith_error *err)
{
    int64_t now = store_now_ms();
    char detail[160];
    int rc;
    if ((unsigned)kind >= DSR_NKINDS)
        return kith_err(err, KITH_EINVAL,
                        "kind: expected access, rectification, erasure,"
                        " restriction, objection or portability");
    if (received_ms == 0)
        received_ms = now;
    if ((rc = dsr_received_check(received_ms, now, err)) < 0 ||
        (rc = dsr_notes_check(notes, err)) < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->contact_id = contact_id;
    out->kind = kind;
    out->status = DSR_OPEN;
    out->received_at = received_ms;
    out->handled_by = who->user_id;
    snprintf(out->notes, sizeof(out->notes), "%s", notes ? notes : "");
    snprintf(out->filed_by, sizeof(out->filed_by), "%s", who->customer ? "customer" : "staff");
    if ((rc = dsr_due_at(received_ms, DSR_DUE_MONTHS, &out->due_at, err)) < 0)
        return rc;
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    if (!store_row_exists(s, model_table("contacts"), contact_id)) {
        rc = kith_err(err, KITH_ENOTFOUND, "no contact %lld", (long long)contact_id);
        goto out_rollback;
    }
    if ((rc = store_dsr_insert(s, out, &out->id, err)) < 0)
        goto out_rollback;
    snprintf(detail, sizeof(detail), "%s request for contact %lld, filed by %s",
             dsr_kind_name(kind), (long long)contact_id, out->filed_by);
    if ((rc = audit(s, who, "dsr_file", out->id, detail, err)) < 0)
        goto out_rollback;
    if (is_self_service(kind)) {
        /* fulfilled from the data-subject export, which is made whenever it is fetched */
        out->status = DSR_COMPLETED;
        out->closed_at = now;
        export_answer(out, out->answer, sizeof(out->answer));
        if ((rc = store_dsr_update(s, out, err)) < 0 ||
            (rc = audit(s, who, "dsr_complete", out->id, "fulfilled by the data-subject export",
                        err)) < 0)
            goto out_rollback;
    }
    if ((rc = store_commit(s, err)) < 0)
        goto out_rollback;
    return store_dsr_get(s, out->id, out, err);

out_rollback:
    store_rollback(s);
    return rc;
}

static int apply(struct store *s, const struct dsr_actor *who, struct store_dsr *d,
                 const struct dsr_step_in *in, struct store_erasure *erased, char *detail,
                 size_t dsize, struct kith_error *err)
{
    int64_t now = store_now_ms();
    char when[TIMEFMT_SIZE];
    int rc;
    switch (in->verb) {
    case DSR_EXTEND:
        if ((rc = dsr_extension_check(d->kind, d->status, d->extended_at, d->received_at,
                                      in->months, in->reason, &d->due_at, err)) < 0)
            return rc;
        d->status = DSR_EXTENDED;
        d->extended_at = now;
        snprintf(d->extension_reason, sizeof(d->extension_reason), "%s", in->reason);
        timefmt_format(d->due_at, when);
        snprintf(detail, dsize, "extended by %d month%s, now due %s", in->months,
                 in->months == 1 ? "" : "s", when);
        break;
    case DSR_COMPLETE:
        if ((rc = dsr_transition_check(d->kind, d->status, DSR_COMPLETE, err)) < 0)
            return rc;
        if (in->answer && (rc = dsr_reason_check(in->answer, err)) < 0) {
            char why[KITH_ERROR_MSG_MAX]; /* the reason's message, said of the answer */
            snprintf(why, sizeof(why), "%s", strchr(err->msg, ':') + 1);
            return kith_err(err, KITH_EINVAL, "answer:%s", why);
        }
        d->status = DSR_COMPLETED;
        d->closed_at = now;
        if (is_self_service(d->kind))
            export_answer(d, d->answer, sizeof(d->answer));
        else
            snprintf(d->answer, sizeof(d->answer), "%s",
                     in->answer ? in->answer : default_answer(d->kind));
        snprintf(detail, dsize, "%s request completed", dsr_kind_name(d->kind));
        if (d->kind == DSR_ERASURE) {
            if ((rc = store_contact_erase(s, d->contact_id, erased, err)) < 0)
                return rc;
            snprintf(detail, dsize,
                     "erasure of contact %lld: personal fields emptied in %lld rows of its"
                     " records, %lld devices and %lld portal rows deleted, %lld audit details"
                     " scrubbed",
                     (long long)d->contact_id, (long long)erased->rows, (long long)erased->devices,
                     (long long)erased->portal_rows, (long long)erased->audit_rows);
            d->notes[0] = '\0'; /* erased with the contact's other free text */
        }
        break;
    case DSR_REJECT:
        if ((rc = dsr_transition_check(d->kind, d->status, DSR_REJECT, err)) < 0 ||
            (rc = dsr_reason_check(in->reason, err)) < 0)
            return rc;
        d->status = DSR_REJECTED;
        d->closed_at = now;
        snprintf(d->answer, sizeof(d->answer), "%s", in->reason);
        snprintf(detail, dsize, "%s request rejected", dsr_kind_name(d->kind));
        break;
    case DSR_LIFT:
        if ((rc = dsr_transition_check(d->kind, d->status, DSR_LIFT, err)) < 0)
            return rc;
        if (in->reason && in->reason[0] && (rc = dsr_reason_check(in->reason, err)) < 0)
            return rc;
        d->status = DSR_LIFTED;
        snprintf(d->answer, sizeof(d->answer), "%s",
                 in->reason && in->reason[0]
                     ? in->reason
                     : "The restriction has been lifted: your data is processed again.");
        snprintf(detail, dsize, "restriction lifted");
        break;
    }
    d->handled_by = who->user_id;
    return 0;
}

int dsr_step(struct store *s, const struct dsr_actor *who, int64_t id, const struct dsr_step_in *in,
             struct store_dsr *out, struct store_erasure *erased, struct kith_error *err)
{
    static const char *const actions[] = {"dsr_extend", "dsr_complete", "dsr_reject", "dsr_lift"};
    struct store_erasure local;
    char detail[300];
    if (!erased)
        erased = &local;
    memset(erased, 0, sizeof(*erased));
    int rc = store_begin(s, err);
    if (rc < 0)
        return rc;
    if ((rc = store_dsr_get(s, id, out, err)) < 0 ||
        (rc = apply(s, who, out, in, erased, detail, sizeof(detail), err)) < 0 ||
        (rc = store_dsr_update(s, out, err)) < 0 ||
        (rc = audit(s, who, actions[in->verb], id, detail, err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        return rc;
    }
    if (in->verb == DSR_COMPLETE && out->kind == DSR_ERASURE) {
        /*
         * The WAL still holds the pages as they were before the erasure: copy it into the main
         * file and truncate it, waiting for readers at most DSR_CHECKPOINT_WAIT_MS so that the
         * server's other writers are not held. A reader holding an old snapshot (a snapshot
         * load) can make this stop short; later checkpoints (at the latest when the server
         * stops) finish it.
         */
        struct kith_error ignored = {0};
        store_checkpoint_erasure(s, DSR_CHECKPOINT_WAIT_MS, NULL, &ignored);
    }
    return 0;
}

bool dsr_is_overdue(const struct store_dsr *d, int64_t now_ms)
{
    return dsr_status_is_open(d->status) && d->due_at < now_ms;
}

static json_t *text_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

json_t *dsr_json(const struct store_dsr *d, int64_t now_ms)
{
    return json_pack(
        "{s:I, s:o, s:I, s:s, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
        (json_int_t)d->id, "created_at", auth_time_json(d->created_at), "contact_id",
        (json_int_t)d->contact_id, "kind", dsr_kind_name(d->kind), "status",
        dsr_status_name(d->status), "received_at", auth_time_json(d->received_at), "due_at",
        auth_time_json(d->due_at), "overdue", dsr_is_overdue(d, now_ms), "handled_by",
        d->handled_by ? json_integer(d->handled_by) : json_null(), "closed_at",
        auth_time_json(d->closed_at), "extended_at", auth_time_json(d->extended_at),
        "extension_reason", text_or_null(d->extension_reason), "answer", text_or_null(d->answer),
        "notes", text_or_null(d->notes), "filed_by", text_or_null(d->filed_by));
}
