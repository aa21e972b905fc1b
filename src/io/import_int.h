/*
 * import_int.h - what the files of the CSV import share and nobody else sees: the plan of the
 * columns, the batches the reader thread hands over through a ring, the reader's and the calling
 * thread's state, the place of an error in the serial order, and the steps each file gives the
 * others. The public interface is import.h; the pipeline: docs/internals/import.md.
 *
 *   import.c           import_csv(): the transaction, the bulk load and the order of the steps
 *   import_columns.c   the header: columns to fields, reference columns by natural key
 *   import_errors.c    error collection: the first IMPORT_MAX_SHOWN in the serial order
 *   import_convert.c   the reader thread's work: records into batches of converted rows
 *   import_write.c     the calling thread's work: references resolved, rows inserted
 *   import_pipeline.c  the two threads and the ring of batches between them
 */
#ifndef KITH_IO_IMPORT_INT_H
#define KITH_IO_IMPORT_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/csv.h"
#include "io/import.h"
#include "io/refcache.h"
#include "model/validate.h"
#include "util/utf8.h"

/*
 * The reader thread hands rows over in batches of at most BATCH_ROWS rows, or fewer once their
 * copied text passes BATCH_TEXT bytes; RING_BATCHES of them are in flight. So the memory of an
 * import is bounded by RING_BATCHES * (BATCH_TEXT + CSV_RECORD_MAX) plus the caches.
 */
#define BATCH_ROWS   256
#define BATCH_TEXT   (256 * 1024)
#define RING_BATCHES 16
#define TEXT_BLOCK   (64 * 1024)
/* Room for a cell's text after its mapping's functions, and for a record as a CSV line. */
#define IMPORT_SCRATCH (128 * 1024)

/*
 * A planned column: a field, a reference by a key of the referenced table, or the text of a
 * field of rows --create-missing may make (COL_CREATED, kept with the row for the calling
 * thread). Several planned columns may read the same source column, and a --set constant has
 * none (src == SIZE_MAX).
 */
enum col_kind { COL_IGNORED, COL_FIELD, COL_REF_KEY, COL_CREATED };

/* What is known about the rows of one referenced table. */
struct ref_cache {
    struct idset ids;
    struct keymap keys[TABLE_MAX_NATURAL_KEYS];
};

struct column {
    enum col_kind kind;
    size_t src;                        /* index of its cell in a record; SIZE_MAX: a constant */
    const struct import_map *map;      /* its --map or --set, or NULL */
    size_t field;                      /* index of the field it fills (import_field()) */
    const struct table_def *created;   /* COL_CREATED: the table of the rows it fills */
    const struct table_def *ref;       /* a reference: the referenced table */
    struct ref_cache *cache;           /* a reference: what is known of ref's rows */
    size_t slot;                       /* a reference: index of its cell in a row's ref_cells */
    const char *key;                   /* COL_REF_KEY: the natural key column of ref */
    const struct field_def *key_field; /* COL_REF_KEY: that key's field in ref */
    struct keymap *keys;               /* COL_REF_KEY: cache of key -> id */
    struct keymap own_keys;            /* ... for a key that is no natural key: its own */
    bool create;                       /* a missing row is created (--create-missing) */
    unsigned nsuggested;               /* "did you mean" lookups made for it */
    char name[UTF8_EXCERPT_SIZE];      /* the field or key it fills, printable */
    char src_name[UTF8_EXCERPT_SIZE];  /* the header of its source column, printable */
};

/*
 * A deals file may give each deal one line (deal_lines): its product by product_id, product_sku
 * or product_name, and quantity. They are the two fields after the table's own (import_field()).
 */
#define LINE_FIELDS     3
#define STAGE_KINDS_MAX 64
/* The fields of deal_lines in model/tables.c's order (import_plan_columns checks it). */
enum {
    LINE_ID,
    LINE_CREATED_AT,
    LINE_DEAL,
    LINE_PRODUCT,
    LINE_QUANTITY,
    LINE_AMOUNT,
    LINE_NFIELDS
};

/* What the dry run learns of a column's values (the reader thread's; read after it ends). */
#define STATS_MAX_VALUES 100
struct stat_value {
    char *text;
    size_t len;
    uint64_t count, line;
};
struct col_stats {
    uint64_t early_times, early_line; /* Unix times within 1970's first day: years? */
    char early_example[UTF8_EXCERPT_SIZE];
    uint64_t nonempty, not_email, not_email_line; /* an email column: values that are none */
    char not_email_example[UTF8_EXCERPT_SIZE];
    bool email_column;
    bool enumerating; /* a text column whose distinct values are still few */
    struct stat_value *values;
    size_t nvalues;
};

