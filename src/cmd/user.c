/*
 * user.c - kith user: accounts and API tokens from the command line, for bootstrap (the first
 * administrator) and recovery (a forgotten password, a leaked token). Every change is written
 * to the audit log with the client address "cli".
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/num.h"
#include "util/password.h"
#include "util/secret.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#include "util/banned.h"

/* Room for a row of users (model/tables.c); checked against the model before use. */
#define USER_FIELDS_MAX 16

#define EMAIL_MAX      254
#define NAME_MAX_BYTES 200
#define TOKEN_NAME_MAX 100

static const char usage[] =
    "usage: kith user add EMAIL --name NAME --role ROLE [--unit UNIT] [--team TEAM]\n"
    "                     [--password-stdin]\n"
    "       kith user passwd EMAIL [--password-stdin]\n"
    "       kith user set EMAIL [--role ROLE] [--unit UNIT] [--team TEAM]\n"
    "       kith user disable EMAIL\n"
    "       kith user enable EMAIL\n"
    "       kith user token EMAIL --name NAME\n"
    "       kith user token EMAIL --list\n"
    "       kith user token EMAIL --revoke ID\n"
    "       kith user list\n"
    "(each also takes --db PATH)\n\n"
    "Manages who may sign in to kith serve.\n"
    "  add       creates a user; ROLE is admin, executive, manager, frontline, partner or\n"
    "            analyst; UNIT and TEAM are names of existing units and teams\n"
    "  passwd    sets a new password, ends the user's sessions, revokes their tokens\n"
    "  set       gives the user another role, unit or team ('' for none); a change ends\n"
    "            their sessions and revokes their tokens\n"
    "  disable   stops the user from signing in, ends their sessions, revokes their tokens\n"
    "  enable    lets a disabled user sign in again (tokens stay revoked)\n"
    "  list      lists the users: id, email, name, role, unit, team, whether disabled\n"
    "  token     creates an API token (printed once, on stdout), lists them, or revokes one;\n"
    "            revoking one ends all the user's sessions and tokens\n"
    "  --password-stdin   read the password from the first line of standard input; without\n"
    "                     it a random 24-character password is made and printed once\n"
    "Passwords have 12 to 128 characters.\n";

struct user_opts {
    const char *db, *name, *role, *unit, *team, *revoke;
    bool password_stdin, list;
    const char *email;
};

static int audit(struct store *s, const char *action, const char *table, int64_t record_id,
                 const char *detail, struct kith_error *err)
{
    struct store_audit_entry e = {.action = action,
                                  .table_name = table,
                                  .record_id = record_id,
                                  .client_addr = "cli",
                                  .detail = detail};
    return store_audit_insert(s, &e, NULL, err);
}

/*
 * Reads the first line of stdin (without its line end) into buf (size bytes); a longer line
 * or none is an error. NUL bytes are kept, so the password policy can refuse them.
 */
static int read_line(char *buf, size_t size, size_t *len, struct kith_error *err)
{
    size_t n = 0;
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (n + 1 >= size)
            return kith_err(err, KITH_EINVAL, "the password is longer than %d characters",
                            PASSWORD_MAX_CHARS);
        buf[n++] = (char)c;
    }
    if (n == 0 && c == EOF)
        return kith_err(err, KITH_EINVAL,
                        "no password on standard input (--password-stdin reads its first line)");
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return 0;
}

/*
 * Makes the argon2id hash of the password from stdin (with --password-stdin) or of a new
 * random one, which is then copied to generated (else generated is "").
 */
static int new_password_hash(bool from_stdin, char hash[PASSWORD_HASH_SIZE],
                             char generated[PASSWORD_GENERATED_SIZE], struct kith_error *err)
{
    char pw[PASSWORD_MAX_BYTES + 2];
    size_t len = 0;
    int rc = 0;
    generated[0] = '\0';
    if (from_stdin) {
        rc = read_line(pw, sizeof(pw), &len, err);
    } else {
        password_generate(generated);
        len = strlen(generated);
        memcpy(pw, generated, len + 1);
    }
    if (rc == 0)
        rc = password_hash(pw, len, hash, err);
    secret_wipe(pw, sizeof(pw));
    return rc;
}

