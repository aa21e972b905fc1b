/*
 * dsrs.h - data-subject requests, the steps every door takes (docs/portal.md, "Data-subject
 * requests"): filing one and acting on it (extend, complete, reject, lift), each in its own
 * transaction with its audit entry, by the API's staff routes (api/dsrs.c), the portal's
 * (api/portal_requests.c) and `kith dsr` (cmd/dsr.c). The rules are model/dsr.h's; who may act
 * on which contact is the door's question, asked before calling these.
 */
#ifndef KITH_API_DSRS_H
#define KITH_API_DSRS_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "io/dsr_export.h"
#include "store/store.h"

/* Who acts: a staff user (user_id), the contact itself (customer), or the command line (both 0). */
struct dsr_actor {
    int64_t user_id;
    bool customer;
    const char *client_addr; /* for the audit log; NULL: none ("cli" for the command line) */
};

/*
 * Files a request of kind for contact_id received at received_ms (0: now; never in the future),
 * with notes (NULL or "": none; at most DSR_NOTES_MAX bytes of UTF-8): due DSR_DUE_MONTHS after
 * receipt (dsr_due_at()). Access and portability are fulfilled at once from the data-subject
 * export (io/dsr_export.h): the request is completed on filing and its answer names where the
 * export is. Audited as dsr_file (and dsr_complete). *out gets the request as stored.
 * KITH_ENOTFOUND when the contact does not exist, KITH_EINVAL for a bad value (the message
 * names the field).
 */
int dsr_file(struct store *s, const struct dsr_actor *who, int64_t contact_id, enum dsr_kind kind,
             int64_t received_ms, const char *notes, struct store_dsr *out, struct kith_error *err);

/* A step on a request: the verb and what it needs. Strings are the caller's. */
struct dsr_step_in {
    enum dsr_verb verb;
    int months;         /* extend: 1..DSR_EXTENSION_MONTHS */
    const char *reason; /* extend, reject: required; lift: optional */
    const char *answer; /* complete: what is told to the person (NULL: the kind's default) */
};

/*
 * Takes step in on request id (model/dsr.h's machine; KITH_EINVAL saying why not), records who
 * handled it and audits it (dsr_extend, dsr_complete, dsr_reject, dsr_lift), all or nothing.
 * Completing an erasure erases the contact (store_contact_erase()) in the same transaction and
 * afterwards checkpoints the WAL; *erased (when non-NULL) gets what it removed. *out gets the
 * request as it is left. KITH_ENOTFOUND when there is no such request.
 */
int dsr_step(struct store *s, const struct dsr_actor *who, int64_t id, const struct dsr_step_in *in,
             struct store_dsr *out, struct store_erasure *erased, struct kith_error *err);

/* True when the request is still to be answered and its due date has passed at now_ms. */
bool dsr_is_overdue(const struct store_dsr *d, int64_t now_ms);

/* The request as JSON (the API's and the portal's shape; docs/api.md), or NULL without memory. */
json_t *dsr_json(const struct store_dsr *d, int64_t now_ms);

/*
 * Answers req with the export that fulfils request d (completed access or portability; 409
 * otherwise) for audience, as JSON or with ?format=zip a zip, and audits it. The caller has
 * checked that the asker may see d.
 */
void dsr_answer_export(struct api_request *req, struct api_response *res, const struct store_dsr *d,
                       enum dsr_export_audience audience);

#endif
