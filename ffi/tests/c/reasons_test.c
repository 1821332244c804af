/*
 * The verdict from C without the EAR JSON: the action
 * (mtattest_verify_result_action) and every field of every reason
 * (mtattest_verify_result_reason_*), for conformance vectors refused by
 * the payment policy, one that passes it, and a rejected token; an index
 * past the last reason. The expected values are those of the vectors'
 * descriptions and policies (spec/appraisal.md §11.3-§11.5), written here
 * by hand. Run under AddressSanitizer (or valgrind) by ffi/scripts/test-c.
 *
 *   reasons_test TEST_VECTORS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"

#include "check.h"
#include "support.h"

static const char *vectors;

/* The vectors' time and challenge (test-vectors/manifest.json). */
static const int64_t now = 1790000000;
static uint8_t nonce[32];

/* Verifies test-vectors/tokens/NAME.cbor under the vectors' root, the
   vectors' payment policy and, if not NULL, a bulletin feed; `*rc`
   receives what mtattest_verify returned. */
static mtattest_verify_result *verify(const char *name, const char *bulletin, mtattest_result *rc) {
  size_t root_len = 0, policy_len = 0, feed_len = 0, token_len = 0;
  unsigned char *root = read_file(vectors, "anchors/root.pem", &root_len);
  unsigned char *policy = read_file(vectors, "policies/payment.json", &policy_len);
  char token_path[512];
  snprintf(token_path, sizeof token_path, "tokens/%s.cbor", name);
  unsigned char *token = read_file(vectors, token_path, &token_len);
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  mtattest_verify_result *r = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root, root_len), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_set_policy_json(b, (const char *)policy, policy_len), MTATTEST_OK);
  if (bulletin != NULL) {
    unsigned char *feed = read_file(vectors, bulletin, &feed_len);
    CHECK_RC(mtattest_verifier_builder_set_bulletins(b, (const char *)feed, feed_len), MTATTEST_OK);
    free(feed);
  }
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  *rc = mtattest_verify(v, token, token_len, nonce, sizeof nonce, now, &r);
  mtattest_verifier_free(v);
  mtattest_verifier_builder_free(b);
  free(root);
  free(policy);
  free(token);
  return r;
}

static mtattest_action action_of(const mtattest_verify_result *r) {
  /* Anything but deny, so the test sees that the call wrote it. */
  mtattest_action action = MTATTEST_ACTION_ALLOW;
  CHECK_RC(mtattest_verify_result_action(r, &action), MTATTEST_OK);
  return action;
}

static size_t count_of(const mtattest_verify_result *r) {
  size_t count = 9999;
  CHECK_RC(mtattest_verify_result_reason_count(r, &count), MTATTEST_OK);
  return count;
}

typedef mtattest_result (*text_accessor)(const mtattest_verify_result *, size_t, const char **,
                                         size_t *);

/* Whether the text lent by `get` for reason `i` is `want` (NULL: absent),
   with its length. */
static int text_is(text_accessor get, const mtattest_verify_result *r, size_t i, const char *want) {
  const char *text = "(not written)";
  size_t len = 9999;
  if (get(r, i, &text, &len) != MTATTEST_OK) return 0;
  if (want == NULL) return text == NULL && len == 0;
  return text != NULL && strcmp(text, want) == 0 && len == strlen(want);
}

/* Whether the text lent by `get` for reason `i` begins with `prefix`. */
static int text_starts(text_accessor get, const mtattest_verify_result *r, size_t i,
                       const char *prefix) {
  const char *text = NULL;
  if (get(r, i, &text, NULL) != MTATTEST_OK || text == NULL) return 0;
  return strncmp(text, prefix, strlen(prefix)) == 0;
}

static mtattest_status status_at(const mtattest_verify_result *r, size_t i) {
  mtattest_status status = MTATTEST_STATUS_INVALID;
  CHECK_RC(mtattest_verify_result_reason_status(r, i, &status), MTATTEST_OK);
  return status;
}

static mtattest_evidence_source declared_at(const mtattest_verify_result *r, size_t i) {
  mtattest_evidence_source source = (mtattest_evidence_source)99;
  CHECK_RC(mtattest_verify_result_reason_evidence_source(r, i, &source), MTATTEST_OK);
  return source;
}

static mtattest_evidence_source effective_at(const mtattest_verify_result *r, size_t i) {
  mtattest_evidence_source source = (mtattest_evidence_source)99;
  CHECK_RC(mtattest_verify_result_reason_effective_source(r, i, &source), MTATTEST_OK);
  return source;
}

/* One reason of a refused token, field by field. */
struct expected_reason {
  const char *rule, *claim, *failure, *seen, *required, *advisory;
  mtattest_status status;
  mtattest_evidence_source declared, effective;
};

