/*
 * dsr.h - the rules of data-subject requests (GDPR Art. 12(3), 15-21), in one place for every
 * door (the API's /api/v1/dsrs and /portal/api/requests, `kith dsr`): the kinds, the clock (due
 * one calendar month after receipt, extendable once by one or two months with a reason) and the
 * status machine. docs/portal.md, "Data-subject requests", explains them for people.
 *
 *   open --extend--> extended
 *   open | extended --complete--> completed      (access and portability: at once, on filing)
 *   open | extended --reject----> rejected       (with a reason)
 *   completed --lift--> lifted                   (restriction only: the restriction ends)
 *
 * A restriction is in force from receipt until it is rejected or lifted (open, extended or
 * completed): the contact is then out of analytics and outreach (dsr_restricts()).
 */
#ifndef KITH_MODEL_DSR_H
#define KITH_MODEL_DSR_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

enum dsr_kind {
    DSR_ACCESS,
    DSR_RECTIFICATION,
    DSR_ERASURE,
    DSR_RESTRICTION,
    DSR_OBJECTION,
    DSR_PORTABILITY,
    DSR_NKINDS
};

enum dsr_status { DSR_OPEN, DSR_EXTENDED, DSR_COMPLETED, DSR_REJECTED, DSR_LIFTED, DSR_NSTATUSES };

enum dsr_verb { DSR_EXTEND, DSR_COMPLETE, DSR_REJECT, DSR_LIFT };

#define DSR_DUE_MONTHS       1    /* Art. 12(3): within one month of receipt */
#define DSR_EXTENSION_MONTHS 2    /* at most, once */
#define DSR_REASON_MAX       2000 /* bytes of an extension's or a rejection's reason */
#define DSR_NOTES_MAX        4000

/* The static spellings of model/tables.c ("access", "open" ...); the parsers return -1 (unknown)
 * or the value. */
const char *dsr_kind_name(enum dsr_kind k);
const char *dsr_status_name(enum dsr_status s);
int dsr_kind_parse(const char *name);
int dsr_status_parse(const char *name);

/* True while the status leaves work to do (open, extended): the queue's and the clock's. */
bool dsr_status_is_open(enum dsr_status s);

/* True when a request of kind in status keeps its contact out of analytics and outreach. */
bool dsr_restricts(enum dsr_kind k, enum dsr_status s);

/*
 * The end of the period of `months` calendar months from received_ms (Unix ms, UTC), into *due:
 * the last millisecond (23:59:59.999 UTC) of the day of the same date `months` months later, or,
 * when that month has no such date (31 January + 1 month), of that month's last day (28 or 29
 * February). This is how EU law counts periods in months (Regulation 1182/71, Art. 3(2)(c)).
 * KITH_EINVAL for months outside 1..12 or a time outside years 1970..9999.
 */
int dsr_due_at(int64_t received_ms, int months, int64_t *due, struct kith_error *err);

/*
 * Whether verb may be applied to a request of kind in status: 0, or KITH_EINVAL with a message
 * saying why not and what may be done instead (a second extension, completing a closed request,
 * lifting anything but a completed restriction).
 */
int dsr_transition_check(enum dsr_kind k, enum dsr_status s, enum dsr_verb verb,
                         struct kith_error *err);

/*
 * An extension of a request received at received_ms, now in status s (never extended before:
 * extended_at 0), by `months` with reason (NUL-terminated): the new due date into *due.
 * KITH_EINVAL naming the rule broken: a second extension, months outside 1..2, an empty reason
 * or one longer than DSR_REASON_MAX bytes, a closed request.
 */
int dsr_extension_check(enum dsr_kind k, enum dsr_status s, int64_t extended_at,
                        int64_t received_ms, int months, const char *reason, int64_t *due,
                        struct kith_error *err);

/* Notes of a request (NULL or "" none): at most DSR_NOTES_MAX bytes of UTF-8. */
int dsr_notes_check(const char *notes, struct kith_error *err);

/*
 * A request received at received_ms (Unix ms) when it is now_ms: not in the future. KITH_EINVAL
 * "received_at: ..." otherwise.
 */
int dsr_received_check(int64_t received_ms, int64_t now_ms, struct kith_error *err);

/* A reason (extension, rejection): not empty nor blank, at most DSR_REASON_MAX bytes of UTF-8. */
int dsr_reason_check(const char *reason, struct kith_error *err);

#endif
