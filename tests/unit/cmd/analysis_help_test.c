/*
 * analysis_help_test.c - `kith <family> <analysis> --help` of the real binary prints exactly
 * the help drawn from the analysis's parameter table (cmd_analysis_help()), for every analysis
 * of every family, and that help names every parameter the route takes. With the OpenAPI check
 * (tests/unit/api/openapi_test.c) this keeps the CLI, the API and their references in step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "cmd/cmd.h"

/* Runs KITH_BIN family name --help and returns its standard output (caller frees). */
static char *binary_help(const char *family, const char *name)
{
    const char *bin = getenv("KITH_BIN");
    if (!bin)
        fail_msg("KITH_BIN is not set");
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' %s %s --help", bin, family, name);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s exited with %d", cmd, status);
    return out;
}

static void help_comes_from_the_table(void **state)
{
    (void)state;
    size_t checked = 0;
    for (const struct analysis_family *const *f = analysis_families; *f; f++) {
        for (size_t i = 0; i < (*f)->ndefs; i++) {
            const struct analysis_def *d = &(*f)->defs[i];
            char *want = NULL;
            size_t len = 0;
            FILE *m = open_memstream(&want, &len);
            cmd_analysis_help(*f, d, m);
            fclose(m);
            char *got = binary_help((*f)->name, d->name);
            if (strcmp(got, want) != 0)
                fail_msg("kith %s %s --help is not its table's help:\n%s\n---- expected:\n%s",
                         (*f)->name, d->name, got, want);
            for (size_t k = 0; k < (*f)->nspecs; k++) {
                const struct param_spec *s = &(*f)->specs[k];
                if (!(s->groups & d->group))
                    continue;
                char opt[80];
                snprintf(opt, sizeof(opt), "--%s", s->cli ? s->cli : s->name);
                for (char *c = opt; *c; c++)
                    *c = *c == '_' && !s->cli ? '-' : *c;
                if (!strstr(got, opt))
                    fail_msg("kith %s %s --help does not name %s", (*f)->name, d->name, opt);
            }
            free(got);
            free(want);
            checked++;
        }
    }
    assert_true(checked >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_comes_from_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
