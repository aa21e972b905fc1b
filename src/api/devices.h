/*
 * devices.h - the customer's devices (docs/portal.md, "Devices"): the portal routes with which a
 * contact registers, lists, pauses and deletes its devices and reads their readings (devices.c),
 * and POST /api/v1/streams, where a device posts its readings as JSON lines with its own token
 * (streams.c), rate-limited per device by a token bucket (device_rate.c).
 */
#ifndef KITH_API_DEVICES_H
#define KITH_API_DEVICES_H

#include "api/api.h"

#define DEVICE_STREAMS_PATH  "/api/v1/streams"
#define DEVICE_TOKEN_PREFIX  "kithd_"     /* so that secret scanners know a device token */
#define DEVICE_PER_CONTACT   20           /* devices one contact may hold */
#define STREAMS_BODY_MAX     (512 * 1024) /* bytes of one batch: larger answers 413 */
#define STREAMS_LINES_MAX    1000         /* readings of one batch: more answers 413 */
#define STREAMS_ERRORS_SHOWN 100          /* rejected lines described in one answer */
#define READINGS_LIST_MAX    1000         /* readings in one page of the portal's list */

/* ---- the per-device rate (device_rate.c) ---- */

/*
 * Reads KITH_DEVICE_RATE (readings a second a device may keep sending, default 1000) and
 * KITH_DEVICE_BURST (readings it may send at once after a quiet spell, default 5000; at least
 * STREAMS_LINES_MAX, so that any allowed batch can pass). KITH_EINVAL naming the variable for a
 * value out of range. Call once before serving.
 */
int device_rate_init(struct kith_error *err);

/*
 * Takes n readings from device's bucket at now_ms: true when they were there. Otherwise nothing
 * is taken and *retry_s gets the whole seconds after which they will be (at least 1).
 * Thread-safe.
 */
bool device_rate_take(int64_t device_id, unsigned n, int64_t now_ms, unsigned *retry_s);

/* Forgets device's bucket (the device was deleted). */
void device_rate_forget(int64_t device_id);

/*
 * The devices of contact_id as the portal lists them (id, name, kind, state, times, readings;
 * never the token nor its hash): a new array the caller owns, or NULL with err filled. Shared by
 * GET /portal/api/devices and GET /portal/api/me.
 */
json_t *api_devices_json(struct store *s, int64_t contact_id, struct kith_error *err);

/* ---- handlers (routes.c) ---- */

void api_streams_post(struct api_request *req, struct api_response *res);
void api_portal_devices_list(struct api_request *req, struct api_response *res);
void api_portal_devices_create(struct api_request *req, struct api_response *res);
void api_portal_devices_update(struct api_request *req, struct api_response *res);
void api_portal_devices_delete(struct api_request *req, struct api_response *res);
void api_portal_devices_readings(struct api_request *req, struct api_response *res);

#endif