/*
 * An integer reference of the table to itself not yet satisfied: checked at the end. A void
 * (interactions.voids_id) is checked then against model/voids.h too, with what is known of its
 * row.
 */
struct pending_ref {
    int64_t id;
    uint64_t line;
    size_t col;
    bool is_void;
    int64_t row_id;     /* is_void: the void's own id when the file gives it, else 0 */
    int64_t contact_id; /* is_void: its contact when known, else 0 */
};

/*
 * The place of an error in the order in which an import that reads, checks and inserts one row
 * at a time would find it: by data record (from 1; 0 is the header, UINT64_MAX the checks after
 * the last row), then phase within the record (0 its cells in column order, 1 its required
 * fields in field order, 2 its insert), then order (the column or field index), then arrival.
 */
struct err_key {
    uint64_t record;
    unsigned phase;
    size_t order;
    uint64_t seq;
};

enum { PHASE_CELLS, PHASE_REQUIRED, PHASE_INSERT };

/* ----- batches: what the reader thread hands over ------------------------------------------ */

enum ref_kind { REF_NONE, REF_ID, REF_KEY };

/* A reference cell of a row, converted but not yet resolved (the calling thread does that). */
struct ref_cell {
    enum ref_kind kind; /* REF_NONE: empty, or its error is already reported */
    int64_t id;         /* REF_ID */
    const char *key;    /* REF_KEY: NUL-terminated, in the batch's text */
    size_t len;
};

struct row_info {
    uint64_t line;      /* physical line where the record starts */
    bool bad;           /* a cell has an error: resolve its references, but do not insert it */
    bool skip;          /* wrong number of fields: nothing else to do */
    const char *reject; /* --rejects: why the row is rejected (in the batch's text), or NULL */
    const char *raw;    /* --rejects: the record as a CSV line (in the batch's text) */
    size_t rawlen;
};

struct batch_error {
    struct err_key key; /* seq unset: given on arrival */
    char msg[KITH_ERROR_MSG_MAX];
};

/* Copies of cell text, in blocks that never move (values point into them). */
struct text_block {
    struct text_block *next;
    size_t used, cap;
    char data[];
};

struct batch {
    size_t nrows;
    uint64_t first_record;    /* record number of row 0 */
    struct store_value *vals; /* BATCH_ROWS rows of t->nfields values; references left NULL */
    struct ref_cell *refs;    /* BATCH_ROWS rows of nrefs cells */
    struct row_info *rows;    /* BATCH_ROWS */
    struct text_block *text;  /* the block being filled first */
    size_t text_bytes;
    /* The reader's errors with text (at most IMPORT_MAX_SHOWN in all batches together). */
    struct batch_error errs[IMPORT_MAX_SHOWN];
    size_t nerrs;
    uint64_t nuntold; /* the reader's errors counted without text */
    uint64_t bytes;   /* input consumed after the last row */
    bool end;         /* the input ends after these rows */
    bool malformed;   /* ... because the CSV is malformed (its error is in errs/nuntold) */
    int rc;           /* < 0: reading failed after these rows; err says why */
    struct kith_error err;
};

/* A fixed ring of batches between the reader thread (fills) and the calling thread (empties). */
struct ring {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct batch batches[RING_BATCHES];
    uint64_t filled, emptied; /* batches handed over and given back, ever */
    bool stop;                /* the calling thread has stopped reading batches */
    bool reader_asleep;       /* the reader waits for the ring to drain to half */
    bool writer_asleep;       /* the calling thread waits for a batch */
    enum { READER_WAITING, READER_RUNNING, READER_TAKEN } reader; /* who fills the batches */
};

struct importer;

/* The reader thread's state. It only reads the importer's plan, which is fixed by then. */
struct reader {
    const struct importer *imp;
    struct csv_reader *r;
    struct ring *ring;
    uint64_t record;  /* data records read */
    uint64_t told;    /* errors given text */
    bool *field_bad;  /* per field: the current row has an error for it */
    bool *ref_filled; /* per field: a reference cell of the current row names a row */
    bool *given;      /* per field: the current row has a value for it (table_check_required) */
    char *scratch;    /* room for a cell's transformed text */
    uint64_t rounded; /* amounts rounded (--round half-even) */
    struct batch *b;  /* current row: */
    struct store_value *vals;
    struct ref_cell *refs;
    struct row_info *row;
    size_t col; /* the cell being converted */
    bool nomem;
};

