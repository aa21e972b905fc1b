/*
 * table.h - the description of every table of kith's data model (DESIGN.md §3).
 *
 * One static description per table drives import, export, validation and the store's generic
 * row statements, so a column is declared once, with what its values must be (model/validate.h
 * checks them for every door). The SQL schema itself lives in the store's migrations;
 * schema_matches_model in tests/unit/store/store_test.c checks that both agree (same columns in
 * the same order, references as foreign keys, required fields NOT NULL).
 */
#ifndef KITH_MODEL_TABLE_H
#define KITH_MODEL_TABLE_H

#include <stdbool.h>
#include <stddef.h>

enum field_type {
    FT_ID,    /* the integer primary key "id" */
    FT_INT,   /* 64-bit integer */
    FT_REAL,  /* double */
    FT_TEXT,  /* UTF-8 text, at most max_len bytes */
    FT_ENUM,  /* text from a closed list (enum_values) */
    FT_BOOL,  /* 0 or 1; text form "true"/"false" */
    FT_TIME,  /* UTC instant, stored as Unix milliseconds, shown as ISO 8601 */
    FT_MONEY, /* minor units (cents) as 64-bit integer, shown as decimal text */
    FT_JSON,  /* a JSON object stored as text */
    FT_REF,   /* integer id of a row of ref_table */
};

/* A syntax that the values of a text field must follow (model/validate.h says which). */
enum field_format {
    FF_NONE,
    FF_EMAIL,    /* an email address: name@example.com */
    FF_CURRENCY, /* a current ISO 4217 currency code in capitals: EUR */
};

struct field_def {
    const char *name;
    enum field_type type;
    bool required;                  /* must be present and non-empty on every write */
    int max_len;                    /* FT_TEXT / FT_JSON: bytes; 0 for the default */
    const char *ref_table;          /* FT_REF: the referenced table's name */
    const char *const *enum_values; /* FT_ENUM: NULL-terminated list */
    bool secret;                    /* never exported nor shown (password hashes) */
    bool derived; /* kept by kith from other records (a contact's level and stage, from its
                     interactions by the RV engine): shown and exported, never written by a
                     client; an import's values are replaced by the derived ones */
    const char *derived_from; /* derived: from what, in words, for messages and docs; NULL: the
                                 contact's interactions by the RV engine (level and stage) */
    enum field_format format; /* FT_TEXT: the syntax of its values */
    /*
     * Personal: an identifier of a person or free text that may describe one (a name, an email,
     * notes, a review). Erasure (store_contact_erase(), docs/portal.md "Erasure") empties every
     * personal field of the rows that belong to the erased contact, or sets a required one to
     * MODEL_ERASED_TEXT; the other fields stay as facts of an anonymous contact.
     */
    bool personal;
    /*
     * FT_INT, FT_REAL, FT_MONEY: when ranged, values lie in [lo, hi] (money in currency units,
     * not cents); an infinite bound is no bound.
     */
    bool ranged;
    double lo, hi;
};

/*
 * The one range of RV units and of interaction costs, for every door (the API, import) and for
 * the RV engine, which packs them into 16 and 32 bits (engine/snapshot_int.h checks that they
 * fit). Symmetric, because voiding an interaction records its negation: rv and cost of
 * interactions and of interaction types lie in [-MAX, MAX].
 * docs/import-export.md, "Ranges".
 */
#define MODEL_RV_MAX         32767      /* RV units */
#define MODEL_COST_MAX_CENTS 2147483647 /* 21,474,836.47 currency units */

/*
 * Natural keys by which rows of a table can be referred to from another system's export, tried
 * in order: e.g. a contact by "email" or "external_id". Each names a unique column.
 */
#define TABLE_MAX_NATURAL_KEYS 3

/* What a required personal field holds once its contact is erased. */
#define MODEL_ERASED_TEXT "(erased)"

struct table_def {
    const char *name; /* SQL table name, also the CLI name: "contacts" */
    const char *singular;
    const struct field_def *fields;
    size_t nfields;
    const char *natural_keys[TABLE_MAX_NATURAL_KEYS + 1]; /* NULL-terminated */
    bool importable;                                      /* kith import accepts it */
    bool exportable; /* kith export writes it (secrets-only tables are not) */
};

#define FIELD_TEXT_DEFAULT_MAX 1024
#define FIELD_JSON_MAX         65536

/* All tables in dependency order (a table only references tables before it). */
extern const struct table_def *const model_tables[];
extern const size_t model_ntables;

/* The table called name, or NULL. */
const struct table_def *model_table(const char *name);

/*
 * The kinds of unit that are independent companies (partner, distributor, dealer): their
 * contacts and what hangs off them are the principal's to see only where the unit's
 * shares_detail says so (docs/internals/access.md, "Independent units"). NULL-terminated.
 */
extern const char *const model_independent_unit_kinds[];

/* The field called name in t, or NULL; index (when non-NULL) receives its position. */
const struct field_def *table_field(const struct table_def *t, const char *name, size_t *index);

/* The effective byte limit of a text or JSON field. */
int field_max_len(const struct field_def *f);

/* True if value is one of f's enum values. */
bool field_enum_ok(const struct field_def *f, const char *value);

/* The type's name as documentation writes it ("integer", "ISO 8601 time", ...). */
const char *field_type_name(enum field_type t);

#endif
