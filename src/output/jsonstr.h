/* jsonstr.h: bytes from the capture as a JSON string (json.c). */
#ifndef INTERIM_JSONSTR_H
#define INTERIM_JSONSTR_H

#include <stddef.h>

/* The most jsonstr_put stores for n bytes: 6 a byte, and the quotes. */
#define JSONSTR_MOST(n) (6 * (n) + 2)

/* Writes the n bytes at s (s[n] is a NUL) at o as a JSON string, quotes
 * included, and returns the end. Valid UTF-8 is copied as it is, except
 * C1 controls (U+0080 to U+009F), written \u0080 like the C0 ones. A byte
 * that is not part of valid UTF-8 is written as the four characters \xHH
 * (the JSON text "\\xHH"), and so is a backslash from the capture (\x5c):
 * in the decoded string a backslash always begins such an escape. */
char *jsonstr_put(char *o, const char *s, size_t n);

/* Its table, made once before the first jsonstr_put. */
void jsonstr_init(void);

#endif
