/*
 * reading_test.c - tests of src/model/reading.c: a device's reading line (the members, the type,
 * the time, the value written back compactly, each limit at and past its edge) and the fields of
 * a device. Each refusal's message names what is wrong, as the batch's answer shows it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/reading.h"

/* 2026-05-01T12:00:00Z */
#define NOW 1777636800000LL

static void parses(const char *line, const char *type, int64_t at, const char *value)
{
    struct reading r;
    struct kith_error err = {0};
    if (reading_parse(line, strlen(line), NOW, &r, &err) != 0)
        fail_msg("refused %s: %s", line, err.msg);
    assert_string_equal(r.type, type);
    assert_int_equal(r.at, at);
    assert_string_equal(r.value, value);
    assert_int_equal(r.value_len, strlen(value));
}

static void refused(const char *line, size_t len, const char *want_in_message)
{
    struct reading r;
    struct kith_error err = {0};
    assert_int_equal(reading_parse(line, len, NOW, &r, &err), KITH_EINVAL);
    assert_int_equal(err.code, KITH_EINVAL);
    if (!strstr(err.msg, want_in_message))
        fail_msg("message for %.*s: '%s' lacks '%s'", (int)len, line, err.msg, want_in_message);
}

static void refused_s(const char *line, const char *want)
{
    refused(line, strlen(line), want);
}

static void test_good_lines(void **state)
{
    (void)state;
    parses("{\"type\":\"device.usage\",\"at\":\"2026-05-01T10:00:00Z\",\"value\":3.5}",
           "device.usage", NOW - 7200000, "3.5");
    /* members in any order, spaces, a CR before the newline, an object value made compact */
    parses("{ \"value\" : {\"a\": [1, 2], \"b\": \"x\"}, \"at\": \"2026-05-01\", "
           "\"type\": \"device.alert\" }\r",
           "device.alert", NOW - 12 * 3600000LL, "{\"a\":[1,2],\"b\":\"x\"}");
    /* no value: null; a time in Unix seconds; a future within the allowed drift */
    parses("{\"type\":\"device.error\",\"at\":\"1777636800\"}", "device.error", NOW, "null");
    parses("{\"type\":\"device.x-1_y\",\"at\":\"2026-05-01T12:09:59Z\",\"value\":null}",
           "device.x-1_y", NOW + 599000, "null");
    parses("{\"type\":\"device.usage\",\"at\":\"2026-05-01T12:00:00Z\",\"value\":\"\\u00e9\"}",
           "device.usage", NOW, "\"\xc3\xa9\"");
}

static void test_bad_lines_say_why(void **state)
{
    (void)state;
    refused_s("", "invalid JSON");
    refused_s("{\"type\":\"device.usage\",\"at\":", "invalid JSON");
    refused_s("[1,2]", "expected a JSON object");
    refused_s("\"device.usage\"", "invalid JSON"); /* not even an array or object */
    refused_s("{\"at\":\"2026-05-01\"}", "type: required");
    refused_s("{\"type\":7,\"at\":\"2026-05-01\"}", "type: required");
    refused_s("{\"type\":\"usage\",\"at\":\"2026-05-01\"}", "type: expected a telemetry type");
    refused_s("{\"type\":\"device.\",\"at\":\"2026-05-01\"}", "type: expected a telemetry type");
    refused_s("{\"type\":\"device.a b\",\"at\":\"2026-05-01\"}", "type: only letters");
    refused_s("{\"type\":\"device.usage\"}", "at: required");
    refused_s("{\"type\":\"device.usage\",\"at\":12}", "at: required");
    refused_s("{\"type\":\"device.usage\",\"at\":\"soon\"}", "at: ");
    refused_s("{\"type\":\"device.usage\",\"at\":\"2026-05-01T12:10:01Z\"}", "ahead of the server");
    refused_s("{\"type\":\"device.usage\",\"at\":\"2026-05-01\",\"valeu\":1}",
              "unknown member \"valeu\"");
    refused_s("{\"type\":\"device.usage\",\"type\":\"device.usage\",\"at\":\"2026-05-01\"}",
              "invalid JSON");
    /* a NUL inside the line is not JSON, and nothing after len is read */
    static const char with_nul[] = "{\"type\":\"device.usage\"\0,\"at\":\"2026-05-01\"}";
    refused(with_nul, sizeof(with_nul) - 1, "invalid JSON");
    const char *good = "{\"type\":\"device.usage\",\"at\":\"2026-05-01\"}";
    refused(good, strlen(good) - 1, "invalid JSON");
}

