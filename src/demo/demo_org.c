/*
 * demo_org.c - the value network of the demo (seed 000): the manufacturer, its two business
 * units and three channel partners, their stage and virtual account teams, and the people.
 * Fixed data, the same for every seed, so docs/demo-data.md can list each rep's latent skill.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

/* Units 1 and 2 are the business units; 3..5 the partners (depth: planted effect d). */
const struct demo_unit demo_units[] = {
    {"Northwind Industrial Group", "manufacturer", -1, 0, 1.00, 0.00, "NW-GRP"},
    {"Northwind Automation", "business_unit", 0, 1, 1.00, 0.36, "NW-AUT"},
    {"Northwind Fluid Power", "business_unit", 0, 2, 1.00, 0.32, "NW-FLP"},
    {"Keystone Industrial Distribution", "distributor", 1, 1, 1.35, 0.12, "P-KEYSTONE"},
    {"Harbor Supply & Controls", "dealer", 2, 2, 1.00, 0.10, "P-HARBOR"},
    {"Summit Channel Partners", "partner", 1, 1, 0.60, 0.10, "P-SUMMIT"},
};
const size_t demo_nunits = sizeof(demo_units) / sizeof(demo_units[0]);

/* Teams 0..4 and 5..9 are the stage teams and virtual account teams of the business units. */
const struct demo_team demo_teams[] = {
    {"Automation Acquisition", "acquisition", 1},
    {"Automation Closing", "closing", 1},
    {"Automation Retention", "retention", 1},
    {"Automation VAT Key Accounts", "virtual_account", 1},
    {"Automation VAT Growth Accounts", "virtual_account", 1},
    {"Fluid Power Acquisition", "acquisition", 2},
    {"Fluid Power Closing", "closing", 2},
    {"Fluid Power Retention", "retention", 2},
    {"Fluid Power VAT Key Accounts", "virtual_account", 2},
    {"Fluid Power VAT Growth Accounts", "virtual_account", 2},
    {"Keystone Account Team", "virtual_account", 3},
    {"Harbor Account Team", "virtual_account", 4},
    {"Summit Account Team", "virtual_account", 5},
};
const size_t demo_nteams = sizeof(demo_teams) / sizeof(demo_teams[0]);

#define FRONT(first, last, unit, team, vat, skill, cost)                                           \
    {                                                                                              \
        first, last, "frontline", unit, team, vat, skill, cost                                     \
    }
#define PARTNER(first, last, unit, team, skill)                                                    \
    {                                                                                              \
        first, last, "partner", unit, team, team, skill, 5500                                      \
    }

/*
 * Skill is the planted rep effect (b): a z-score that tilts which interactions a rep chooses
 * (towards more RV per cost), lowers the chance of setbacks, raises conversion, lowers the
 * recorded cost (less time per interaction) and raises the purchase rate of retained accounts.
 */
