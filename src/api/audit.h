/*
 * audit.h - the audit log from the API's side: who did what to which record, when, from where.
 *
 * Every handler that writes calls api_audit() once per record it creates, changes, deletes or
 * voids, inside the write's transaction (before store_commit), so that the change and its audit
 * row commit together or not at all. Sign-ins, sign-outs and token changes are audited by
 * session.c and tokens.c. GET /api/v1/audit (admins) reads the log.
 */
#ifndef KITH_API_AUDIT_H
#define KITH_API_AUDIT_H

#include <stdint.h>

#include "api/api.h"

/* Longest detail kept; longer text is cut at a character boundary. */
#define API_AUDIT_DETAIL_MAX 2000

/*
 * Appends one entry for req's signed-in user (req->who; none on routes without sign-in) and
 * client address. action is a short verb ("create", "update", "delete", "void", "sign_in" ...);
 * table the model table's name ("contacts") or NULL; record_id the row's id or 0; detail a
 * short description or NULL. detail must never hold a secret (password, token, cookie) nor
 * the record's personal data: the log outlives erasure. The strings are copied. A failure is
 * reported on stderr and does not fail the request: the write it records has been made.
 */
void api_audit(const struct api_request *req, const char *action, const char *table,
               int64_t record_id, const char *detail);

/* The same for a request whose user is not req->who (sign-in: the account it names; 0 none). */
void api_audit_as(const struct api_request *req, int64_t user_id, const char *action,
                  const char *table, int64_t record_id, const char *detail);

#endif
