/*
 * The C API's contract, checked from C: result codes for NULL pointers,
 * zero lengths, short buffers, invalid UTF-8, handles of the wrong kind
 * and bad values; the last-error message; the size queries; the signing
 * callback's failure modes; a produce-and-verify round trip with the test
 * PKI (PEM and DER chains, both x5chain placements, the CWT tag); and one
 * verifier shared by several threads. Run under AddressSanitizer (or
 * valgrind) by ffi/scripts/test-c.
 *
 *   api_test PKI_DIR CLAIMS.json TIME
 *
 * PKI_DIR is what `mtattest pki` writes; TIME lies shortly after the
 * claims' iat.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"

#include "check.h"
#include "support.h"

/* ---- Signing callbacks ---- */

struct tee {
  mtattest_signer *key;
  int calls;
  int mode; /* 0 sign, 1 fail, 2 write DER-sized output, 3 claim too much */
};

static int tee_sign(void *user, const uint8_t *tbs, size_t tbs_len, uint8_t *sig_out,
                    size_t sig_cap, size_t *sig_len) {
  struct tee *tee = user;
  tee->calls++;
  if (sig_cap < 96) return -2;
  switch (tee->mode) {
    case 1:
      return 7;
    case 2:
      memset(sig_out, 0x30, 104);
      *sig_len = 104;
      return 0;
    case 3:
      *sig_len = sig_cap + 1;
      return 0;
    default:
      return mtattest_signer_sign(tee->key, tbs, tbs_len, sig_out, sig_cap, sig_len) == MTATTEST_OK
                 ? 0
                 : -1;
  }
}

/* ---- Fixtures ---- */

static const char *pki;
static unsigned char *claims, *root_pem, *root_der, *chain_pem, *device_der, *inter_der, *key_pem;
static size_t claims_len, root_pem_len, root_der_len, chain_pem_len, device_der_len, inter_der_len,
    key_pem_len;
static int64_t now;
static uint8_t nonce[32];

static mtattest_verifier *new_verifier(int require_protected) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  if (require_protected) {
    CHECK_RC(mtattest_verifier_builder_set_require_protected_x5chain(b, true), MTATTEST_OK);
  }
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  mtattest_verifier_builder_free(b);
  return v;
}

/* Issues the example claims with `signer`, the fixture nonce (its last
 * byte set to `variant`) and `chain`; returns a malloc'd token. */
static uint8_t *issue(const mtattest_signer *signer, const uint8_t *chain, size_t chain_len,
                      uint32_t flags, uint8_t variant, size_t *len) {
  uint8_t n[32];
  memcpy(n, nonce, sizeof n);
  n[31] = variant;
  /* A cti of its own, or the replay cache would take it for the same token. */
  char *c = malloc(claims_len + 1);
  memcpy(c, claims, claims_len + 1);
  char *cti = strstr(c, "\"cti\": \"");
  if (cti != NULL) {
    char hex[3];
    snprintf(hex, sizeof hex, "%02x", variant);
    memcpy(cti + 8, hex, 2);
  }
  size_t needed = 0;
  mtattest_result rc =
      mtattest_issue(signer, c, claims_len, n, sizeof n, chain, chain_len, flags, NULL, 0, &needed);
  if (rc != MTATTEST_ERR_BUFFER_TOO_SMALL) {
    fprintf(stderr, "size query: %s: %s\n", mtattest_result_code(rc), last_error());
    free(c);
    return NULL;
  }
  uint8_t *token = malloc(needed);
  rc = mtattest_issue(signer, c, claims_len, n, sizeof n, chain, chain_len, flags, token, needed, len);
  free(c);
  if (rc != MTATTEST_OK || *len != needed) {
    fprintf(stderr, "issue: %s: %s\n", mtattest_result_code(rc), last_error());
    free(token);
    return NULL;
  }
  return token;
}

/* ---- Tests ---- */