/* A line whose value is a string of n bytes; the caller frees it. */
static char *with_value(size_t n, size_t *len)
{
    const char *head = "{\"type\":\"device.usage\",\"at\":\"2026-05-01\",\"value\":\"";
    char *line = malloc(strlen(head) + n + 3);
    assert_non_null(line);
    size_t h = strlen(head);
    memcpy(line, head, h);
    memset(line + h, 'v', n);
    memcpy(line + h + n, "\"}", 3);
    *len = h + n + 2;
    return line;
}

static void test_limits_at_their_edges(void **state)
{
    (void)state;
    struct reading r;
    struct kith_error err = {0};
    size_t len;
    /* the value as compact JSON: at most READING_VALUE_MAX bytes, its quotes included */
    char *line = with_value(READING_VALUE_MAX - 2, &len);
    assert_int_equal(reading_parse(line, len, NOW, &r, &err), 0);
    assert_int_equal(r.value_len, READING_VALUE_MAX);
    free(line);
    line = with_value(READING_VALUE_MAX - 1, &len);
    refused(line, len, "value: longer than 1024 bytes");
    free(line);
    /* the line itself */
    line = with_value(READING_LINE_MAX, &len);
    refused(line, len, "longer than 2048 bytes");
    free(line);
    /* the type: 64 bytes, not 65 */
    char type_line[256], type[80];
    memset(type, 'a', sizeof(type));
    memcpy(type, "device.", 7);
    snprintf(type_line, sizeof(type_line), "{\"type\":\"%.*s\",\"at\":\"2026-05-01\"}",
             READING_TYPE_MAX, type);
    assert_int_equal(reading_parse(type_line, strlen(type_line), NOW, &r, &err), 0);
    assert_int_equal(strlen(r.type), READING_TYPE_MAX);
    snprintf(type_line, sizeof(type_line), "{\"type\":\"%.*s\",\"at\":\"2026-05-01\"}",
             READING_TYPE_MAX + 1, type);
    refused_s(type_line, "type: longer than 64 bytes");
}

static void test_blank_lines(void **state)
{
    (void)state;
    assert_true(reading_line_is_blank("", 0));
    assert_true(reading_line_is_blank(" \t\r", 3));
    assert_false(reading_line_is_blank(" {}", 3));
    assert_true(reading_line_is_blank("  x", 2)); /* only len bytes count */
}

static void device_refused(const char *name, const char *kind, const char *want)
{
    struct kith_error err = {0};
    assert_int_equal(device_fields_check(name, kind, &err), KITH_EINVAL);
    if (strncmp(err.msg, want, strlen(want)) != 0)
        fail_msg("'%s' does not start with '%s'", err.msg, want);
}

static void test_device_fields(void **state)
{
    (void)state;
    struct kith_error err = {0};
    char name[DEVICE_NAME_MAX + 2];
    memset(name, 'n', sizeof(name));
    name[DEVICE_NAME_MAX] = '\0';
    assert_int_equal(device_fields_check(name, "heat-pump_2", &err), 0);
    assert_int_equal(device_fields_check("Chaudi\xc3\xa8re", NULL, &err), 0);
    assert_int_equal(device_fields_check(NULL, NULL, &err), 0);
    name[DEVICE_NAME_MAX] = 'n';
    name[DEVICE_NAME_MAX + 1] = '\0';
    device_refused(name, "boiler", "name: 1 to 100 bytes");
    device_refused("", "boiler", "name: 1 to 100 bytes");
    device_refused("a\nb", "boiler", "name: control characters");
    device_refused("\xc3", "boiler", "name: not valid UTF-8");
    device_refused("Boiler", "Boiler", "kind: lower-case");
    device_refused("Boiler", "", "kind: 1 to 50 bytes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_bad_lines_say_why),
        cmocka_unit_test(test_limits_at_their_edges),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_device_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
