/*
 * stmt_cache.c - prepared statements kept per connection, keyed by their SQL text, so that a
 * query asked again (a token lookup, a record by id with the same scope) is bound and stepped
 * without being parsed and planned again. SQLite re-prepares a kept statement by itself when
 * the schema changes, so a kept statement is never stale.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

#include "util/banned.h"

#define STMT_CACHE_SLOTS 32

struct stmt_slot {
    char *sql; /* owned; NULL for an empty slot */
    size_t len;
    uint64_t hash;
    sqlite3_stmt *st;
    bool busy; /* handed out and not yet given back */
};

struct stmt_cache {
    struct stmt_slot slot[STMT_CACHE_SLOTS];
    unsigned next_victim; /* round robin over the slots that are not busy */
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

int store_stmt_get(struct store *s, const char *sql, size_t len, sqlite3_stmt **st)
{
    *st = NULL;
    if (!s->cache)
        s->cache = calloc(1, sizeof(*s->cache));
    struct stmt_cache *c = s->cache;
    uint64_t h = fnv1a(sql, len);
    struct stmt_slot *free_slot = NULL;
    if (c) {
        for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
            struct stmt_slot *e = &c->slot[i];
            if (e->sql && e->hash == h && e->len == len && memcmp(e->sql, sql, len) == 0) {
                if (e->busy) /* asked again while in use (a nested query): a fresh one */
                    break;
                e->busy = true;
                *st = e->st;
                return SQLITE_OK;
            }
            if (!e->sql && !free_slot)
                free_slot = e;
        }
        if (!free_slot) { /* evict one that is not in use */
            for (int k = 0; k < STMT_CACHE_SLOTS && !free_slot; k++) {
                struct stmt_slot *e = &c->slot[(c->next_victim + (unsigned)k) % STMT_CACHE_SLOTS];
                if (!e->busy)
                    free_slot = e;
            }
            c->next_victim = (c->next_victim + 1) % STMT_CACHE_SLOTS;
            if (free_slot) {
                sqlite3_finalize(free_slot->st);
                free(free_slot->sql);
                memset(free_slot, 0, sizeof(*free_slot));
            }
        }
    }
    int rc = sqlite3_prepare_v3(s->db, sql, (int)len, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, st,
                                NULL);
    if (rc != SQLITE_OK || !free_slot)
        return rc;
    free_slot->sql = malloc(len + 1);
    if (!free_slot->sql) /* not kept: store_stmt_done() finalizes it */
        return SQLITE_OK;
    memcpy(free_slot->sql, sql, len);
    free_slot->sql[len] = '\0';
    free_slot->len = len;
    free_slot->hash = h;
    free_slot->st = *st;
    free_slot->busy = true;
    return SQLITE_OK;
}

void store_stmt_done(struct store *s, sqlite3_stmt *st)
{
    if (!st)
        return;
    if (s->cache)
        for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
            struct stmt_slot *e = &s->cache->slot[i];
            if (e->st == st && e->busy) {
                sqlite3_reset(st);
                sqlite3_clear_bindings(st);
                e->busy = false;
                return;
            }
        }
    sqlite3_finalize(st);
}

void store_stmt_cache_free(struct store *s)
{
    if (!s->cache)
        return;
    for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
        sqlite3_finalize(s->cache->slot[i].st);
        free(s->cache->slot[i].sql);
    }
    free(s->cache);
    s->cache = NULL;
}
