/*
 * reading.h - what a customer's device sends (docs/portal.md, "Devices"): one reading per line of
 * an application/x-ndjson batch, {"type": "device.usage", "at": "2026-05-01T12:00:00Z",
 * "value": ...}, and the fields of a device the customer registers. Pure functions: no store, no
 * clock (the caller passes now). Every door that takes readings or devices calls these.
 */
#ifndef KITH_MODEL_READING_H
#define KITH_MODEL_READING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define READING_LINE_MAX  2048 /* bytes of one line, its newline excluded */
#define READING_TYPE_MAX  64   /* bytes of a type code (interaction_types.code) */
#define READING_VALUE_MAX 1024 /* bytes of the value written back as compact JSON */
/* How far ahead of the server's clock a reading may be dated (clocks of devices drift). */
#define READING_FUTURE_MS (10 * 60 * 1000)
/* The prefix of the telemetry types' codes in the catalogue (migration 15). */
#define READING_TYPE_PREFIX "device."

#define DEVICE_NAME_MAX 100
#define DEVICE_KIND_MAX 50

struct reading {
    char type[READING_TYPE_MAX + 1];   /* "device.usage": the code of a telemetry type */
    int64_t at;                        /* Unix ms */
    char value[READING_VALUE_MAX + 1]; /* compact JSON ("null" when the line has none) */
    size_t value_len;
};

/*
 * Parses one line (len bytes at line, no newline; a trailing '\r' is allowed) into *out: a JSON
 * object with exactly the members "type" (a string starting with READING_TYPE_PREFIX, letters,
 * digits, '_', '.', '-', at most READING_TYPE_MAX bytes), "at" (a time util/timefmt.h reads, not
 * after now_ms + READING_FUTURE_MS) and optionally "value" (any JSON, at most READING_VALUE_MAX
 * bytes once written compactly). Returns 0, or KITH_EINVAL with a message naming what is wrong
 * (the member, the limit). Never reads beyond len; any bytes are accepted as input.
 */
int reading_parse(const char *line, size_t len, int64_t now_ms, struct reading *out,
                  struct kith_error *err);

/* True when len bytes at line are only blanks (spaces, tabs, '\r'): a line a batch may hold. */
bool reading_line_is_blank(const char *line, size_t len);

/*
 * Checks a device's fields as the customer gives them: name 1..DEVICE_NAME_MAX bytes of valid
 * UTF-8 without control characters, kind 1..DEVICE_KIND_MAX bytes of [a-z0-9_-]. KITH_EINVAL
 * with err naming the field ("name: ...") otherwise. Either may be NULL (not being changed).
 */
int device_fields_check(const char *name, const char *kind, struct kith_error *err);

#endif