static bool email_ok(const char *email)
{
    size_t n = strlen(email);
    const char *at = strchr(email, '@');
    if (n == 0 || n > EMAIL_MAX || !at || at == email || !at[1] || !utf8_is_valid(email, n, NULL))
        return false;
    for (const char *p = email; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

static int user_add(struct store *s, const struct user_opts *o, struct kith_error *err)
{
    const struct table_def *users = model_table("users");
    if (!o->name || !o->role)
        return kith_err(err, KITH_EINVAL, "user add needs --name and --role");
    if (!email_ok(o->email))
        return kith_err(err, KITH_EINVAL, "'%s' is not an email address (at most %d bytes)",
                        o->email, EMAIL_MAX);
    size_t nlen = strlen(o->name);
    if (nlen == 0 || nlen > NAME_MAX_BYTES || !utf8_is_valid(o->name, nlen, NULL))
        return kith_err(err, KITH_EINVAL, "--name must be 1 to %d bytes of UTF-8 text",
                        NAME_MAX_BYTES);
    if (!field_enum_ok(table_field(users, "role", NULL), o->role))
        return kith_err(err, KITH_EINVAL,
                        "unknown role '%s': use admin, executive, manager, frontline, partner or"
                        " analyst",
                        o->role);
    int64_t unit_id = 0, team_id = 0, id = 0;
    int rc;
    if (o->unit &&
        (rc = store_find_id(s, model_table("units"), "name", o->unit, &unit_id, err)) < 0)
        return rc;
    if (o->team &&
        (rc = store_find_id(s, model_table("teams"), "name", o->team, &team_id, err)) < 0)
        return rc;

    char hash[PASSWORD_HASH_SIZE], generated[PASSWORD_GENERATED_SIZE];
    if ((rc = new_password_hash(o->password_stdin, hash, generated, err)) < 0)
        return rc;
    struct store_user_new u = {.email = o->email,
                               .name = o->name,
                               .role = o->role,
                               .unit_id = unit_id,
                               .team_id = team_id,
                               .password_hash = hash};
    if ((rc = store_begin(s, err)) < 0)
        goto out_wipe;
    if ((rc = store_user_add(s, &u, &id, err)) < 0 ||
        (rc = audit(s, "create", "users", id, "kith user add", err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        goto out_wipe;
    }
    printf("added user %" PRId64 ": %s (%s)\n", id, o->email, o->role);
    if (generated[0])
        printf("password (shown only now): %s\n", generated);
out_wipe:
    secret_wipe(generated, sizeof(generated));
    return rc;
}

static int print_user(void *ctx, const struct store_user_listed *u)
{
    (void)ctx;
    printf("%6" PRId64 "  %-32s  %-24s  %-10s  %-16s  %-16s  %s\n", u->id, u->email, u->name,
           u->role, u->unit, u->team, u->disabled ? "disabled" : "");
    return 0;
}

static int user_list(struct store *s, struct kith_error *err)
{
    printf("%6s  %-32s  %-24s  %-10s  %-16s  %-16s  %s\n", "ID", "EMAIL", "NAME", "ROLE", "UNIT",
           "TEAM", "STATUS");
    return store_user_list(s, print_user, NULL, err);
}

static int find_user(struct store *s, const char *email, struct store_user_auth *u,
                     struct kith_error *err)
{
    return store_user_find_by_email(s, email, u, err);
}

/* How the command line ends a user's credentials: all of them (it holds none to keep). */
static struct store_credential_end ending(int64_t user_id, const char *why)
{
    return (struct store_credential_end){.user_id = user_id, .why = why, .client_addr = "cli"};
}

static int user_passwd(struct store *s, const struct user_opts *o, struct kith_error *err)
{
    struct store_user_auth u;
    char hash[PASSWORD_HASH_SIZE], generated[PASSWORD_GENERATED_SIZE];
    int rc;
    if ((rc = find_user(s, o->email, &u, err)) < 0)
        return rc;
    if ((rc = new_password_hash(o->password_stdin, hash, generated, err)) < 0)
        return rc;
    if ((rc = store_begin(s, err)) < 0)
        goto out_wipe;
    struct store_credential_end end = ending(u.id, "password_change");
    if ((rc = store_user_set_password(s, &end, hash, store_now_ms(), err)) < 0 ||
        (rc = audit(s, "password_change", "users", u.id, "kith user passwd", err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        goto out_wipe;
    }
    printf("password of %s changed; their sessions have ended, their API tokens are revoked\n",
           u.email);
    if (generated[0])
        printf("password (shown only now): %s\n", generated);
out_wipe:
    secret_wipe(generated, sizeof(generated));
    return rc;
}

/* The id of the unit or team named name into *id; "" is none (0). */
static int find_named(struct store *s, const char *table, const char *name, int64_t *id,
                      struct kith_error *err)
{
    *id = 0;
    return *name ? store_find_id(s, model_table(table), "name", name, id, err) : 0;
}

static int user_set(struct store *s, const struct user_opts *o, struct kith_error *err)
{
    const struct table_def *users = model_table("users");
    struct store_user_auth u;
    struct store_value vals[USER_FIELDS_MAX] = {{0}};
    bool set[USER_FIELDS_MAX] = {false};
    int64_t unit_id = 0, team_id = 0;
    int rc;
    if (users->nfields > sizeof(vals) / sizeof(vals[0]))
        BUG("users has %zu fields", users->nfields);
    if (!o->role && !o->unit && !o->team)
        return kith_err(err, KITH_EINVAL, "user set needs --role, --unit or --team");
    if (o->role && !field_enum_ok(table_field(users, "role", NULL), o->role))
        return kith_err(err, KITH_EINVAL,
                        "unknown role '%s': use admin, executive, manager, frontline, partner or"
                        " analyst",
                        o->role);
    if ((rc = find_user(s, o->email, &u, err)) < 0 ||
        (o->unit && (rc = find_named(s, "units", o->unit, &unit_id, err)) < 0) ||
        (o->team && (rc = find_named(s, "teams", o->team, &team_id, err)) < 0))
        return rc;
    /* Only a real change ends credentials, as through the API (api/users.c). */
    const char *why = o->team && team_id != u.team_id ? "team_change" : NULL;
    why = o->unit && unit_id != u.unit_id ? "unit_change" : why;
    why = o->role && strcmp(o->role, u.role) != 0 ? "role_change" : why;
    if (!why) {
        printf("%s: nothing to change\n", u.email);
        return 0;
    }
    size_t i;
    if (o->role) {
        table_field(users, "role", &i);
        vals[i] = (struct store_value){.kind = SV_TEXT, .s = o->role, .len = strlen(o->role)};
        set[i] = true;
    }
    if (o->unit) {
        table_field(users, "unit_id", &i);
        vals[i] = (struct store_value){.kind = unit_id ? SV_INT : SV_NULL, .i = unit_id};
        set[i] = true;
    }
    if (o->team) {
        table_field(users, "team_id", &i);
        vals[i] = (struct store_value){.kind = team_id ? SV_INT : SV_NULL, .i = team_id};
        set[i] = true;
    }
    struct store_credential_end end = ending(u.id, why);
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    if ((rc = store_update(s, users, u.id, vals, set, err)) < 0 ||
        (rc = audit(s, "update", "users", u.id, "kith user set", err)) < 0 ||
        (rc = store_user_end_credentials(s, &end, store_now_ms(), NULL, err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        return rc;
    }
    printf("%s changed: sessions ended, API tokens revoked\n", u.email);
    return 0;
}

static int user_disable(struct store *s, const struct user_opts *o, bool disable,
                        struct kith_error *err)
{
    struct store_user_auth u;
    int rc;
    if ((rc = find_user(s, o->email, &u, err)) < 0)
        return rc;
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    struct store_credential_end end = ending(u.id, "user_disable");
    if ((rc = store_user_set_disabled(s, &end, disable, store_now_ms(), err)) < 0 ||
        (rc = audit(s, disable ? "user_disable" : "user_enable", "users", u.id,
                    disable ? "kith user disable" : "kith user enable", err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        return rc;
    }
    if (disable)
        printf("%s disabled: sessions ended, API tokens revoked\n", u.email);
    else
        printf("%s enabled\n", u.email);
    return 0;
}

static const char *time_text(int64_t ms, char buf[TIMEFMT_SIZE])
{
    if (!ms)
        return "-";
    timefmt_format(ms, buf);
    return buf;
}

static int print_token(void *ctx, const struct store_token *t)
{
    char created[TIMEFMT_SIZE], used[TIMEFMT_SIZE], revoked[TIMEFMT_SIZE];
    (void)ctx;
    printf("%6" PRId64 "  %-24s  %-24s  %-24s  %s\n", t->id, t->name,
           time_text(t->created_at, created), time_text(t->last_used_at, used),
           time_text(t->revoked_at, revoked));
    return 0;
}

static int token_create(struct store *s, const struct store_user_auth *u, const char *name,
                        struct kith_error *err)
{
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > TOKEN_NAME_MAX || !utf8_is_valid(name, nlen, NULL))
        return kith_err(err, KITH_EINVAL, "--name must be 1 to %d bytes of UTF-8 text",
                        TOKEN_NAME_MAX);
    char secret[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE];
    int64_t id = 0;
    int rc;
    secret_new("kith_", secret);
    secret_hash(secret, strlen(secret), hash);
    if ((rc = store_begin(s, err)) < 0)
        goto out_wipe;
    if ((rc = store_token_create(s, u->id, name, hash, store_now_ms(), &id, err)) < 0 ||
        (rc = audit(s, "token_create", "api_tokens", id, name, err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        goto out_wipe;
    }
    fprintf(stderr, "API token %" PRId64 " '%s' of %s created; it is shown only now:\n", id, name,
            u->email);
    printf("%s\n", secret);
out_wipe:
    secret_wipe(secret, sizeof(secret));
    return rc;
}

static int token_revoke(struct store *s, const struct store_user_auth *u, const char *arg,
                        struct kith_error *err)
{
    int64_t id;
    struct store_token t;
    int rc;
    if (num_int64(arg, 1, INT64_MAX, &id, "--revoke", NULL) < 0)
        return kith_err(err, KITH_EINVAL, "--revoke wants a token id (see --list); got '%s'", arg);
    if ((rc = store_token_get(s, id, &t, err)) < 0 || t.user_id != u->id)
        return kith_err(err, KITH_ENOTFOUND, "%s has no API token %lld", u->email, (long long)id);
    if (t.revoked_at) {
        printf("API token %lld was revoked already\n", (long long)id);
        return 0;
    }
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    int64_t now = store_now_ms();
    struct store_credential_end end = ending(u->id, "token_revoke");
    if ((rc = store_token_revoke(s, id, now, err)) < 0 ||
        (rc = audit(s, "token_revoke", "api_tokens", id, "kith user token --revoke", err)) < 0 ||
        (rc = store_user_end_credentials(s, &end, now, NULL, err)) < 0 ||
        (rc = store_commit(s, err)) < 0) {
        store_rollback(s);
        return rc;
    }
    printf("API token %lld '%s' of %s revoked, with their other tokens and their sessions\n",
           (long long)id, t.name, u->email);
    return 0;
}

static int user_token(struct store *s, const struct user_opts *o, struct kith_error *err)
{
    struct store_user_auth u;
    int rc;
    if ((rc = find_user(s, o->email, &u, err)) < 0)
        return rc;
    if (o->list) {
        printf("%6s  %-24s  %-24s  %-24s  %s\n", "ID", "NAME", "CREATED", "LAST USED", "REVOKED");
        return store_token_list(s, u.id, print_token, NULL, err);
    }
    if (o->revoke)
        return token_revoke(s, &u, o->revoke, err);
    return token_create(s, &u, o->name, err);
}

/* Which options each action takes. */
static const char *misplaced_option(const char *action, const struct user_opts *o)
{
    bool add = strcmp(action, "add") == 0, token = strcmp(action, "token") == 0;
    bool passwd = strcmp(action, "passwd") == 0, set = strcmp(action, "set") == 0;
    if (o->role && !add && !set)
        return "--role";
    if (o->unit && !add && !set)
        return "--unit";
    if (o->team && !add && !set)
        return "--team";
    if (o->password_stdin && !add && !passwd)
        return "--password-stdin";
    if (o->name && !add && !token)
        return "--name";
    if (o->list && !token)
        return "--list";
    if (o->revoke && !token)
        return "--revoke";
    return NULL;
}

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'}, {"unit", required_argument, NULL, 'u'},
        {"team", required_argument, NULL, 't'}, {"password-stdin", no_argument, NULL, 'p'},
        {"list", no_argument, NULL, 'l'},       {"revoke", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},       {0}};
    struct user_opts o = {0};
    if (argc < 2 || cmd_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    const char *action = argv[1];
    bool list = strcmp(action, "list") == 0;
    int c;
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.db = optarg;
            break;
        case 'n':
            o.name = optarg;
            break;
        case 'r':
            o.role = optarg;
            break;
        case 'u':
            o.unit = optarg;
            break;
        case 't':
            o.team = optarg;
            break;
        case 'p':
            o.password_stdin = true;
            break;
        case 'l':
            o.list = true;
            break;
        case 'R':
            o.revoke = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("user", "unknown option");
        }
    }
    int rest = argc - 1 - optind;
    if (list) {
        if (rest != 0)
            return cmd_usage_error("user", "list takes no EMAIL");
        if (o.name || o.role || o.unit || o.team || o.password_stdin || o.list || o.revoke)
            return cmd_usage_error("user", "list takes only --db");
        struct store *s = cmd_open_store(o.db, STORE_READONLY | STORE_PG_READY);
        if (!s)
            return CMD_FAIL;
        struct kith_error err = {0};
        int rc = user_list(s, &err);
        store_close(s);
        return rc < 0 ? cmd_fail(&err) : CMD_OK;
    }
    if (rest != 1)
        return cmd_usage_error("user", rest ? "one EMAIL, please" : "%s needs the user's EMAIL",
                               action);
    o.email = argv[1 + optind];
    const char *bad = misplaced_option(action, &o);
    if (bad)
        return cmd_usage_error("user", "%s does not take %s", action, bad);
    if (strcmp(action, "token") == 0 && (!!o.name + o.list + !!o.revoke) != 1)
        return cmd_usage_error("user", "token needs one of --name NAME, --list, --revoke ID");

    int (*run)(struct store *, const struct user_opts *, struct kith_error *) = NULL;
    bool disable = false;
    if (strcmp(action, "add") == 0)
        run = user_add;
    else if (strcmp(action, "passwd") == 0)
        run = user_passwd;
    else if (strcmp(action, "set") == 0)
        run = user_set;
    else if (strcmp(action, "token") == 0)
        run = user_token;
    else if (strcmp(action, "disable") == 0 || strcmp(action, "enable") == 0)
        disable = action[0] == 'd';
    else
        return cmd_usage_error(
            "user", "unknown action '%s' (add, list, passwd, set, disable, enable, token)", action);

    /* add runs on PostgreSQL too (its store calls are on db.h); the others not yet */
    struct store *s = cmd_open_store(o.db, run == user_add ? STORE_PG_READY : 0);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    int rc = run ? run(s, &o, &err) : user_disable(s, &o, disable, &err);
    store_close(s);
    return rc < 0 ? cmd_fail(&err) : CMD_OK;
}
