/*
 * One case of the configuration matrix (tests/config-matrix/) through the
 * C ABI: the configuration as a whole (mtattest_verifier_from_config_json),
 * then mtattest_verify() of the token with the challenge. Prints the
 * outcome in the matrix's terms, one line:
 *
 *   config-error CODE | invalid CODE | valid STATUS ACTION
 *
 *   config_matrix CONFIG.json TOKEN TIME NONCE_HEX|-
 *   config_matrix --default-crypto-provider
 *
 * The second form prints the library's default provider ("aws-lc" or
 * "rustcrypto"), which decides the expectations of the aws-lc cases.
 * "-" is no challenge; "" is an empty one (a non-NULL pointer, length 0).
 * Driven by ffi/scripts/config-matrix.py, which compares with the matrix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"
#include "support.h"

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static const char *status_name(mtattest_status s) {
  switch (s) {
    case MTATTEST_STATUS_NONE:
      return "none";
    case MTATTEST_STATUS_AFFIRMING:
      return "affirming";
    case MTATTEST_STATUS_WARNING:
      return "warning";
    case MTATTEST_STATUS_CONTRAINDICATED:
      return "contraindicated";
    default:
      return "invalid";
  }
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--default-crypto-provider") == 0) {
    const char *name = mtattest_default_crypto_provider();
    printf("%s\n", name != NULL ? name : "none");
    return 0;
  }
  if (argc != 5) {
    fprintf(stderr, "usage: config_matrix CONFIG.json TOKEN TIME NONCE_HEX|-\n");
    return 2;
  }
  size_t config_len = 0, token_len = 0;
  unsigned char *config = read_file(NULL, argv[1], &config_len);
  unsigned char *token = read_file(NULL, argv[2], &token_len);
  int64_t now = strtoll(argv[3], NULL, 10);
  const char *hex = argv[4];
  /* The test's own decoding of the matrix's hex; a byte more than needed
     so that an empty challenge still has a non-NULL pointer. */
  size_t nonce_len = strlen(hex) / 2;
  uint8_t *nonce = malloc(nonce_len + 1);
  int no_nonce = strcmp(hex, "-") == 0;
  for (size_t i = 0; !no_nonce && i < nonce_len; i++) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0 || strlen(hex) % 2 != 0) {
      fprintf(stderr, "not hex: %s\n", hex);
      return 2;
    }
    nonce[i] = (uint8_t)(hi << 4 | lo);
  }

  mtattest_verifier *v = NULL;
  mtattest_result rc = mtattest_verifier_from_config_json((const char *)config, config_len, &v);
  if (rc != MTATTEST_OK) {
    if (v != NULL) fprintf(stderr, "a verifier after a refused configuration\n");
    printf("config-error %s\n", mtattest_result_code(rc));
  } else {
    mtattest_verify_result *r = NULL;
    rc = mtattest_verify(v, token, token_len, no_nonce ? NULL : nonce, no_nonce ? 0 : nonce_len, now,
                         &r);
    if (r == NULL) {
      printf("config-error %s\n", mtattest_result_code(rc));
    } else {
      mtattest_status status = MTATTEST_STATUS_INVALID;
      mtattest_verify_result_status(r, &status);
      if (status == MTATTEST_STATUS_INVALID) {
        const char *code = NULL;
        mtattest_verify_result_error_code(r, &code);
        printf("invalid %s\n", code ? code : "(none)");
      } else {
        const char *ear = NULL;
        char action[32] = "(none)";
        if (mtattest_verify_result_ear_json(r, &ear, NULL) == MTATTEST_OK) {
          const char *key = "\"mtattest.action\": \"";
          const char *at = strstr(ear, key);
          if (at != NULL) {
            at += strlen(key);
            size_t n = strcspn(at, "\"");
            if (n < sizeof action) {
              memcpy(action, at, n);
              action[n] = 0;
            }
          }
        }
        printf("valid %s %s\n", status_name(status), action);
      }
      mtattest_verify_result_free(r);
    }
    mtattest_verifier_free(v);
  }
  free(nonce);
  free(config);
  free(token);
  return 0;
}
