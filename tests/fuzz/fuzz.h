/* fuzz.h - what the fuzz targets share with each other and with replay.c.
 *
 * A target checks properties, not only "no crash": FUZZ_CHECK prints which
 * property failed and aborts, so that libFuzzer saves the input as a crash
 * artifact and replay.c (the plain gcc build) fails. */
#ifndef MPP_FUZZ_H
#define MPP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                            \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "%s:%d: property violated: %s\n    ", __FILE__, __LINE__,    \
                    #cond);                                                              \
            fprintf(stderr, __VA_ARGS__);                                                \
            fputc('\n', stderr);                                                         \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* Under AddressSanitizer a buffer handed to the code under test is malloc'd
 * with its exact size, so that ASan reports a write past its end where it
 * happens; elsewhere FUZZ_GUARD canary bytes follow it and are checked. */
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_GUARD 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_GUARD 0
#endif
#endif
#ifndef FUZZ_GUARD
#define FUZZ_GUARD 16
#endif
#define FUZZ_CANARY 0xA5

/* A buffer of LEN bytes (plus the guard), every byte FUZZ_CANARY. */
static inline char *fuzz_buffer(size_t len)
{
    size_t size = len + FUZZ_GUARD > 0 ? len + FUZZ_GUARD : 1; /* never malloc(0) */
    char *b = malloc(size);
    if (b == NULL)
        abort();
    memset(b, FUZZ_CANARY, size);
    return b;
}

/* True when nothing was written into B's guard, past its first LEN bytes. */
static inline int fuzz_guard_intact(const char *b, size_t len)
{
    for (size_t i = len; i < len + FUZZ_GUARD; i++)
        if ((unsigned char)b[i] != FUZZ_CANARY)
            return 0;
    return 1;
}

/* A message is one line of printable bytes (UTF-8 from the input may pass). */
static inline int fuzz_one_line(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return 0;
    return 1;
}

#endif
