/*
 * streams.c - POST /api/v1/streams: a customer's device posts a batch of readings, one JSON
 * object a line (application/x-ndjson), with its device token (docs/portal.md, "Devices"). Each
 * valid line becomes an interaction of the device's contact (source "device", a telemetry type of
 * the catalogue); lines that are not valid are reported by number and the others kept. A batch
 * is one transaction, answered once the server has made it durable (server.c, store_sync()).
 */
#include "api/devices.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/auth.h"
#include "api/rvstate.h"
#include "model/reading.h"

#include "util/banned.h"

#define TYPES_CACHED 16 /* distinct types of one batch looked up once each */

static bool is_ndjson(const char *ctype)
{
    static const char want[] = "application/x-ndjson";
    size_t n = sizeof(want) - 1;
    return ctype && strncasecmp(ctype, want, n) == 0 && (ctype[n] == '\0' || ctype[n] == ';');
}

/* The lines of one batch: the valid readings and the errors of the others. */
struct batch {
    struct store_reading_in *rows;
    char *values; /* the rows' values, one after the other (READING_VALUE_MAX bytes each at most) */
    size_t values_len;
    size_t nrows;
    struct store_telemetry_type types[TYPES_CACHED];
    char type_codes[TYPES_CACHED][READING_TYPE_MAX + 1];
    size_t ntypes;
    json_t *errors; /* [{"line", "message"}], the first STREAMS_ERRORS_SHOWN */
    size_t rejected;
};

static int reject(struct batch *b, size_t line, const char *msg)
{
    b->rejected++;
    if (json_array_size(b->errors) >= STREAMS_ERRORS_SHOWN)
        return 0;
    return json_array_append_new(b->errors,
                                 json_pack("{s:I, s:s}", "line", (json_int_t)line, "message", msg));
}

/*
 * The telemetry type named code, from the batch's cache or else the catalogue. NULL when there
 * is none (*why then NULL), when the batch names more than TYPES_CACHED (*why says so) or when
 * the store failed (err->code set).
 */
static const struct store_telemetry_type *type_of(struct store *s, struct batch *b,
                                                  const char *code, const char **why,
                                                  struct kith_error *err)
{
    for (size_t i = 0; i < b->ntypes; i++)
        if (strcmp(b->type_codes[i], code) == 0)
            return b->types[i].id ? &b->types[i] : NULL;
    if (b->ntypes == TYPES_CACHED) {
        *why = "type: a batch may name at most 16 different types";
        return NULL;
    }
    struct store_telemetry_type *t = &b->types[b->ntypes];
    int rc = store_telemetry_type(s, code, t, err);
    if (rc < 0 && rc != KITH_ENOTFOUND)
        return NULL;
    *err = (struct kith_error){0};
    snprintf(b->type_codes[b->ntypes++], sizeof(b->type_codes[0]), "%.*s", READING_TYPE_MAX, code);
    return rc == 0 ? t : NULL; /* id 0 stays cached as "missing" */
}

/*
 * Parses the body into b: every non-blank line is a reading or an error. Returns 0, or a
 * negative code with the answer in res (413, 422, 500).
 */
static int parse_batch(struct api_request *req, const char *body, size_t len, struct batch *b,
                       struct api_response *res)
{
    struct kith_error err = {0};
    int64_t now = store_now_ms();
    size_t lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = body + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        lineno++;
        if (reading_line_is_blank(line, n))
            continue;
        struct reading one, *r = &one;
        if (reading_parse(line, n, now, r, &err) < 0) {
            if (reject(b, lineno, err.msg) < 0)
                goto out_nomem;
            continue;
        }
        const char *why = NULL;
        err = (struct kith_error){0}; /* a refused line before this one left its message */
        const struct store_telemetry_type *t = type_of(req->store, b, r->type, &why, &err);
        if (err.code < 0) {
            auth_internal_error(res, &err);
            return err.code;
        }
        if (!t) {
            char msg[160];
            if (!why)
                snprintf(msg, sizeof(msg), "type: the catalogue has no interaction type '%.*s'",
                         READING_TYPE_MAX, r->type);
            if (reject(b, lineno, why ? why : msg) < 0)
                goto out_nomem;
            continue;
        }
        char *value = b->values + b->values_len;
        memcpy(value, r->value, r->value_len);
        b->values_len += r->value_len;
        b->rows[b->nrows++] = (struct store_reading_in){
            .type = t, .at = r->at, .value = value, .value_len = r->value_len};
    }
    return 0;
out_nomem:
    api_error(res, 500, "internal", NULL, "out of memory");
    return KITH_ENOMEM;
}

/* The number of non-blank lines of the body, counting on past max only to say it is past. */
static size_t count_lines(const char *body, size_t len, size_t max)
{
    size_t n = 0;
    for (size_t pos = 0; pos < len && n <= max;) {
        const char *line = body + pos, *nl = memchr(line, '\n', len - pos);
        size_t k = nl ? (size_t)(nl - line) : len - pos;
        pos += k + (nl != NULL);
        n += !reading_line_is_blank(line, k);
    }
    return n;
}