static void check_reason(const mtattest_verify_result *r, size_t i, const struct expected_reason *want) {
  CHECK(text_is(mtattest_verify_result_reason_rule, r, i, want->rule));
  CHECK(text_is(mtattest_verify_result_reason_claim, r, i, want->claim));
  CHECK(text_is(mtattest_verify_result_reason_failure, r, i, want->failure));
  CHECK(text_is(mtattest_verify_result_reason_seen, r, i, want->seen));
  CHECK(text_is(mtattest_verify_result_reason_required, r, i, want->required));
  CHECK(text_is(mtattest_verify_result_reason_advisory, r, i, want->advisory));
  CHECK(status_at(r, i) == want->status);
  CHECK(declared_at(r, i) == want->declared);
  CHECK(effective_at(r, i) == want->effective);
}

/* Every index accessor refuses `index` with `want` and writes nothing. */
static void check_index_refused(const mtattest_verify_result *r, size_t index, mtattest_result want) {
  text_accessor texts[] = {
      mtattest_verify_result_reason_rule,     mtattest_verify_result_reason_claim,
      mtattest_verify_result_reason_failure,  mtattest_verify_result_reason_seen,
      mtattest_verify_result_reason_required, mtattest_verify_result_reason_advisory,
  };
  for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
    const char *text = "untouched";
    size_t len = 4242;
    CHECK_RC(texts[k](r, index, &text, &len), want);
    CHECK(strcmp(text, "untouched") == 0 && len == 4242);
  }
  mtattest_status status = MTATTEST_STATUS_AFFIRMING;
  CHECK_RC(mtattest_verify_result_reason_status(r, index, &status), want);
  CHECK(status == MTATTEST_STATUS_AFFIRMING);
  mtattest_evidence_source source = MTATTEST_EVIDENCE_SOURCE_KERNEL;
  CHECK_RC(mtattest_verify_result_reason_evidence_source(r, index, &source), want);
  CHECK_RC(mtattest_verify_result_reason_effective_source(r, index, &source), want);
  CHECK(source == MTATTEST_EVIDENCE_SOURCE_KERNEL);
}

/* Every layer software-sourced: the payment rules that need hardware
   evidence fail although the values are good (weak-source); deny. */
static void test_weak_source(void) {
  mtattest_result rc = MTATTEST_ERR_PANIC;
  mtattest_verify_result *r = verify("valid-appraisal-software-evidence-contraindicated", NULL, &rc);
  CHECK_RC(rc, MTATTEST_OK);
  CHECK(action_of(r) == MTATTEST_ACTION_DENY);
  CHECK(count_of(r) == 3);
  const mtattest_evidence_source sw = MTATTEST_EVIDENCE_SOURCE_SOFTWARE;
  const mtattest_status bad = MTATTEST_STATUS_CONTRAINDICATED;
  const struct expected_reason want[] = {
      {"key-level", "submods.chip.key-security-level", "weak-source", "strongbox", ">= tee", NULL, bad,
       sw, sw},
      {"boot-verified", "submods.boot.verified-boot-state", "weak-source", "verified", "verified", NULL,
       bad, sw, sw},
      {"bootloader-locked", "submods.boot.bootloader-locked", "weak-source", "true", "true", NULL, bad,
       sw, sw},
  };
  for (size_t i = 0; i < 3; i++) check_reason(r, i, &want[i]);
  check_index_refused(r, 3, MTATTEST_ERR_INDEX_OUT_OF_RANGE);
  CHECK(strstr(last_error(), "reason 3") != NULL);
  check_index_refused(r, (size_t)-1, MTATTEST_ERR_INDEX_OUT_OF_RANGE);
  mtattest_verify_result_free(r);
}

/* An OS patch level of 2026-04-01, 173 days before the vectors' time
   (2026-09-21): the payment policy's 90-day rule warns; step-up. The OS
   layer declares kernel, and a hardware chip with a strongbox key and a
   verified, locked hardware boot leave it kernel (§11.4). */
static void test_warning(void) {
  mtattest_result rc = MTATTEST_ERR_PANIC;
  mtattest_verify_result *r = verify("valid-appraisal-old-patch-warning", NULL, &rc);
  CHECK_RC(rc, MTATTEST_OK);
  CHECK(action_of(r) == MTATTEST_ACTION_STEP_UP);
  CHECK(count_of(r) == 1);
  CHECK(text_is(mtattest_verify_result_reason_rule, r, 0, "os-patch"));
  CHECK(text_is(mtattest_verify_result_reason_claim, r, 0, "submods.os.os-patch-level"));
  CHECK(text_is(mtattest_verify_result_reason_failure, r, 0, "mismatch"));
  CHECK(text_starts(mtattest_verify_result_reason_seen, r, 0, "2026-04-01"));
  CHECK(text_starts(mtattest_verify_result_reason_required, r, 0, "at most 90 days old"));
  CHECK(text_is(mtattest_verify_result_reason_advisory, r, 0, NULL));
  CHECK(status_at(r, 0) == MTATTEST_STATUS_WARNING);
  CHECK(declared_at(r, 0) == MTATTEST_EVIDENCE_SOURCE_KERNEL);
  CHECK(effective_at(r, 0) == MTATTEST_EVIDENCE_SOURCE_KERNEL);
  check_index_refused(r, 1, MTATTEST_ERR_INDEX_OUT_OF_RANGE);
  mtattest_verify_result_free(r);
}