static void test_lookups(void) {
  CHECK(strcmp(mtattest_version(), "0.1.0") == 0);
  CHECK(strcmp(mtattest_result_code(MTATTEST_OK), "ok") == 0);
  CHECK(strcmp(mtattest_result_code(MTATTEST_CHAIN_EXPIRED), "chain.expired") == 0);
  CHECK(strcmp(mtattest_result_code(MTATTEST_CBOR_TRUNCATED), "cbor.truncated") == 0);
  CHECK(strcmp(mtattest_result_code(MTATTEST_EAR_WRONG_PROFILE), "ear.wrong-profile") == 0);
  CHECK(strcmp(mtattest_result_code(MTATTEST_ERR_NULL_POINTER), "ffi.null-pointer") == 0);
  CHECK(mtattest_result_code(12345) == NULL);
  CHECK(mtattest_result_code(-1) == NULL);
}

static void test_last_error(void) {
  mtattest_verifier_builder *b = NULL;
  CHECK_RC(mtattest_verifier_builder_new(NULL), MTATTEST_ERR_NULL_POINTER);
  size_t len = 0;
  CHECK_RC(mtattest_last_error(NULL, 0, &len), MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK(len == strlen("out is NULL") + 1);
  char tiny[4];
  CHECK_RC(mtattest_last_error(tiny, sizeof tiny, &len), MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(mtattest_last_error(NULL, 8, &len), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_last_error(tiny, sizeof tiny, NULL), MTATTEST_ERR_NULL_POINTER);
  /* Reading it does not change it. */
  CHECK(strcmp(last_error(), "out is NULL") == 0);
  CHECK(strcmp(last_error(), "out is NULL") == 0);
  /* A call that succeeds clears it. */
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK(strcmp(last_error(), "") == 0);
  CHECK_RC(mtattest_last_error(NULL, 0, &len), MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK(len == 1);
  mtattest_verifier_builder_free(b);
}

static void test_builder_arguments(void) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(NULL, root_pem, root_pem_len),
           MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, NULL, 10), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, (const uint8_t *)"junk", 4),
           MTATTEST_CHAIN_BAD_ANCHOR);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, key_pem, key_pem_len), MTATTEST_CHAIN_BAD_ANCHOR);
  CHECK(strstr(last_error(), "PRIVATE KEY") != NULL);
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_CONFIG_NO_ANCHORS);
  CHECK(v == NULL);
  CHECK_RC(mtattest_verifier_builder_build(b, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_algorithms(b, 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_algorithms(b, 4), MTATTEST_CONFIG_BAD_VALUE);
  CHECK_RC(mtattest_verifier_builder_set_algorithms(b, MTATTEST_ALG_ES384), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_freshness(b, 600, 30), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile(NULL, MTATTEST_EAR_PROFILE_IETF_DRAFT_04),
           MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile(b, 2), MTATTEST_CONFIG_BAD_VALUE);
  CHECK(strstr(last_error(), "EAR profile 2 is unknown") != NULL);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile(b, UINT32_MAX), MTATTEST_CONFIG_BAD_VALUE);
  CHECK(strstr(last_error(), "MTATTEST_EAR_PROFILE_IETF_DRAFT_04") != NULL);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile(b, MTATTEST_EAR_PROFILE_VERAISON_2023), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_crl(b, (const uint8_t *)"junk", 4),
           MTATTEST_CHAIN_BAD_REVOCATION_DATA);
  CHECK_RC(mtattest_verifier_builder_add_crl(b, root_pem, root_pem_len),
           MTATTEST_CHAIN_BAD_REVOCATION_DATA);
  CHECK_RC(mtattest_verifier_builder_set_status_list(b, (const uint8_t *)"{", 1),
           MTATTEST_CHAIN_BAD_REVOCATION_DATA);
  CHECK_RC(mtattest_verifier_builder_set_policy_json(b, "\xff\xfe", 2), MTATTEST_ERR_INVALID_UTF8);
  CHECK_RC(mtattest_verifier_builder_set_policy_json(b, "{", 1), MTATTEST_POLICY_SYNTAX);
  CHECK_RC(mtattest_verifier_builder_set_policy_json(b, "{\"id\": \"x\"}", 11), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "nope", NULL, 0, 0),
           MTATTEST_POLICY_UNKNOWN_PRESET);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "payment", NULL, 0, 0),
           MTATTEST_POLICY_MISSING_PARAMETER);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, NULL, NULL, 0, 0), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "", NULL, 0, 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "payment", NULL, 32, 1),
           MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "payment", (const uint8_t *)"x", 0, 1),
           MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "payment", (const uint8_t *)"x", SIZE_MAX, 2),
           MTATTEST_ERR_INVALID_ARGUMENT);
  uint8_t digest[32] = {0xab};
  CHECK_RC(mtattest_verifier_builder_set_policy_preset(b, "byod", digest, sizeof digest, 1),
           MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_bulletins(b, "[]", 2), MTATTEST_BULLETIN_SYNTAX);
  /* DER anchors, and the same anchor twice: trusted once (spec 10.3). */
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_der, root_der_len), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  CHECK(v != NULL);

  /* Handles of the wrong kind are refused, and not freed. */
  CHECK_RC(mtattest_verifier_builder_set_algorithms((mtattest_verifier_builder *)v, 1),
           MTATTEST_ERR_INVALID_HANDLE);
  mtattest_verify_result *r = (mtattest_verify_result *)&r;
  CHECK_RC(mtattest_verify((const mtattest_verifier *)b, root_der, root_der_len, NULL, 0, now, &r),
           MTATTEST_ERR_INVALID_HANDLE);
  CHECK(r == NULL);
  mtattest_verifier_free((mtattest_verifier *)b);
  mtattest_verifier_builder_free((mtattest_verifier_builder *)v);
  mtattest_signer_free((mtattest_signer *)v);

  mtattest_verifier_free(v);
  mtattest_verifier_builder_free(b);
  /* NULL is fine for every free function. */
  mtattest_verifier_free(NULL);
  mtattest_verifier_builder_free(NULL);
  mtattest_verify_result_free(NULL);
  mtattest_signer_free(NULL);
}

