/*
 * reading.c - the one parser of a device's reading lines and the check of a device's fields
 * (model/reading.h, docs/portal.md "Devices"). jansson parses each line on its own; the
 * limits are checked before and after, so a line costs at most READING_LINE_MAX bytes of work.
 */
#include "model/reading.h"

#include <jansson.h>
#include <string.h>

#include "util/timefmt.h"
#include "util/utf8.h"

#include "util/banned.h"

bool reading_line_is_blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            return false;
    return true;
}

static bool type_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static int check_type(const char *type, size_t len, struct reading *out, struct kith_error *err)
{
    size_t plen = strlen(READING_TYPE_PREFIX);
    if (len > READING_TYPE_MAX)
        return kith_err(err, KITH_EINVAL, "type: longer than %d bytes", READING_TYPE_MAX);
    if (len <= plen || strncmp(type, READING_TYPE_PREFIX, plen) != 0)
        return kith_err(err, KITH_EINVAL,
                        "type: expected a telemetry type such as \"device.usage\" (the code of an "
                        "interaction type starting with \"%s\")",
                        READING_TYPE_PREFIX);
    for (size_t i = 0; i < len; i++)
        if (!type_char_ok(type[i]))
            return kith_err(err, KITH_EINVAL,
                            "type: only letters, digits, '_', '.' and '-' may name a type");
    memcpy(out->type, type, len);
    out->type[len] = '\0';
    return 0;
}

int reading_parse(const char *line, size_t len, int64_t now_ms, struct reading *out,
                  struct kith_error *err)
{
    json_error_t jerr;
    const char *key;
    json_t *v;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > READING_LINE_MAX)
        return kith_err(err, KITH_EINVAL, "the line is longer than %d bytes", READING_LINE_MAX);
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return kith_err(err, KITH_EINVAL, "invalid JSON at column %d: %s", jerr.column, jerr.text);
    if (!json_is_object(o)) {
        rc = kith_err(err, KITH_EINVAL,
                      "expected a JSON object {\"type\": ..., \"at\": ..., \"value\": ...}");
        goto out;
    }
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "type") != 0 && strcmp(key, "at") != 0 && strcmp(key, "value") != 0) {
            char shown[UTF8_EXCERPT_SIZE];
            utf8_excerpt(shown, key, strlen(key));
            rc = kith_err(err, KITH_EINVAL,
                          "unknown member \"%s\": a reading has only type, at and value", shown);
            goto out;
        }
    }
    json_t *type = json_object_get(o, "type"), *at = json_object_get(o, "at");
    if (!json_is_string(type)) {
        rc = kith_err(err, KITH_EINVAL, "type: required, a string such as \"device.usage\"");
        goto out;
    }
    if ((rc = check_type(json_string_value(type), json_string_length(type), out, err)) < 0)
        goto out;
    if (!json_is_string(at)) {
        rc = kith_err(err, KITH_EINVAL, "at: required, a time such as \"2026-05-01T12:00:00Z\"");
        goto out;
    }
    struct kith_error terr = {0};
    if (timefmt_parse(json_string_value(at), json_string_length(at), &out->at, &terr) < 0) {
        rc = kith_err(err, KITH_EINVAL, "at: %s", terr.msg);
        goto out;
    }
    if (out->at > now_ms + READING_FUTURE_MS) {
        rc = kith_err(err, KITH_EINVAL,
                      "at: more than %d minutes ahead of the server's clock; check the device's "
                      "clock",
                      READING_FUTURE_MS / 60000);
        goto out;
    }
    json_t *value = json_object_get(o, "value");
    size_t n = value ? json_dumpb(value, out->value, READING_VALUE_MAX,
                                  JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))
                     : 0;
    if (!value) {
        memcpy(out->value, "null", 5);
        n = 4;
    } else if (n == 0 || n > READING_VALUE_MAX) {
        rc = kith_err(err, KITH_EINVAL, "value: longer than %d bytes as compact JSON",
                      READING_VALUE_MAX);
        goto out;
    }
    out->value[n] = '\0';
    out->value_len = n;
out:
    json_decref(o);
    return rc;
}

static int check_name(const char *name, struct kith_error *err)
{
    size_t len = strlen(name), bad;
    if (len == 0 || len > DEVICE_NAME_MAX)
        return kith_err(err, KITH_EINVAL, "name: 1 to %d bytes", DEVICE_NAME_MAX);
    if (!utf8_is_valid(name, len, &bad))
        return kith_err(err, KITH_EINVAL, "name: not valid UTF-8 at byte %zu", bad);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return kith_err(err, KITH_EINVAL, "name: control characters are not allowed");
    return 0;
}

static int check_kind(const char *kind, struct kith_error *err)
{
    size_t len = strlen(kind);
    if (len == 0 || len > DEVICE_KIND_MAX)
        return kith_err(err, KITH_EINVAL, "kind: 1 to %d bytes", DEVICE_KIND_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = kind[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return kith_err(err, KITH_EINVAL,
                            "kind: lower-case letters, digits, '_' and '-' only (\"thermostat\")");
    }
    return 0;
}

int device_fields_check(const char *name, const char *kind, struct kith_error *err)
{
    int rc;
    if (name && (rc = check_name(name, err)) < 0)
        return rc;
    if (kind && (rc = check_kind(kind, err)) < 0)
        return rc;
    return 0;
}
