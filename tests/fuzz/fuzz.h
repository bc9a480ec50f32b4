/*
 * Shared by the libFuzzer targets in tests/fuzz: each is one file with
 * LLVMFuzzerTestOneInput, built with clang by `make fuzz` and linked
 * against the library built the same way (build/fuzz/).  A target that
 * finds a property broken calls fuzz_fail(), which aborts, so libFuzzer
 * keeps the input as a crash.
 */
#ifndef TYNDAU_FUZZ_H
#define TYNDAU_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a NUL-terminated string (it may hold NULs before the end). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

#define fuzz_fail(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "fuzz: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

#endif