static void test_signers(void) {
  mtattest_signer *s = NULL;
  uint8_t secret[48];
  memset(secret, 7, sizeof secret);
  CHECK_RC(mtattest_signer_new_p384(secret, 47, &s), MTATTEST_CRYPTO_INVALID_KEY);
  CHECK(s == NULL);
  uint8_t zero[48] = {0};
  CHECK_RC(mtattest_signer_new_p384(zero, sizeof zero, &s), MTATTEST_CRYPTO_INVALID_KEY);
  CHECK_RC(mtattest_signer_new_p384(secret, sizeof secret, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_signer_new_pkcs8_pem("junk", 4, &s), MTATTEST_CRYPTO_INVALID_KEY);
  CHECK_RC(mtattest_signer_new_pkcs8_pem((const char *)root_pem, root_pem_len, &s),
           MTATTEST_CRYPTO_INVALID_KEY);
  CHECK_RC(mtattest_signer_new_callback(MTATTEST_ALG_ES384, NULL, NULL, &s), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_signer_new_callback(3, tee_sign, NULL, &s), MTATTEST_ERR_INVALID_ARGUMENT);
  CHECK_RC(mtattest_signer_new_callback(0, tee_sign, NULL, &s), MTATTEST_ERR_INVALID_ARGUMENT);

  CHECK_RC(mtattest_signer_new_p384(secret, sizeof secret, &s), MTATTEST_OK);
  const uint8_t msg[] = "to be signed";
  size_t len = 0;
  uint8_t sig[96], sig2[96];
  CHECK_RC(mtattest_signer_sign(s, msg, sizeof msg, NULL, 0, &len), MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK(len == 96);
  CHECK_RC(mtattest_signer_sign(s, msg, sizeof msg, sig, 95, &len), MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK_RC(mtattest_signer_sign(s, msg, sizeof msg, NULL, 96, &len), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_signer_sign(s, msg, sizeof msg, sig, sizeof sig, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_signer_sign(s, msg, 0, sig, sizeof sig, &len), MTATTEST_ERR_ZERO_LENGTH);
  CHECK_RC(mtattest_signer_sign(s, msg, sizeof msg, sig, sizeof sig, &len), MTATTEST_OK);
  CHECK_RC(mtattest_signer_sign(s, msg, sizeof msg, sig2, sizeof sig2, &len), MTATTEST_OK);
  CHECK(len == 96 && memcmp(sig, sig2, 96) == 0); /* RFC 6979: deterministic */
  mtattest_signer_free(s);
}

static void test_issue_arguments(mtattest_signer *key) {
  struct tee tee = {key, 0, 0};
  mtattest_signer *s = NULL;
  CHECK_RC(mtattest_signer_new_callback(MTATTEST_ALG_ES384, tee_sign, &tee, &s), MTATTEST_OK);
  uint8_t out[8192];
  size_t len = 0;
  const char *c = (const char *)claims;
#define ISSUE(claims_, claims_len_, nonce_, nonce_len_, chain_, chain_len_, flags_, out_, cap_, \
              len_)                                                                            \
  mtattest_issue(s, claims_, claims_len_, nonce_, nonce_len_, chain_, chain_len_, flags_, out_, \
                 cap_, len_)
  CHECK_RC(mtattest_issue(NULL, c, claims_len, NULL, 0, NULL, 0, 0, out, sizeof out, &len),
           MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(ISSUE(NULL, 5, NULL, 0, NULL, 0, 0, out, sizeof out, &len), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(ISSUE(c, 0, NULL, 0, NULL, 0, 0, out, sizeof out, &len), MTATTEST_ERR_ZERO_LENGTH);
  CHECK_RC(ISSUE("{\"a\": \"\xc3\x28\"}", 12, NULL, 0, NULL, 0, 0, out, sizeof out, &len),
           MTATTEST_ERR_INVALID_UTF8);
  CHECK_RC(ISSUE("[", 1, NULL, 0, NULL, 0, 0, out, sizeof out, &len), MTATTEST_CLAIMS_INVALID_JSON);
  CHECK_RC(ISSUE("[]", 2, NULL, 0, NULL, 0, 0, out, sizeof out, &len), MTATTEST_CLAIMS_NOT_A_MAP);
  CHECK_RC(ISSUE("{}", 2, NULL, 0, NULL, 0, 0, out, sizeof out, &len), MTATTEST_CLAIMS_MISSING);
  CHECK_RC(ISSUE(c, claims_len, nonce, 4, NULL, 0, 0, out, sizeof out, &len),
           MTATTEST_CLAIMS_INVALID_VALUE);
  CHECK_RC(ISSUE(c, claims_len, NULL, 4, NULL, 0, 0, out, sizeof out, &len), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(ISSUE(c, claims_len, nonce, 0, NULL, 0, 0, out, sizeof out, &len), MTATTEST_ERR_ZERO_LENGTH);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, (const uint8_t *)"junk", 4, 0, out, sizeof out, &len),
           MTATTEST_CHAIN_MALFORMED);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, key_pem, key_pem_len, 0, out, sizeof out, &len),
           MTATTEST_CHAIN_MALFORMED);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, NULL, 0, 4, out, sizeof out, &len),
           MTATTEST_ERR_INVALID_ARGUMENT);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, NULL, 0, 0, out, sizeof out, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, NULL, 0, 0, NULL, 10, &len), MTATTEST_ERR_NULL_POINTER);
  CHECK(tee.calls == 0);

  /* The size query and a short buffer never reach the signer. */
  size_t needed = 0;
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, chain_pem, chain_pem_len, 0, NULL, 0, &needed),
           MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK(needed > 1000 && needed < sizeof out);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, chain_pem, chain_pem_len, 0, out, needed - 1, &len),
           MTATTEST_ERR_BUFFER_TOO_SMALL);
  CHECK(len == needed);
  CHECK(tee.calls == 0);
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, chain_pem, chain_pem_len, 0, out, sizeof out, &len),
           MTATTEST_OK);
  CHECK(len == needed && tee.calls == 1);

  /* What a failing TEE gives. */
  tee.mode = 1;
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, NULL, 0, 0, out, sizeof out, &len),
           MTATTEST_CRYPTO_SIGNING_FAILED);
  CHECK(strstr(last_error(), "returned 7") != NULL);
  tee.mode = 2;
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, NULL, 0, 0, out, sizeof out, &len),
           MTATTEST_CRYPTO_SIGNATURE_LENGTH);
  tee.mode = 3;
  CHECK_RC(ISSUE(c, claims_len, NULL, 0, NULL, 0, 0, out, sizeof out, &len),
           MTATTEST_CRYPTO_SIGNING_FAILED);
  tee.mode = 1;
  uint8_t sig[96];
  CHECK_RC(mtattest_signer_sign(s, (const uint8_t *)"m", 1, sig, sizeof sig, &len),
           MTATTEST_CRYPTO_SIGNING_FAILED);
