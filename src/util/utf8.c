/*
 * utf8.c - UTF-8 validation (see utf8.h for what "valid" means). Runs of ASCII are checked
 * eight bytes at a time because nearly all CRM text is ASCII.
 */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

#include "util/banned.h"

#define HIGH_BITS 0x8080808080808080ULL
#define LOW_BITS  0x0101010101010101ULL

/* True if none of the eight bytes of w is NUL or has its high bit set. */
static bool word_is_plain_ascii(uint64_t w)
{
    return ((w | ((w - LOW_BITS) & ~w)) & HIGH_BITS) == 0;
}

bool utf8_is_valid(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (word_is_plain_ascii(w)) {
                i += 8;
                continue;
            }
        }
        unsigned char c = p[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            goto bad; /* NUL, continuation byte, C0/C1 overlong lead or F5..FF */
        }
        if (len - i <= need || p[i + 1] < lo || p[i + 1] > hi)
            goto bad;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
        i += need + 1;
    }
    return true;
bad:
    if (bad_at)
        *bad_at = i;
    return false;
}

#define EXCERPT_INPUT_MAX 40

char *utf8_excerpt(char *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i = 0;
    /* Each step writes at most 4 bytes; the bound leaves room for "..." and the NUL. */
    while (i < len && i < EXCERPT_INPUT_MAX && o + 8 < UTF8_EXCERPT_SIZE) {
        unsigned char c = (unsigned char)s[i];
        size_t bad = 0, n = 1;
        if (c >= 0x80) {
            n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (n > len - i || !utf8_is_valid(s + i, n, &bad))
                n = 0;
        }
        if (n == 0 || c < 0x20 || c == 0x7F) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
            i++;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    if (i < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}
