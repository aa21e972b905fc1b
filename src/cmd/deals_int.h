/*
 * deals_int.h - what the files of `kith deals` share and nobody else sees: the verbs that change
 * deals (deals_edit.c), `kith deals show` (deals_show.c) and how their arguments name records.
 * `kith deals` itself (deals.c) runs the analyses and hands the verbs to cmd_deals_verb().
 */
#ifndef KITH_CMD_DEALS_INT_H
#define KITH_CMD_DEALS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/* True if name is one of the verbs (add, show, move, win, lose, reopen). */
bool cmd_deals_is_verb(const char *name);

/* Runs the verb argv[0] with its arguments argv[1..argc); a CMD_ exit code. */
int cmd_deals_verb(int argc, char **argv);

/* Writes the verbs' lines of `kith deals --help` to out. */
void cmd_deals_verbs_list(FILE *out);

/*
 * The row of table named by text into *id: its id (digits), else the first of columns (a
 * NULL-terminated list of text columns of table) that holds text in exactly one row. Two rows
 * with that value are an error asking for the id; none in any column KITH_ENOTFOUND naming opt
 * ("--account"), the columns and text.
 */
int deals_find_row(struct store *s, const char *table, const char *const *columns, const char *text,
                   const char *opt, int64_t *id, struct kith_error *err);

/* The deal named by text (its id or its external id) into *id. */
int deals_find_deal(struct store *s, const char *text, int64_t *id, struct kith_error *err);

/* Prints deal id as GET /api/v1/deals/{id} answers it (cmd_print_json); a CMD_ exit code. */
int deals_print_json(struct store *s, int64_t id);

/* The name of deal stage id into buf (size bytes; "" when there is none). */
void deals_stage_name(struct store *s, int64_t id, char *buf, size_t size);

/* kith deals show DEAL [--json] [--db PATH]: argv[0] is "show". */
int deals_show(int argc, char **argv);

#endif