#undef ISSUE
  mtattest_signer_free(s);
}

static void expect_invalid(const mtattest_verifier *v, const uint8_t *token, size_t len,
                           const uint8_t *n, size_t n_len, mtattest_result want) {
  mtattest_verify_result *r = NULL;
  CHECK_RC(mtattest_verify(v, token, len, n, n_len, now, &r), want);
  CHECK(r != NULL);
  mtattest_status status = MTATTEST_STATUS_AFFIRMING;
  mtattest_result error = MTATTEST_OK;
  const char *code = NULL, *text = NULL;
  size_t text_len = 0;
  CHECK_RC(mtattest_verify_result_status(r, &status), MTATTEST_OK);
  CHECK(status == MTATTEST_STATUS_INVALID);
  CHECK_RC(mtattest_verify_result_error(r, &error), MTATTEST_OK);
  CHECK(error == want);
  CHECK_RC(mtattest_verify_result_error_code(r, &code), MTATTEST_OK);
  CHECK(code != NULL && strcmp(code, mtattest_result_code(want)) == 0);
  CHECK_RC(mtattest_verify_result_message(r, &text, &text_len), MTATTEST_OK);
  CHECK(text_len > 0 && strlen(text) == text_len);
  CHECK_RC(mtattest_verify_result_ear_json(r, &text, NULL), MTATTEST_ERR_NOT_AVAILABLE);
  const uint8_t *cbor = NULL;
  CHECK_RC(mtattest_verify_result_ear_cbor(r, &cbor, &text_len), MTATTEST_ERR_NOT_AVAILABLE);
  CHECK_RC(mtattest_verify_result_claims_json(r, &text, NULL), MTATTEST_ERR_NOT_AVAILABLE);
  mtattest_verify_result_free(r);
}

