/*
 * The check macros of the C tests (ffi/scripts/test-c): each test file
 * counts its passed and failed checks and prints a failed one with its
 * file, line and, for a call, the result code and the library's message.
 * Included by one translation unit per test program.
 */
#ifndef MTATTEST_TEST_CHECK_H
#define MTATTEST_TEST_CHECK_H

#include <stdio.h>

#include "mtattest.h"

static int passed, failed;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      passed++;                                                       \
    } else {                                                          \
      failed++;                                                       \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

/* rc must be `want`; on a mismatch both names are shown. */
#define CHECK_RC(call, want)                                                             \
  do {                                                                                   \
    mtattest_result rc_ = (call);                                                        \
    if (rc_ == (want)) {                                                                 \
      passed++;                                                                          \
    } else {                                                                             \
      failed++;                                                                          \
      char msg_[256] = "";                                                               \
      size_t len_ = 0;                                                                   \
      mtattest_last_error(msg_, sizeof msg_, &len_);                                     \
      fprintf(stderr, "FAIL %s:%d: %s gave %s, expected %s (%s)\n", __FILE__, __LINE__, \
              #call, mtattest_result_code(rc_), mtattest_result_code(want), msg_);       \
    }                                                                                    \
  } while (0)

#endif
