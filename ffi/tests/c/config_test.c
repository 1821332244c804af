/*
 * The verifier's configuration from C: the builder's setters fill one
 * configuration that the core checks (an empty value is
 * MTATTEST_CONFIG_EMPTY, never "absent"; a refused setter changes
 * nothing), the setters added with it (require-nonce, crypto provider,
 * chain cache, replay peak rate), and mtattest_verifier_from_config_json.
 * Uses the conformance vectors' example phone token. Run under
 * AddressSanitizer (or valgrind) by ffi/scripts/test-c, against the library
 * built with its default features, which include aws-lc.
 *
 *   config_test TEST_VECTORS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"

#include "check.h"
#include "support.h"

static const int64_t now = 1790000000;
static const char *signer = "4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7";
static unsigned char *root_pem, *token;
static size_t root_pem_len, token_len;
static uint8_t nonce[32];

/* The vector's status under `v` with the vector's challenge (or none),
   or -1 when the call returned no result; `rc` receives the return. */
static int status_of(mtattest_verifier *v, int with_nonce, mtattest_result *rc) {
  mtattest_verify_result *r = NULL;
  *rc = mtattest_verify(v, token, token_len, with_nonce ? nonce : NULL, with_nonce ? sizeof nonce : 0,
                        now, &r);
  if (r == NULL) return -1;
  mtattest_status status = MTATTEST_STATUS_INVALID;
  CHECK_RC(mtattest_verify_result_status(r, &status), MTATTEST_OK);
  mtattest_verify_result_free(r);
  return (int)status;
}

/* Every configuration value refuses emptiness with the configuration's
   code, and a refused setter leaves the builder as it was. */