/* The calling thread's state. */
struct importer {
    struct store *s;
    const struct table_def *t;
    const struct import_options *opt;
    struct import_report *rep;
    struct column *cols;
    size_t ncols;
    size_t nrefs;             /* reference columns: cells per row in a batch */
    size_t *first_col;        /* per field: the first column that fills it, or SIZE_MAX */
    int source_default;       /* field index of "source" to set to "import", or -1 */
    int id_field;             /* field index of "id" */
    int void_field;           /* field index of interactions.voids_id, or -1: see check_void */
    int contact_field;        /* ... and of interactions.contact_id */
    struct ref_cache *caches; /* per model_tables[] entry */
    size_t nsrc;              /* fields of the header record */
    size_t nvals;             /* values per row: t->nfields, + LINE_FIELDS with lines */
    int line_product;         /* field index of a line's product, or -1 (no lines) */
    int line_quantity;
    int unit_price; /* field index of a line's unit price (after t's own fields), or -1 */
    int quantity_field;
    /* order_lines, deal_lines: field index of "quantity" */ /* ... and of its quantity */
    const struct table_def *lines; /* deal_lines when the rows have lines */
    int amount_field;              /* field index of "amount", or -1 */
    int stage_field;               /* deals: field index of "stage_id" */
    int outcome_field; /* deals: field index of "outcome" when the file does not give it, or -1 */
    struct stage_kind_of {
        int64_t id;
        const char *kind;           /* static */
    } stage_kinds[STAGE_KINDS_MAX]; /* deals: the kinds of the stages met so far */
    size_t nstage_kinds;
    /* Ids are given here rather than by the store when rows must be known by id before they go
     * in (lines, upsert, rows created in this table): next_id and up. */
    bool assign_ids;
    int64_t next_id;
    int upsert_key;           /* field index of the natural key rows are matched by, or -1 */
    int upsert_key_nk;        /* ... its index among t's natural keys */
    struct keymap file_keys;  /* upsert: key -> id of this file's rows */
    struct idset created_ids; /* rows of t made by --create-missing: a row of the file fills them */
    struct col_stats *stats;  /* dry run: per column */
    char reject_reason[KITH_ERROR_MSG_MAX]; /* the row being resolved: why it is rejected */
    bool row_reject;
    const char *row_raw; /* ... and its record as a CSV line */
    size_t row_rawlen;
    /* The lines waiting to be inserted after the queued rows. */
    struct store_value (*line_queue)[8];
    /* Orders from lines: per order of this file (id - max_id_before - 1), the sum of its lines
     * and whether it has more than one. */
    bool from_lines;
    struct order_total {
        int64_t amount;
        bool grouped;
    } * totals;
    size_t ntotals;
    size_t nlines;
    struct err_key shown_keys[IMPORT_MAX_SHOWN];
    uint64_t seq;
    struct store_bulk *bulk;
    bool indexes_deferred;
    uint64_t input_size;      /* bytes of the file, 0 when unknown (a pipe) */
    uint64_t next_bulk_check; /* rows read at the next decision about indexes */
    int64_t max_id_before;    /* rows above it were added by this import */
    bool exact_ids;           /* insert one row at a time to learn each id (see flush_rows) */
    struct idset low_ids;     /* ids at or below max_id_before added by this import */
    struct pending_ref *pending;
    size_t npending, pending_cap;
    /* Rows checked and waiting to be inserted, all from the current batch. */
    const struct store_value *queue[BATCH_ROWS];
    uint64_t queue_line[BATCH_ROWS], queue_record[BATCH_ROWS];
    size_t nqueued;
    /* The row being resolved. */
    struct store_value *vals;
    uint64_t line, record;
    bool row_bad;
    bool malformed; /* reading stopped at malformed CSV: no checks after the last row */
};

/* ----- errors (import_errors.c) --------------------------------------------------------------- */

static inline struct err_key key_of(uint64_t record, unsigned phase, size_t order)
{
    return (struct err_key){.record = record, .phase = phase, .order = order};
}

/* "name:line:col: colname: " (or "name:line: " when col is 0) and the message, into out. */
void import_format_error(char *out, const char *name, uint64_t line, size_t col,
                         const char *colname, const char *fmt, va_list ap);