/* No hwmodel, and a high advisory for one model: nothing shows the phone
   is another model, so the advisory applies to an absent claim (seen is
   NULL, not ""), a top-level one (no evidence source). */
static void test_absent_value(void) {
  mtattest_result rc = MTATTEST_ERR_PANIC;
  mtattest_verify_result *r = verify("valid-appraisal-bulletin-no-hwmodel", "bulletins/model-high.json", &rc);
  CHECK_RC(rc, MTATTEST_OK);
  CHECK(action_of(r) == MTATTEST_ACTION_DENY);
  CHECK(count_of(r) == 1);
  const struct expected_reason want = {"bulletin",
                                       "hwmodel",
                                       "missing",
                                       NULL,
                                       "a model the advisory does not list",
                                       "MSA-VECTORS-0203",
                                       MTATTEST_STATUS_CONTRAINDICATED,
                                       MTATTEST_EVIDENCE_SOURCE_NONE,
                                       MTATTEST_EVIDENCE_SOURCE_NONE};
  check_reason(r, 0, &want);
  /* The length is optional. */
  const char *seen = "untouched";
  CHECK_RC(mtattest_verify_result_reason_seen(r, 0, &seen, NULL), MTATTEST_OK);
  CHECK(seen == NULL);
  mtattest_verify_result_free(r);
}

/* The example phone passes every payment rule: allow, no reasons. */
static void test_valid(void) {
  mtattest_result rc = MTATTEST_ERR_PANIC;
  mtattest_verify_result *r = verify("valid-es384-example-phone", NULL, &rc);
  CHECK_RC(rc, MTATTEST_OK);
  CHECK(action_of(r) == MTATTEST_ACTION_ALLOW);
  CHECK(count_of(r) == 0);
  check_index_refused(r, 0, MTATTEST_ERR_INDEX_OUT_OF_RANGE);
  CHECK(strstr(last_error(), "has 0") != NULL);
  mtattest_verify_result_free(r);
}

/* A rejected token: deny, and no reasons at all (its error code says
   why), rather than zero reasons. */
static void test_rejected(void) {
  mtattest_result rc = MTATTEST_OK;
  mtattest_verify_result *r = verify("invalid-tampered-payload", NULL, &rc);
  CHECK_RC(rc, MTATTEST_TOKEN_BAD_SIGNATURE);
  CHECK(action_of(r) == MTATTEST_ACTION_DENY);
  size_t count = 4242;
  CHECK_RC(mtattest_verify_result_reason_count(r, &count), MTATTEST_ERR_NOT_AVAILABLE);
  CHECK(count == 4242);
  check_index_refused(r, 0, MTATTEST_ERR_NOT_AVAILABLE);
  mtattest_verify_result_free(r);
}

/* NULL handles and out-pointers. */
static void test_arguments(void) {
  mtattest_action action = MTATTEST_ACTION_ALLOW;
  size_t count = 0;
  const char *text = NULL;
  CHECK_RC(mtattest_verify_result_action(NULL, &action), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_count(NULL, &count), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_rule(NULL, 0, &text, NULL), MTATTEST_ERR_NULL_POINTER);
  mtattest_result rc = MTATTEST_ERR_PANIC;
  mtattest_verify_result *r = verify("valid-appraisal-old-patch-warning", NULL, &rc);
  CHECK_RC(mtattest_verify_result_action(r, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_count(r, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_rule(r, 0, NULL, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_seen(r, 0, NULL, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_advisory(r, 0, NULL, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_status(r, 0, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verify_result_reason_evidence_source(r, 0, NULL), MTATTEST_ERR_NULL_POINTER);
  /* A handle of another kind. */
  mtattest_verifier_builder *b = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verify_result_action((const mtattest_verify_result *)b, &action),
           MTATTEST_ERR_INVALID_HANDLE);
  mtattest_verifier_builder_free(b);
  mtattest_verify_result_free(r);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: reasons_test TEST_VECTORS_DIR\n");
    return 2;
  }
  vectors = argv[1];
  const char *hex = "a0e6e3acdfc0f09dc315a8f7b0b597a5cf340df2f55ebc995ca6bc138b492b31";
  for (size_t i = 0; i < sizeof nonce; i++) {
    unsigned int byte = 0;
    sscanf(hex + 2 * i, "%2x", &byte);
    nonce[i] = (uint8_t)byte;
  }
  test_weak_source();
  test_warning();
  test_absent_value();
  test_valid();
  test_rejected();
  test_arguments();
  printf("reasons: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