static json_t *outcome(size_t accepted, const struct batch *b)
{
    return json_pack("{s:I, s:I, s:O}", "accepted", (json_int_t)accepted, "rejected",
                     (json_int_t)b->rejected, "errors", b->errors);
}

/* Stores b's rows for the requesting device, all or nothing; the answer in res on failure. */
static int store_batch(struct api_request *req, struct batch *b, int64_t *ids,
                       struct api_response *res)
{
    struct kith_error err = {0};
    struct store_device d;
    int rc = store_begin(req->store, &err);
    if (rc == 0)
        rc = store_device_get(req->store, req->who->device_id, req->who->contact_id, &d, &err);
    if (rc == KITH_ENOTFOUND) { /* deleted since its token was looked up */
        store_rollback(req->store);
        api_error(res, 401, "unauthenticated", NULL,
                  "the device token is not valid (unknown, or its device was deleted)");
        return rc;
    }
    if (rc == 0 && d.paused_at) {
        store_rollback(req->store);
        api_error(res, 403, "device_paused", NULL,
                  "this device is paused by its owner: readings are refused until it is resumed "
                  "in the portal");
        return KITH_EINVAL;
    }
    if (rc == 0)
        rc =
            store_device_readings_add(req->store, &d, b->rows, b->nrows, store_now_ms(), ids, &err);
    if (rc == 0)
        rc = store_commit(req->store, &err);
    if (rc < 0) {
        store_rollback(req->store);
        auth_internal_error(res, &err);
    }
    return rc;
}

void api_streams_post(struct api_request *req, struct api_response *res)
{
    struct batch b = {0};
    int64_t *ids = NULL;
    struct store_interaction_row *added = NULL;
    unsigned retry = 0;
    if (!is_ndjson(api_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        api_error(res, 415, "unsupported_media_type", NULL,
                  "a batch of readings is application/x-ndjson: one JSON object a line");
        return;
    }
    if (req->body_len > STREAMS_BODY_MAX) {
        api_error(res, 413, "too_large", NULL, "a batch is at most %d bytes; send smaller ones",
                  STREAMS_BODY_MAX);
        return;
    }
    size_t nlines =
        req->raw_body ? count_lines(req->raw_body, req->body_len, STREAMS_LINES_MAX) : 0;
    if (nlines > STREAMS_LINES_MAX) {
        api_error(res, 413, "too_large", NULL, "a batch is at most %d readings; send smaller ones",
                  STREAMS_LINES_MAX);
        return;
    }
    if (nlines == 0) {
        api_error(res, 422, "invalid", NULL, "the batch holds no reading (one JSON object a line)");
        return;
    }
    if (!device_rate_take(req->who->device_id, (unsigned)nlines, store_now_ms(), &retry)) {
        snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]), "Retry-After");
        snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]), "%u", retry);
        api_error(res, 429, "rate_limited", NULL,
                  "this device sends readings faster than it may; retry in %u s (or send fewer)",
                  retry);
        return;
    }
    b.rows = calloc(nlines, sizeof(*b.rows));
    b.values = malloc(nlines * READING_VALUE_MAX); /* touched only as far as it is used */
    ids = calloc(nlines, sizeof(*ids));
    b.errors = json_array();
    if (!b.rows || !b.values || !ids || !b.errors) {
        api_error(res, 500, "internal", NULL, "out of memory");
        goto out;
    }
    if (parse_batch(req, req->raw_body, req->body_len, &b, res) < 0)
        goto out;
    if (b.nrows == 0) {
        json_t *body = outcome(0, &b);
        json_object_set_new(body, "error",
                            json_pack("{s:s, s:s, s:n}", "code", "invalid", "message",
                                      "no line of the batch is a valid reading", "field"));
        api_json(res, 422, body);
        goto out;
    }
    if (store_batch(req, &b, ids, res) < 0)
        goto out;
    added = calloc(b.nrows, sizeof(*added));
    for (size_t i = 0; added && i < b.nrows; i++)
        added[i] = (struct store_interaction_row){.id = ids[i],
                                                  .contact_id = req->who->contact_id,
                                                  .type_id = b.rows[i].type->id,
                                                  .occurred_at = b.rows[i].at,
                                                  .rv = b.rows[i].type->rv,
                                                  .cost = b.rows[i].type->cost,
                                                  .has_rv = true,
                                                  .has_cost = true};
    if (added) {
        rvstate_interactions_added(req->store, added, b.nrows);
    } else {
        rvstate_changed("out of memory for the RV update of a device's readings");
    }
    api_json(res, 200, outcome(b.nrows, &b));
out:
    json_decref(b.errors);
    free(b.rows);
    free(b.values);
    free(ids);
    free(added);
}
