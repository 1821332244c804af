/*
 * What the C test programs (ffi/scripts/test-c) share besides their checks
 * (check.h): reading a whole fixture file and the library's last message.
 * Included by one translation unit per test program; `static inline` so a
 * program that uses only one of them compiles without warnings.
 */
#ifndef MTATTEST_TEST_SUPPORT_H
#define MTATTEST_TEST_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"

/* The whole file `dir/name` (`name` alone when `dir` is NULL), followed by
 * a NUL that `*len` does not count. A file that cannot be opened or read
 * ends the program with exit code 2: a fixture missing is not a failed
 * check. */
static inline unsigned char *read_file(const char *dir, const char *name, size_t *len) {
  char path[4096];
  if (dir != NULL) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
  } else {
    snprintf(path, sizeof path, "%s", name);
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  size_t cap = 1 << 16, n = 0, got;
  unsigned char *buf = malloc(cap + 1);
  while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      cap *= 2;
      unsigned char *bigger = realloc(buf, cap + 1);
      if (bigger == NULL) free(buf);
      buf = bigger;
    }
  }
  int read_failed = ferror(f);
  fclose(f);
  if (buf == NULL || read_failed) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

/* The message of the calling thread's last error, or "(too long)". */
static inline char *last_error(void) {
  static char msg[1024];
  size_t len = 0;
  msg[0] = 0;
  if (mtattest_last_error(msg, sizeof msg, &len) != MTATTEST_OK) strcpy(msg, "(too long)");
  return msg;
}

#endif