/*
 * Counts an error and returns where its text goes among the IMPORT_MAX_SHOWN first (by key),
 * moving later ones down; NULL when it is not among them.
 */
char *import_keep_error(struct importer *imp, struct err_key key);

/* Counts an error found on the calling thread, keeping its text if it is among the first. */
void import_add_error(struct importer *imp, struct err_key key, uint64_t line, size_t col,
                      const char *colname, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define header_error(imp, line, col, colname, ...)                                                 \
    import_add_error(imp, key_of(0, PHASE_CELLS, 0), line, col, colname, __VA_ARGS__)

/* An error in column c of the row being resolved, which will not be inserted. */
void import_cell_error(struct importer *imp, size_t c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ----- the steps in the other files ------------------------------------------------------------
 */

/* The field at index i of the rows: t's own, then the line's fields of a deals file. */
const struct field_def *import_field(const struct importer *imp, size_t i);

/* Reads the header record and plans the columns. Header errors are all reported, then fatal
 * (import_columns.c). */
int import_plan_columns(struct importer *imp, const struct csv_record *h);
/* Gives each reference column its cell in a row's ref_cells (import_columns.c). */
void import_plan_ref_slots(struct importer *imp);

/* A batch's memory (import_convert.c): room for BATCH_ROWS rows, and freeing it. */
int import_batch_init(struct batch *b, size_t nfields, size_t nrefs);
void import_batch_release(struct batch *b);
/*
 * Fills b with the next rows (import_convert.c). At the end of the input, or when reading fails,
 * b->end is set; malformed CSV counts as one more error of the file.
 */
void import_fill_batch(struct reader *rd, struct batch *b);

/* Resolves and inserts the rows of b; a fatal code if the store or the reading failed
 * (import_write.c). */
int import_consume_batch(struct importer *imp, struct batch *b, struct kith_error *err);
/* Inserts the queued rows, then their lines; a fatal code if the store fails (import_write.c). */
int import_flush_rows(struct importer *imp, struct kith_error *err);
/* Queues the row being resolved for insertion (import_write.c). */
void import_queue_row(struct importer *imp);
/*
 * Resolves the key cell of column c of the row being resolved (its ref cells row_refs): 1 with
 * *id, 0 after reporting (an error, or the row's reject), or a fatal code (import_refs.c).
 */
int import_resolve_key(struct importer *imp, size_t c, const struct ref_cell *cell,
                       const struct ref_cell *row_refs, int64_t *id, struct kith_error *err);
/*
 * The row being resolved, checked and without error: rejected (--rejects), an update of the row
 * its natural key names (--upsert, or a row --create-missing made), or queued with its line
 * (import_upsert.c). A fatal code if the store fails.
 */
int import_place_row(struct importer *imp, struct kith_error *err);
/* Orders from lines: the amounts of the orders of several lines, once all are in. */
int import_finish_totals(struct importer *imp, struct kith_error *err);
/* Inserts the queued deal lines (import_upsert.c). */
int import_flush_lines(struct importer *imp, struct kith_error *err);

/* After the last row: the forward references of the table to itself (import_write.c). */
void import_check_pending(struct importer *imp);

/* The dry run's statistics, one per planned column (import_stats.c). */
int import_stats_init(struct importer *imp);
/* --rejects: the header of the rejects file, the source header and reject_reason. */
void import_write_rejects_header(struct importer *imp, const struct csv_record *h);
/* Writes the record of a CSV line for --rejects into out (cap bytes); its length, 0 if it does not
 * fit (import_convert.c). */
size_t import_csv_line(const struct csv_record *rec, char *out, size_t cap);

/* After the dry run's last row: the suspicious values its statistics show (import_stats.c). */
void import_report_stats(struct importer *imp);
/* The reader thread notes a converted cell of column c in the statistics (import_stats.c). */
void import_note_cell(const struct importer *imp, size_t c, const char *s, size_t len,
                      uint64_t line, const struct field_value *v);

/* Runs the reader thread while this one consumes its batches until the input ends
 * (import_pipeline.c). */
int import_run_pipeline(struct importer *imp, struct csv_reader *r, struct kith_error *err);

/* Decides at a doubling of the rows read whether the load is large enough to defer the indexes
 * (import.c). */
int import_maybe_defer_indexes(struct importer *imp, uint64_t read, struct kith_error *err);

#endif
