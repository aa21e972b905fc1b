/*
 * alike_data.h - the inputs of "someone like me" (issue 15 item 4, docs/voice.md "Someone like
 * me") as plain arrays: the contacts or the accounts compared (their attributes as codes), the
 * sale lines and orders they bought, the products they said they intend to buy, and how their
 * relationship went. The store fills a struct alike_data (store_alike_load(), store/alike.c);
 * engine/alike.h builds its index from it and only reads it.
 *
 * Times are Unix milliseconds, money minor units. Entities are indexed 0..n-1 in ascending id;
 * every row that refers to one carries that index.
 */
#ifndef KITH_MODEL_ALIKE_DATA_H
#define KITH_MODEL_ALIKE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What is compared: contacts or accounts. */
enum alike_kind { ALIKE_CONTACTS, ALIKE_ACCOUNTS };

/*
 * The categorical attributes, as codes (0: unknown; equal codes are equal values). Contacts:
 * their account's industry, territory and revenue band, their unit (else their account's), their
 * buying role and their source. Accounts: industry, territory, revenue band, unit, source and
 * the parent account (0 for none: accounts under one parent are alike in that).
 */
#define ALIKE_NATTRS 6

struct alike_entity {
    int64_t id;
    int64_t group; /* the account of a contact (0: none); an account: its own id */
    uint16_t attr[ALIKE_NATTRS];
    int64_t employees; /* the (contact's) account's employees; -1: unknown */
    char *name;        /* owned: "First Last" or the account's name; never NULL */
    char *short_name;  /* owned: "First L." (accounts: the name); never NULL */
    char *industry;    /* owned, NULL when unknown: shown in the people map */
    char *territory;   /* owned, NULL when unknown */
    int64_t rv_recent; /* RV of its interactions in (as_of - 180 d, as_of] */
    int64_t rv_before; /* RV of its interactions in (as_of - 360 d, as_of - 180 d] */
    bool churned;      /* a churn event is recorded for it (an account: for it or one of its
                          contacts) */
    bool findable;     /* contacts: opted in to be found in the portal's people map */
};

/* One line of a sale (returns and credits are not purchases). */
struct alike_buy {
    uint32_t entity;  /* index into alike_data.entities */
    uint32_t product; /* index into alike_data.products */
    int64_t at;       /* the order's ordered_at */
};

/* A sale (its amount counts to the spend). */
struct alike_order {
    uint32_t entity;
    int64_t at;
    int64_t amount;
};

/* A product the entity said it intends to buy (a shared survey answer). */
struct alike_intent {
    uint32_t entity;
    uint32_t product;
};

struct alike_product {
    int64_t id;
    char *sku;  /* owned */
    char *name; /* owned */
};

/* Everything loaded; arrays owned (alike_data_release()). Entities and products ascend by id. */
struct alike_data {
    enum alike_kind kind;
    struct alike_entity *entities;
    size_t n;
    struct alike_product *products;
    size_t nproducts;
    struct alike_buy *buys;
    size_t nbuys;
    struct alike_order *orders;
    size_t norders;
    struct alike_intent *intents;
    size_t nintents;
    int64_t as_of; /* the end of the RV windows: the latest interaction (0: none) */
};

#define ALIKE_RV_WINDOW_MS (180LL * 86400000LL)

/* Frees everything d owns and zeroes it; safe on a zeroed struct and twice. */
void alike_data_release(struct alike_data *d);

/* The index of entity id in d (ascending ids), or SIZE_MAX. */
size_t alike_data_find(const struct alike_data *d, int64_t id);

#endif
