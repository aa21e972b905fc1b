/*
 * dsr.c - the rules of data-subject requests: the clock in calendar months, extensions and the
 * status machine (model/dsr.h; docs/portal.md, "Data-subject requests").
 */
#include "model/dsr.h"

#include <string.h>
#include <time.h>

#include "util/timefmt.h"
#include "util/utf8.h"

#include "util/banned.h"

/* The spellings of model/tables.c's dsr_kinds and dsr_states, in enum order. */
static const char *const kind_names[DSR_NKINDS] = {"access",      "rectification", "erasure",
                                                   "restriction", "objection",     "portability"};
static const char *const status_names[DSR_NSTATUSES] = {"open", "extended", "completed", "rejected",
                                                        "lifted"};
static const char *const verb_names[] = {"extend", "complete", "reject", "lift"};

#define DAY_MS 86400000LL

const char *dsr_kind_name(enum dsr_kind k)
{
    return (unsigned)k < DSR_NKINDS ? kind_names[k] : "?";
}

const char *dsr_status_name(enum dsr_status s)
{
    return (unsigned)s < DSR_NSTATUSES ? status_names[s] : "?";
}

int dsr_kind_parse(const char *name)
{
    for (int i = 0; name && i < DSR_NKINDS; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return i;
    return -1;
}

int dsr_status_parse(const char *name)
{
    for (int i = 0; name && i < DSR_NSTATUSES; i++)
        if (strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}

bool dsr_status_is_open(enum dsr_status s)
{
    return s == DSR_OPEN || s == DSR_EXTENDED;
}

bool dsr_restricts(enum dsr_kind k, enum dsr_status s)
{
    return k == DSR_RESTRICTION && (dsr_status_is_open(s) || s == DSR_COMPLETED);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int dsr_due_at(int64_t received_ms, int months, int64_t *due, struct kith_error *err)
{
    if (months < 1 || months > 12)
        return kith_err(err, KITH_EINVAL, "a period of %d months: expected 1 to 12", months);
    if (received_ms < 0 || received_ms > TIMEFMT_MAX_MS - 366 * DAY_MS)
        return kith_err(err, KITH_EINVAL, "a receipt time outside the years 1970 to 9998");
    time_t secs = (time_t)(received_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return kith_err(err, KITH_EINVAL, "a receipt time that cannot be read as a date");
    int64_t y = tm.tm_year + 1900;
    int m = tm.tm_mon + 1 + months;
    while (m > 12) {
        m -= 12;
        y++;
    }
    int d = tm.tm_mday;
    if (d > month_days(y, m))
        d = month_days(y, m); /* no such date: the month's last day */
    *due = (timefmt_days_from_civil(y, m, d) + 1) * DAY_MS - 1;
    return 0;
}

int dsr_transition_check(enum dsr_kind k, enum dsr_status s, enum dsr_verb verb,
                         struct kith_error *err)
{
    const char *vn = verb_names[verb];
    switch (verb) {
    case DSR_EXTEND:
        if (s == DSR_EXTENDED)
            return kith_err(err, KITH_EINVAL,
                            "status: the request was extended already; a request may be extended"
                            " once (by up to %d months)",
                            DSR_EXTENSION_MONTHS);
        /* fall through */
    case DSR_COMPLETE:
    case DSR_REJECT:
        if (!dsr_status_is_open(s))
            return kith_err(err, KITH_EINVAL,
                            "status: the request is %s; only an open or extended request may be"
                            " %s",
                            status_names[s],
                            verb == DSR_EXTEND     ? "extended"
                            : verb == DSR_COMPLETE ? "completed"
                                                   : "rejected");
        return 0;
    case DSR_LIFT:
        if (k != DSR_RESTRICTION)
            return kith_err(err, KITH_EINVAL,
                            "kind: only a restriction is lifted; this request is of kind %s",
                            kind_names[k]);
        if (s != DSR_COMPLETED)
            return kith_err(err, KITH_EINVAL,
                            "status: the restriction is %s; only a completed restriction is "
                            "lifted (an open one is completed or rejected first)",
                            status_names[s]);
        return 0;
    }
    return kith_err(err, KITH_EINVAL, "no such step '%s'", vn);
}

int dsr_reason_check(const char *reason, struct kith_error *err)
{
    size_t n = reason ? strlen(reason) : 0;
    size_t blank = strspn(reason ? reason : "", " \t\r\n");
    if (n == 0 || blank == n)
        return kith_err(err, KITH_EINVAL, "reason: missing; say why, for the person and the log");
    if (n > DSR_REASON_MAX)
        return kith_err(err, KITH_EINVAL, "reason: %zu bytes; at most %d", n, DSR_REASON_MAX);
    if (!utf8_is_valid(reason, n, NULL))
        return kith_err(err, KITH_EINVAL, "reason: not valid UTF-8");
    return 0;
}

int dsr_notes_check(const char *notes, struct kith_error *err)
{
    size_t n = notes ? strlen(notes) : 0;
    if (n > DSR_NOTES_MAX)
        return kith_err(err, KITH_EINVAL, "notes: %zu bytes; at most %d", n, DSR_NOTES_MAX);
    if (n && !utf8_is_valid(notes, n, NULL))
        return kith_err(err, KITH_EINVAL, "notes: not valid UTF-8");
    return 0;
}

int dsr_received_check(int64_t received_ms, int64_t now_ms, struct kith_error *err)
{
    if (received_ms > now_ms)
        return kith_err(err, KITH_EINVAL,
                        "received_at: in the future; a request is logged once"
                        " it has been received");
    return 0;
}

int dsr_extension_check(enum dsr_kind k, enum dsr_status s, int64_t extended_at,
                        int64_t received_ms, int months, const char *reason, int64_t *due,
                        struct kith_error *err)
{
    int rc;
    if (extended_at)
        s = DSR_EXTENDED; /* an extended request stays extended whatever its status says */
    if ((rc = dsr_transition_check(k, s, DSR_EXTEND, err)) < 0)
        return rc;
    if (months < 1 || months > DSR_EXTENSION_MONTHS)
        return kith_err(err, KITH_EINVAL,
                        "months: %d; a request is extended by 1 or %d months, no more", months,
                        DSR_EXTENSION_MONTHS);
    if ((rc = dsr_reason_check(reason, err)) < 0)
        return rc;
    return dsr_due_at(received_ms, DSR_DUE_MONTHS + months, due, err);
}
