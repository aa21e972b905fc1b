/*
 * progress.h - a one-line progress bar for long jobs (imports), drawn on a terminal only.
 *
 * The bar shows rows, rows per second and, when the total size is known, the share of bytes
 * done and an estimate of the time left. It redraws at most PROGRESS_HZ times a second, so
 * calling progress_update() often costs one clock read per PROGRESS_CHECK_EVERY calls.
 */
#ifndef KITH_UTIL_PROGRESS_H
#define KITH_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_HZ          10
#define PROGRESS_CHECK_EVERY 256
#define PROGRESS_LINE_SIZE   160

struct progress {
    FILE *out;            /* not owned */
    bool enabled;         /* draw at all */
    bool drawn;           /* something is on the line */
    const char *label;    /* not owned; must outlive the progress */
    const char *unit;     /* what the count counts ("MiB"); NULL for "rows"; not owned */
    unsigned check_every; /* read the clock every this many updates; 0 for PROGRESS_CHECK_EVERY */
    uint64_t total_bytes; /* 0 when unknown */
    int64_t start_ns;
    int64_t last_ns;
    unsigned calls;
};

/*
 * Prepares p to draw on out, but only if out is a terminal (unit and check_every at their
 * defaults: set them after this call for counts that are not rows or come rarely). total_bytes is
 * the size of the input (0 when unknown: then no percentage and no estimate). Nothing to release.
 */
void progress_init(struct progress *p, FILE *out, const char *label, uint64_t total_bytes);

/* Draws even when out is not a terminal (tests). */
void progress_force(struct progress *p);

/* Records that rows rows and bytes bytes are done; redraws when due. */
void progress_update(struct progress *p, uint64_t rows, uint64_t bytes);

/* Draws the final state and ends the line; nothing when disabled or never drawn. */
void progress_finish(struct progress *p, uint64_t rows, uint64_t bytes);

/*
 * Formats one state of the bar into out (PROGRESS_LINE_SIZE bytes, caller-owned), without the
 * leading carriage return: "contacts [#####.....]  52%  120000 rows  301000 rows/s  ETA 0:03".
 */
void progress_format(char *out, const char *label, uint64_t rows, uint64_t bytes,
                     uint64_t total_bytes, double elapsed_s);

/* The same with another unit than "rows": "backup [###.......]  15%  120 MiB  300 MiB/s". */
void progress_format_unit(char *out, const char *label, const char *unit, uint64_t count,
                          uint64_t bytes, uint64_t total_bytes, double elapsed_s);

#endif