static void test_empty_values(void) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_status_list(b, (const uint8_t *)"x", 0), MTATTEST_CONFIG_EMPTY);
  CHECK(strstr(last_error(), "status-list") != NULL);
  CHECK_RC(mtattest_verifier_builder_set_status_list(b, (const uint8_t *)" \n\t", 3), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_status_list(b, NULL, 0), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_policy_json(b, "x", 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_policy_json(b, "  ", 2), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_bulletins(b, "x", 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_bulletins(b, "\n", 1), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_add_crl(b, (const uint8_t *)"x", 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, (const uint8_t *)" ", 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_algorithms(b, 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_crypto_provider(b, ""), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_crypto_provider(b, NULL), MTATTEST_ERR_NULL_POINTER);
  /* None of them changed anything: the token verifies, unappraised. */
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  mtattest_result rc = MTATTEST_OK;
  CHECK(status_of(v, 1, &rc) == MTATTEST_STATUS_NONE);
  CHECK_RC(rc, MTATTEST_OK);
  mtattest_verifier_free(v);
  mtattest_verifier_builder_free(b);
}

/* The setters that came with the configuration. */
static void test_new_setters(void) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_crypto_provider(b, "openssl"), MTATTEST_CONFIG_BAD_VALUE);
  CHECK_RC(mtattest_verifier_builder_set_crypto_provider(b, "RustCrypto"), MTATTEST_CONFIG_BAD_VALUE);
  /* The default build has aws-lc, and uses it unless told otherwise. */
  CHECK(mtattest_default_crypto_provider() != NULL &&
        strcmp(mtattest_default_crypto_provider(), "aws-lc") == 0);
  CHECK_RC(mtattest_verifier_builder_set_crypto_provider(b, "aws-lc"), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_crypto_provider(b, "rustcrypto"), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_chain_cache_size(b, 0), MTATTEST_CONFIG_BAD_VALUE);
  CHECK_RC(mtattest_verifier_builder_set_chain_cache_size(b, 16), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_replay_peak_rate(b, 0), MTATTEST_CONFIG_BAD_VALUE);
  CHECK_RC(mtattest_verifier_builder_set_replay_peak_rate(b, 50), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_require_nonce(NULL, true), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_require_nonce(b, true), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  /* No challenge: refused before anything is verified, no result. */
  mtattest_result rc = MTATTEST_OK;
  CHECK(status_of(v, 0, &rc) == -1);
  CHECK_RC(rc, MTATTEST_CONFIG_NONCE_REQUIRED);
  /* ... so the token was not consumed: it verifies, once. */
  CHECK(status_of(v, 1, &rc) == MTATTEST_STATUS_NONE);
  CHECK_RC(rc, MTATTEST_OK);
  CHECK(status_of(v, 1, &rc) == MTATTEST_STATUS_INVALID);
  CHECK_RC(rc, MTATTEST_REPLAY_SEEN);
  mtattest_verifier_free(v);
  mtattest_verifier_builder_free(b);
}

static mtattest_result from_json(const char *json, mtattest_verifier **v) {
  return mtattest_verifier_from_config_json(json, strlen(json), v);
}

/* A whole configuration as JSON. */
static void test_from_config_json(void) {
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_from_config_json(NULL, 0, &v), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_from_config_json("{}", 2, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_from_config_json("{}", 0, &v), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(from_json("{}", &v), MTATTEST_CONFIG_NO_ANCHORS);
  CHECK_RC(from_json("{\"anchors\": []}", &v), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(from_json("{\"anchors\": [{\"file\": \"root.pem\"}]}", &v), MTATTEST_CONFIG_UNAVAILABLE);
  CHECK(strstr(last_error(), "anchors[0].file") != NULL);
  CHECK_RC(from_json("{\"max-age\": 1}", &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_RC(from_json("[]", &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_RC(from_json("{\"limits\": {\"max-token-size\": 20000}}", &v),
           MTATTEST_CONFIG_LOOSER_THAN_PROFILE);
  CHECK(v == NULL);

  /* The anchors, a payment policy with the app signer, require-nonce. */
  char *json = malloc(root_pem_len * 2 + 1024);
  size_t n = 0;
  n += (size_t)sprintf(json + n, "{\"anchors\": [{\"pem\": \"");
  for (size_t i = 0; i < root_pem_len; i++) {
    if (root_pem[i] == '\n') {
      n += (size_t)sprintf(json + n, "\\n");
    } else {
      json[n++] = (char)root_pem[i];
    }
  }
  sprintf(json + n,
          "\"}], \"require-nonce\": true, \"policies\": {\"pay\": {\"preset\": \"payment\", "
          "\"app-signers\": [\"%s\"]}}, \"ear-profile\": \"ietf-draft-04\"}",
          signer);
  CHECK_RC(from_json(json, &v), MTATTEST_OK);
  if (v != NULL) {
    mtattest_result rc = MTATTEST_OK;
    CHECK(status_of(v, 0, &rc) == -1);
    CHECK_RC(rc, MTATTEST_CONFIG_NONCE_REQUIRED);
    mtattest_verify_result *r = NULL;
    CHECK_RC(mtattest_verify(v, token, token_len, nonce, sizeof nonce, now, &r), MTATTEST_OK);
    mtattest_status status = MTATTEST_STATUS_INVALID;
    CHECK_RC(mtattest_verify_result_status(r, &status), MTATTEST_OK);
    CHECK(status == MTATTEST_STATUS_AFFIRMING);
    const char *ear = NULL;
    CHECK_RC(mtattest_verify_result_ear_json(r, &ear, NULL), MTATTEST_OK);
    CHECK(ear != NULL && strstr(ear, "\"ear_status\": \"affirming\"") != NULL);
    mtattest_verify_result_free(r);
  }
  mtattest_verifier_free(v);
  free(json);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: config_test TEST_VECTORS_DIR\n");
    return 2;
  }
  root_pem = read_file(argv[1], "anchors/root.pem", &root_pem_len);
  token = read_file(argv[1], "tokens/valid-es384-example-phone.cbor", &token_len);
  const char *hex = "a0e6e3acdfc0f09dc315a8f7b0b597a5cf340df2f55ebc995ca6bc138b492b31";
  for (size_t i = 0; i < sizeof nonce; i++) {
    unsigned int byte = 0;
    sscanf(hex + 2 * i, "%2x", &byte);
    nonce[i] = (uint8_t)byte;
  }
  test_empty_values();
  test_new_setters();
  test_from_config_json();
  free(root_pem);
  free(token);
  printf("config: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
