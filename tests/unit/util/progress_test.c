/*
 * progress_test.c - tests of src/util/progress.c: the bar's text, that it stays silent when
 * the output is not a terminal, and that redraws are throttled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/progress.h"

static void formats_rows_rate_share_and_eta(void **state)
{
    (void)state;
    char line[PROGRESS_LINE_SIZE];
    progress_format(line, "interactions", 500000, 50, 100, 2.0);
    assert_non_null(strstr(line, "interactions ["));
    assert_non_null(strstr(line, "##########..........]  50%"));
    assert_non_null(strstr(line, "500000 rows"));
    assert_non_null(strstr(line, "250000 rows/s"));
    assert_non_null(strstr(line, "ETA 0:02"));
    /* Unknown size: no bar, no estimate. */
    progress_format(line, "contacts", 10, 5, 0, 1.0);
    assert_null(strchr(line, '['));
    assert_null(strstr(line, "ETA"));
    assert_non_null(strstr(line, "10 rows  10 rows/s"));
    /* Done: no estimate. */
    progress_format(line, "contacts", 10, 100, 100, 1.0);
    assert_non_null(strstr(line, "100%"));
    assert_null(strstr(line, "ETA"));
}

static void formats_another_unit(void **state)
{
    (void)state;
    char line[PROGRESS_LINE_SIZE];
    progress_format_unit(line, "backup", "MiB", 120, 25, 100, 2.0);
    assert_non_null(strstr(line, "backup [#####...............]  25%"));
    assert_non_null(strstr(line, "120 MiB  60 MiB/s"));
    assert_null(strstr(line, "rows"));
}

/* A progress drawing into memory (buffer and size filled when out is closed). */
static FILE *memory_progress(struct progress *p, char **buf, size_t *size)
{
    FILE *out = open_memstream(buf, size);
    assert_non_null(out);
    progress_init(p, out, "units", 1000);
    return out;
}

static void silent_when_not_a_terminal(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t size = 0;
    struct progress p;
    FILE *out = memory_progress(&p, &buf, &size);
    assert_false(p.enabled);
    for (uint64_t i = 0; i < 100000; i++)
        progress_update(&p, i, i);
    progress_finish(&p, 100000, 1000);
    fclose(out);
    assert_int_equal(size, 0);
    free(buf);
}

static void forced_bar_draws_a_finished_line(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t size = 0;
    struct progress p;
    FILE *out = memory_progress(&p, &buf, &size);
    progress_force(&p);
    /* Within the first tenth of a second nothing is due, however often it is called. */
    p.last_ns += 1000000000;
    for (uint64_t i = 0; i < 100000; i++)
        progress_update(&p, i, i % 1000);
    fflush(out);
    assert_int_equal(size, 0);
    p.last_ns -= 2000000000; /* make a redraw due */
    for (uint64_t i = 0; i < PROGRESS_CHECK_EVERY; i++)
        progress_update(&p, 7, 500);
    progress_finish(&p, 9, 1000);
    fclose(out);
    assert_non_null(strstr(buf, "\runits ["));
    assert_non_null(strstr(buf, "9 rows"));
    assert_int_equal(buf[size - 1], '\n');
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_rows_rate_share_and_eta),
        cmocka_unit_test(formats_another_unit),
        cmocka_unit_test(silent_when_not_a_terminal),
        cmocka_unit_test(forced_bar_draws_a_finished_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
