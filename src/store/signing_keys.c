/*
 * signing_keys.c - the server's Ed25519 key pair that signs consent receipts (migration 19,
 * docs/portal.md "Consent"), on db.h: kith init makes it on SQLite and PostgreSQL alike.
 */
#include "store/db.h"
#include "store/store_int.h"

#include <string.h>

#include "util/banned.h"

int store_signing_key_get(struct store *s, unsigned char pk[STORE_SIGN_PK],
                          unsigned char sk[STORE_SIGN_SK], struct kith_error *err)
{
    struct db_stmt *st;
    int rc = db_prepare(s->conn,
                        "SELECT public_key, secret_key FROM signing_keys WHERE id = 1"
                        " AND alg = 'Ed25519'",
                        &st);
    if (rc < 0)
        return db_err(s->conn, KITH_EDB, "reading the signing key", err);
    int step = db_step(st);
    rc = 0;
    if (step == DB_ROW) {
        if (db_column_bytes(st, 0) != STORE_SIGN_PK || db_column_bytes(st, 1) != STORE_SIGN_SK) {
            rc = kith_err(err, KITH_EDB, "the stored signing key has the wrong size");
        } else {
            memcpy(pk, db_column_blob(st, 0), STORE_SIGN_PK);
            if (sk)
                memcpy(sk, db_column_blob(st, 1), STORE_SIGN_SK);
        }
    } else if (step == DB_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "the database has no signing key yet");
    } else {
        rc = db_err(s->conn, KITH_EDB, "reading the signing key", err);
    }
    db_finalize(st);
    return rc;
}

int store_signing_key_put(struct store *s, const unsigned char pk[STORE_SIGN_PK],
                          const unsigned char sk[STORE_SIGN_SK], int64_t now,
                          struct kith_error *err)
{
    struct db_stmt *st;
    /* the first key stays: two servers making one at once keep the same */
    int rc = db_prepare(s->conn,
                        "INSERT OR IGNORE INTO signing_keys (id, created_at, alg, public_key,"
                        " secret_key) VALUES (1, ?1, 'Ed25519', ?2, ?3)",
                        &st);
    if (rc < 0)
        return db_err(s->conn, KITH_EDB, "storing the signing key", err);
    if ((rc = db_bind_int64(st, 1, now)) == 0 &&
        (rc = db_bind_blob(st, 2, pk, STORE_SIGN_PK)) == 0 &&
        (rc = db_bind_blob(st, 3, sk, STORE_SIGN_SK)) == 0)
        rc = db_step(st);
    rc = rc == DB_DONE ? 0 : db_err(s->conn, KITH_EDB, "storing the signing key", err);
    db_finalize(st);
    return rc;
}
