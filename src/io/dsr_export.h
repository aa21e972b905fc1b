/*
 * dsr_export.h - everything kith holds about one contact, for a data-subject access or
 * portability request (GDPR Art. 15 and 20; issue 16), and the way back in.
 *
 * The document (schema "kith.dsr-export/1", docs/dsr-export.md) holds the contact's rows of every
 * table that names it, the rows they refer to that give them meaning (its account's id and name,
 * the interaction types, products, surveys and deal stages), each interaction with its RV and its
 * type's name, and the company's inferences about the contact with a sentence on what each is
 * and how it is derived. Rows are written as `kith export --format jsonl` writes them
 * (io/export.h). The zip holds one CSV per table (as `kith export` writes CSV) and manifest.json
 * beside them.
 *
 * Every door calls these functions: `kith dsr export` (cmd/dsr.c), GET
 * /api/v1/contacts/{id}/export (api/dsr.c), and later the customer's portal for its signed-in
 * contact. They do not check who asks: the door checks the caller may read the contact first.
 */
#ifndef KITH_IO_DSR_EXPORT_H
#define KITH_IO_DSR_EXPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/error.h"

#define DSR_EXPORT_SCHEMA "kith.dsr-export/1"

/* Rows of one table kept in one export, at most (an export is answered in one piece). */
#define DSR_EXPORT_ROWS_MAX 1000000

/* The size of an import document kith dsr import reads, at most. */
#define DSR_IMPORT_BYTES_MAX (512 * 1024 * 1024)

/*
 * Who the export is for. The contact itself (the portal) and whoever holds the database file (the
 * CLI) get everything. Staff (the API) get everything but what the contact keeps from staff: the
 * content of survey answers it did not share (survey_responses.confidential; docs/voice.md) is
 * null in their rows, and the table's entry says how many were withheld.
 */
enum dsr_export_audience {
    DSR_FOR_SUBJECT = 0,
    DSR_FOR_STAFF = 1,
};

/*
 * The export of contact contact_id as a JSON document (schema DSR_EXPORT_SCHEMA). now_ms is the
 * time written as generated_at. On success *out is a new reference owned by the caller
 * (json_decref). KITH_ENOTFOUND when there is no such contact.
 */
int dsr_export_json(struct store *s, int64_t contact_id, int64_t now_ms,
                    enum dsr_export_audience audience, json_t **out, struct kith_error *err);

/*
 * The same export as a zip archive: manifest.json (the document without its rows, with each
 * table's file name, columns and row count) and one <table>.csv per table, in *data (malloc'd,
 * the caller frees it) of *len bytes.
 */
int dsr_export_zip(struct store *s, int64_t contact_id, int64_t now_ms,
                   enum dsr_export_audience audience, unsigned char **data, size_t *len,
                   struct kith_error *err);

/*
 * The sentence an export gives inference name ("relationship_level", "lifecycle_stage",
 * "value_segment", "rfm_segment"): what it is and how it is derived; NULL for another name.
 * Static text. The portal (api/portal_see.c) shows the same sentences.
 */
const char *dsr_inference_meaning(const char *name);

/* What an import wrote: rows inserted and catalogue rows found already present, per table. */
struct dsr_import_result {
    int64_t contact_id; /* the new contact */
    size_t inserted;    /* rows written, all tables */
    size_t matched;     /* catalogue rows and the account found by their natural keys */
    size_t skipped;     /* rows left out: a required reference outside the export (a vote on
                           another contact's idea) */
};

/*
 * Writes the export doc (a document of schema DSR_EXPORT_SCHEMA) into s in one transaction: the
 * contact and everything of it as new rows with new ids, references between them mapped, the
 * account, interaction types, products, surveys and deal stages found by their natural keys
 * (account external_id or name, type code, product sku, survey name, stage name) or created
 * from the export. References to users, units and teams are left empty (they are the exporting
 * company's staff and organisation), as are references to rows the export does not hold (another
 * contact of the account); a row whose required reference is such is skipped. Every value is
 * checked as every door checks it (model/validate.h). On failure nothing is written and err names
 * the table, row and field.
 */
int dsr_import_json(struct store *s, const json_t *doc, struct dsr_import_result *out,
                    struct kith_error *err);

#endif
