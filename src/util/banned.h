/*
 * banned.h - functions kith never calls, turned into compile errors (as git's banned.h does).
 * Every .c file under src/ includes it after all its other headers, so that no system header
 * sees the macros; scripts/check-banned (the ctest test lint_banned) fails on a file that
 * does not include it.
 */
#ifndef KITH_UTIL_BANNED_H
#define KITH_UTIL_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)

#endif