/* mtattest_verifier_builder_set_ear_profile: the result's EAR in the
   draft-ietf-rats-ear-04 form, JSON and CBOR; an unknown value is refused
   and leaves the builder's choice as it was. */
static void test_ear_profile(mtattest_signer *key) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile(b, MTATTEST_EAR_PROFILE_IETF_DRAFT_04), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile(b, 7), MTATTEST_CONFIG_BAD_VALUE);
  CHECK(strstr(last_error(), "EAR profile 7 is unknown") != NULL);
  CHECK_RC(mtattest_verifier_builder_set_ear_profile((mtattest_verifier_builder *)key, 1),
           MTATTEST_ERR_INVALID_HANDLE);
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  mtattest_verifier_builder_free(b);
  size_t len = 0;
  uint8_t *token = issue(key, chain_pem, chain_pem_len, 0, 0x60, &len);
  CHECK(token != NULL && v != NULL);
  if (token != NULL && v != NULL) {
    uint8_t n[32];
    memcpy(n, nonce, sizeof n);
    n[31] = 0x60;
    mtattest_verify_result *r = NULL;
    CHECK_RC(mtattest_verify(v, token, len, n, sizeof n, now, &r), MTATTEST_OK);
    const char *ear = NULL;
    size_t ear_len = 0, cbor_len = 0;
    const uint8_t *cbor = NULL;
    CHECK_RC(mtattest_verify_result_ear_json(r, &ear, &ear_len), MTATTEST_OK);
    CHECK(ear != NULL && strlen(ear) == ear_len);
    if (ear != NULL) {
      CHECK(strstr(ear, "\"ear_status\": \"none\"") != NULL);
      CHECK(strstr(ear, "\"tag:ietf.org,2026:rats/ear#04\"") != NULL);
      CHECK(strstr(ear, "\"ear_appraisal_policy_ids\"") != NULL);
      CHECK(strstr(ear, "\"ear.status\"") == NULL);
    }
    /* CBOR: a map holding the text "tag:ietf.org,2026:rats/ear#04". */
    CHECK_RC(mtattest_verify_result_ear_cbor(r, &cbor, &cbor_len), MTATTEST_OK);
    const char *profile = "tag:ietf.org,2026:rats/ear#04";
    size_t plen = strlen(profile);
    int found = 0;
    for (size_t i = 0; cbor != NULL && i + plen <= cbor_len; i++) {
      if (memcmp(cbor + i, profile, plen) == 0) found = 1;
    }
    CHECK(cbor != NULL && cbor_len > 0 && (cbor[0] & 0xe0) == 0xa0 && found);
    mtattest_verify_result_free(r);
  }
  free(token);
  mtattest_verifier_free(v);
}

