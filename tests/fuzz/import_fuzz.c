/*
 * import_fuzz.c - libFuzzer target for the import row path (src/io/import.c): the bytes are a
 * CSV file imported with import_csv() into one table of the in-memory demo database as a dry
 * run (every check, the references included, and nothing written), so each run sees the same
 * database. A first line "# <table>" picks the table ("# <table> ignore" also skips
 * unknown columns, as --ignore-unknown); without one the file goes to contacts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/import.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    const char *csv = text;
    struct import_options opt = {.name = "fuzz.csv", .dry_run = true};
    const struct table_def *t = model_table("contacts");
    if (text[0] == '#') {
        char *nl = strchr(text, '\n');
        if (nl) {
            *nl = '\0';
            csv = nl + 1;
        }
        char *name = text + 1 + strspn(text + 1, " ");
        char *sp = strchr(name, ' ');
        if (sp) {
            *sp = '\0';
            opt.ignore_unknown = strcmp(sp + 1, "ignore") == 0;
        }
        const struct table_def *named = model_table(name);
        if (named)
            t = named;
    }
    size_t len = size - (size_t)(csv - text);
    /* glibc's fmemopen() takes a size of 0 (since 2.22) */
    FILE *in = fmemopen((void *)csv, len, "r");
    if (!in)
        abort();
    struct import_report *rep = malloc(sizeof(*rep));
    struct kith_error err = {0};
    if (!rep)
        abort();
    int rc = import_csv(fuzz_store(), t, in, &opt, rep, &err);
    /* Imported (dry), refused as bad input, or a table that cannot be imported: never more. */
    if (rc != 0 && rc != KITH_EINVAL) {
        fprintf(stderr, "import: unexpected %s: %s\n", kith_strerror(rc), err.msg);
        abort();
    }
    if (getenv("KITH_FUZZ_VERBOSE")) {
        fprintf(stderr, "%s: %d, %llu rows, %s\n", t->name, rc, (unsigned long long)rep->rows,
                rc ? err.msg : "ok");
        for (size_t i = 0; i < rep->nshown && i < IMPORT_MAX_SHOWN; i++)
            fprintf(stderr, "  %s\n", rep->shown[i]);
    }
    if (rep->nshown > IMPORT_MAX_SHOWN || rep->nshown > rep->nerrors)
        abort();
    free(rep);
    fclose(in);
    free(text);
    return 0;
}