const struct demo_user demo_users[] = {
    /* Automation acquisition */
    FRONT("Olivia", "Bennett", 1, 0, 3, 1.6, 8200),
    FRONT("Marcus", "Reyes", 1, 0, 4, 0.6, 7400),
    FRONT("Hannah", "Kowalski", 1, 0, 3, 0.1, 7000),
    FRONT("Derek", "Okafor", 1, 0, 4, -0.3, 6800),
    FRONT("Priya", "Raman", 1, 0, 3, -0.8, 6500),
    FRONT("Tyler", "Brooks", 1, 0, 4, -1.5, 6100),
    /* Automation closing */
    FRONT("Grace", "Whitfield", 1, 1, 3, 1.3, 8800),
    FRONT("Samuel", "Achebe", 1, 1, 4, 0.8, 8300),
    FRONT("Lena", "Hoffmann", 1, 1, 3, 0.0, 7700),
    FRONT("Brandon", "Cole", 1, 1, 4, -0.2, 7600),
    FRONT("Aisha", "Mensah", 1, 1, 3, -0.9, 7100),
    FRONT("Kevin", "Larsen", 1, 1, 4, -1.6, 6800),
    /* Automation retention */
    FRONT("Sofia", "Marquez", 1, 2, 3, 1.8, 7900),
    FRONT("Daniel", "Nakamura", 1, 2, 4, 1.0, 7300),
    FRONT("Emily", "Foster", 1, 2, 3, 0.5, 7000),
    FRONT("Jamal", "Washington", 1, 2, 4, 0.2, 6900),
    FRONT("Chloe", "Dubois", 1, 2, 3, -0.1, 6700),
    FRONT("Ryan", "O'Connell", 1, 2, 4, -0.6, 6500),
    FRONT("Mei", "Chen", 1, 2, 3, -1.1, 6300),
    FRONT("Victor", "Petrov", 1, 2, 4, -1.4, 6200),
    /* Fluid Power acquisition */
    FRONT("Natalie", "Graham", 2, 5, 8, 1.4, 8000),
    FRONT("Luis", "Fernández", 2, 5, 9, 0.7, 7400),
    FRONT("Rebecca", "Stein", 2, 5, 8, 0.2, 7000),
    FRONT("Andre", "Baptiste", 2, 5, 9, -0.4, 6700),
    FRONT("Yuki", "Tanaka", 2, 5, 8, -1.0, 6400),
    FRONT("Cody", "Harmon", 2, 5, 9, -1.7, 6000),
    /* Fluid Power closing */
    FRONT("Isabel", "Moreau", 2, 6, 8, 1.5, 8900),
    FRONT("Nathan", "Brennan", 2, 6, 9, 0.5, 8100),
    FRONT("Fatima", "Haddad", 2, 6, 8, 0.1, 7800),
    FRONT("Jordan", "Pierce", 2, 6, 9, -0.5, 7400),
    FRONT("Elena", "Vasquez", 2, 6, 8, -0.7, 7200),
    FRONT("Scott", "Lindqvist", 2, 6, 9, -1.3, 6900),
    /* Fluid Power retention */
    FRONT("Amara", "Nwosu", 2, 7, 8, 1.7, 7800),
    FRONT("Owen", "Gallagher", 2, 7, 9, 1.1, 7300),
    FRONT("Sara", "Lindgren", 2, 7, 8, 0.4, 7000),
    FRONT("Miguel", "Santos", 2, 7, 9, 0.0, 6800),
    FRONT("Julia", "Novak", 2, 7, 8, -0.2, 6700),
    FRONT("Patrick", "Doyle", 2, 7, 9, -0.8, 6500),
    FRONT("Anika", "Patel", 2, 7, 8, -1.2, 6300),
    FRONT("Trevor", "Mills", 2, 7, 9, -1.8, 6100),
    /* partner users: they work every phase of their own accounts */
    PARTNER("Frank", "Keller", 3, 10, 0.9),
    PARTNER("Diane", "Morrison", 3, 10, 0.3),
    PARTNER("Carlos", "Ruiz", 3, 10, -0.2),
    PARTNER("Linda", "Harbor", 4, 11, 0.4),
    PARTNER("Greg", "Whitaker", 4, 11, -0.1),
    PARTNER("Nina", "Sorensen", 4, 11, -0.6),
    PARTNER("Bill", "Tran", 5, 12, 0.2),
    PARTNER("Kelly", "Ambrose", 5, 12, -0.4),
    PARTNER("Raj", "Mehta", 5, 12, -0.9),
    /* managers, the executive, the analyst and the administrator */
    {"Catherine", "Holloway", "manager", 1, 1, -1, 0.0, 11000},
    {"Martin", "Schultz", "manager", 1, 2, -1, 0.0, 10500},
    {"Angela", "Rossi", "manager", 2, 6, -1, 0.0, 11000},
    {"Peter", "Johansson", "manager", 2, 7, -1, 0.0, 10500},
    {"Rachel", "Kim", "manager", 0, -1, -1, 0.0, 11500},
    {"Robert", "Ashford", "executive", 0, -1, -1, 0.0, 18000},
    {"Laura", "Friedman", "analyst", 0, -1, -1, 0.0, 7500},
    {"Ian", "MacLeod", "admin", 0, -1, -1, 0.0, 7000},
};
const size_t demo_nusers = sizeof(demo_users) / sizeof(demo_users[0]);

static const char *const unit_domains[] = {
    "northwind.example",           "northwind.example",    "northwind.example",
    "keystone-industrial.example", "harborsupply.example", "summitchannel.example",
};

/* Lower-case ASCII letters of s, Latin-1 accents folded ("Fernández" -> "fernandez"). */
size_t demo_slug(const char *s, char *out, size_t cap)
{
    /* U+00C0..U+00FF, encoded as 0xC3 0x80..0xBF, without their accents. */
    static const char fold[] = "aaaaaaaceeeeiiiidnooooo ouuuuyts"
                               "aaaaaaaceeeeiiiidnooooo ouuuuyty";
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 'A' && ch <= 'Z')
            out[n++] = (char)(ch - 'A' + 'a');
        else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[n++] = (char)ch;
        else if (ch == 0xC3 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0xBF) {
            char f = fold[(unsigned char)s[1] - 0x80];
            if (f != ' ')
                out[n++] = f;
            s++;
        }
    }
    out[n] = '\0';
    return n;
}

void demo_user_email(size_t i, char *out, size_t cap)
{
    char first[64], last[64];
    demo_slug(demo_users[i].first, first, sizeof(first));
    demo_slug(demo_users[i].last, last, sizeof(last));
    snprintf(out, cap, "%s.%s@%s", first, last, unit_domains[demo_users[i].unit]);
}