static void test_round_trip(mtattest_signer *key) {
  struct tee tee = {key, 0, 0};
  mtattest_signer *s = NULL;
  CHECK_RC(mtattest_signer_new_callback(MTATTEST_ALG_ES384, tee_sign, &tee, &s), MTATTEST_OK);
  mtattest_verifier *v = new_verifier(0);
  size_t len = 0;
  uint8_t *token = issue(s, chain_pem, chain_pem_len, 0, 1, &len);
  CHECK(token != NULL);
  if (token == NULL) goto done;
  uint8_t n[32];
  memcpy(n, nonce, sizeof n);
  n[31] = 1;

  /* Bad arguments: nothing is verified, so the replay cache is untouched. */
  mtattest_verify_result *r = (mtattest_verify_result *)&r;
  CHECK_RC(mtattest_verify(v, token, len, n, sizeof n, now, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify(NULL, token, len, n, sizeof n, now, &r), MTATTEST_ERR_NULL_POINTER);
  CHECK(r == NULL);
  CHECK_RC(mtattest_verify(v, NULL, len, n, sizeof n, now, &r), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify(v, token, 0, n, sizeof n, now, &r), MTATTEST_ERR_ZERO_LENGTH);
  CHECK_RC(mtattest_verify(v, token, len, n, 0, now, &r), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(mtattest_verify(v, token, len, NULL, 32, now, &r), MTATTEST_ERR_NULL_POINTER);
  CHECK(r == NULL);

  /* Rejections carry their code in the return value and the result. */
  uint8_t wrong[32];
  memset(wrong, 0x55, sizeof wrong);
  expect_invalid(v, token, len, wrong, sizeof wrong, MTATTEST_FRESHNESS_NONCE_MISMATCH);
  expect_invalid(v, token, len, n, 4, MTATTEST_FRESHNESS_NONCE_LENGTH);
  expect_invalid(v, token, len - 1, n, sizeof n, MTATTEST_CBOR_TRUNCATED);
  token[len - 1] ^= 1;
  expect_invalid(v, token, len, n, sizeof n, MTATTEST_TOKEN_BAD_SIGNATURE);
  token[len - 1] ^= 1;
  expect_invalid(v, (const uint8_t *)"\x01", 1, n, sizeof n, MTATTEST_TOKEN_UNTAGGED);

  /* Valid. */
  CHECK_RC(mtattest_verify(v, token, len, n, sizeof n, now, &r), MTATTEST_OK);
  mtattest_status status = MTATTEST_STATUS_INVALID;
  CHECK_RC(mtattest_verify_result_status(r, &status), MTATTEST_OK);
  CHECK(status == MTATTEST_STATUS_NONE); /* no policy */
  const char *code = NULL, *ear = NULL, *claims_json = NULL;
  size_t ear_len = 0, cbor_len = 0;
  const uint8_t *cbor = NULL;
  CHECK_RC(mtattest_verify_result_error_code(r, &code), MTATTEST_OK);
  CHECK(code != NULL && code[0] == 0);
  CHECK_RC(mtattest_verify_result_ear_json(r, &ear, &ear_len), MTATTEST_OK);
  CHECK(ear != NULL && strlen(ear) == ear_len && strstr(ear, "\"ear.status\": \"none\"") != NULL);
  /* The default form is Veraison 2023. */
  CHECK(strstr(ear, "\"tag:github.com,2023:veraison/ear\"") != NULL);
  CHECK(strstr(ear, "\"ear_status\"") == NULL);
  CHECK_RC(mtattest_verify_result_ear_cbor(r, &cbor, &cbor_len), MTATTEST_OK);
  CHECK(cbor != NULL && cbor_len > 0);
  CHECK_RC(mtattest_verify_result_ear_cbor(r, NULL, &cbor_len), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_ear_cbor(r, &cbor, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_claims_json(r, &claims_json, NULL), MTATTEST_OK);
  CHECK(strstr(claims_json, "\"eat-nonce\": \"a0a1a2") != NULL);
  CHECK_RC(mtattest_verify_result_status(NULL, &status), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_status(r, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_status((const mtattest_verify_result *)v, &status),
           MTATTEST_ERR_INVALID_HANDLE);
  mtattest_verify_result_free(r);

  /* Once only. */
  expect_invalid(v, token, len, n, sizeof n, MTATTEST_REPLAY_SEEN);
  free(token);

  /* A DER chain, the unprotected placement, the CWT tag. */
  size_t der_len = device_der_len + inter_der_len;
  uint8_t *der_chain = malloc(der_len);
  memcpy(der_chain, device_der, device_der_len);
  memcpy(der_chain + device_der_len, inter_der, inter_der_len);
  mtattest_verifier *strict = new_verifier(1);
  for (uint8_t variant = 2; variant <= 4; variant++) {
    uint32_t flags = variant == 3 ? MTATTEST_ISSUE_X5CHAIN_UNPROTECTED
                                  : (variant == 4 ? MTATTEST_ISSUE_CWT_TAG : 0);
    token = issue(s, der_chain, der_len, flags, variant, &len);
    CHECK(token != NULL);
    if (token == NULL) continue;
    n[31] = variant;
    if (variant == 3) {
      expect_invalid(strict, token, len, n, sizeof n, MTATTEST_CHAIN_UNPROTECTED);
    }
    CHECK_RC(mtattest_verify(v, token, len, n, sizeof n, now, &r), MTATTEST_OK);
    mtattest_verify_result_free(r);
    free(token);
  }
  /* No chain: the verifier needs one. */
  token = issue(s, NULL, 0, 0, 5, &len);
  n[31] = 5;
  if (token != NULL) expect_invalid(v, token, len, n, sizeof n, MTATTEST_CHAIN_MISSING);
  free(token);
  free(der_chain);
  mtattest_verifier_free(strict);
done:
  mtattest_verifier_free(v);
  mtattest_signer_free(s);
}

/* One verifier, several threads, distinct tokens. */
#define THREADS 4
struct job {
  const mtattest_verifier *v;
  uint8_t *token;
  size_t len;
  uint8_t variant;
  mtattest_result rc;
};

static void *verify_job(void *arg) {
  struct job *job = arg;
  uint8_t n[32];
  memcpy(n, nonce, sizeof n);
  n[31] = job->variant;
  mtattest_verify_result *r = NULL;
  job->rc = mtattest_verify(job->v, job->token, job->len, n, sizeof n, now, &r);
  mtattest_verify_result_free(r);
  return NULL;
}

static void test_threads(mtattest_signer *key) {
  mtattest_verifier *v = new_verifier(0);
  struct job jobs[THREADS];
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    jobs[i].v = v;
    jobs[i].variant = (uint8_t)(0x40 + i);
    jobs[i].token = issue(key, chain_pem, chain_pem_len, 0, jobs[i].variant, &jobs[i].len);
    jobs[i].rc = MTATTEST_ERR_PANIC;
  }
  for (int i = 0; i < THREADS; i++) {
    CHECK(jobs[i].token != NULL && pthread_create(&threads[i], NULL, verify_job, &jobs[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    CHECK_RC(jobs[i].rc, MTATTEST_OK);
    free(jobs[i].token);
  }
  mtattest_verifier_free(v);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: api_test PKI_DIR CLAIMS.json TIME\n");
    return 2;
  }
  pki = argv[1];
  claims = read_file(NULL, argv[2], &claims_len);
  now = strtoll(argv[3], NULL, 10);
  root_pem = read_file(pki, "root.pem", &root_pem_len);
  root_der = read_file(pki, "root.der", &root_der_len);
  chain_pem = read_file(pki, "chain.pem", &chain_pem_len);
  device_der = read_file(pki, "device.der", &device_der_len);
  inter_der = read_file(pki, "intermediate.der", &inter_der_len);
  key_pem = read_file(pki, "device.key.pem", &key_pem_len);
  for (size_t i = 0; i < sizeof nonce; i++) nonce[i] = (uint8_t)(0xa0 + i);

  mtattest_signer *key = NULL;
  CHECK_RC(mtattest_signer_new_pkcs8_pem((const char *)key_pem, key_pem_len, &key), MTATTEST_OK);

  test_lookups();
  test_last_error();
  test_builder_arguments();
  test_signers();
  if (key != NULL) {
    test_issue_arguments(key);
    test_round_trip(key);
    test_ear_profile(key);
    test_threads(key);
  }

  mtattest_signer_free(key);
  free(claims);
  free(root_pem);
  free(root_der);
  free(chain_pem);
  free(device_der);
  free(inter_der);
  free(key_pem);
  printf("api: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
