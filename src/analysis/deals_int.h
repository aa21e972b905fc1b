/*
 * deals_int.h - what the files of the deal analyses share (deals.c, deals_quota.c): not for
 * the doors, which use analysis/deals.h.
 */
#ifndef KITH_ANALYSIS_DEALS_INT_H
#define KITH_ANALYSIS_DEALS_INT_H

#include "analysis/deals.h"

/* The engine's item of deal i of d, in group, counting amount. */
struct deal_item deals_item_of(const struct deal_data *d, size_t i, size_t group, int64_t amount);

/* The index of user id in d->users, or DEALS_NONE (also for id 0). */
size_t deals_user_index(const struct deal_data *d, int64_t id);
/* The same for deal x's owner, from the index the loader keeps (no search). */
size_t deals_owner_index(const struct deal_data *d, const struct deal_rec *x);

/* The management chains of d's users (deals_org_build()). */
int deals_org_of(const struct deal_data *d, struct deals_org *org, struct kith_error *err);

/* *param = name and KITH_EINVAL with msg in err. */
int deals_bad_param(const char **param, const char *name, struct kith_error *err, const char *msg);

/* The quota analysis over r->d (deals and quotas loaded; r->org when by manager): fills
 * r->quota_rows and r->quota_total. */
int deals_quota_run(struct deals_report *r, struct kith_error *err);

#endif
