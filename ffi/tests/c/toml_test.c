/*
 * Policies and configurations in TOML from C
 * (mtattest_verifier_builder_set_policy_toml,
 * mtattest_verifier_from_config_toml): what they accept gives the verdict
 * the same document in JSON gives, and a syntax error or an unknown key is
 * a typed code (MTATTEST_POLICY_SYNTAX, MTATTEST_CONFIG_SYNTAX) whose
 * message names the line and the key. Uses the conformance vectors' root
 * and example phone token. Run under AddressSanitizer (or valgrind) by
 * ffi/scripts/test-c.
 *
 *   toml_test TEST_VECTORS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"

#include "check.h"
#include "support.h"

/* Whether the last error mentions `what`; prints it when not. */
#define CHECK_MESSAGE(what)                                                                   \
  do {                                                                                        \
    const char *msg_ = last_error();                                                          \
    if (strstr(msg_, (what)) != NULL) {                                                       \
      passed++;                                                                               \
    } else {                                                                                  \
      failed++;                                                                               \
      fprintf(stderr, "FAIL %s:%d: \"%s\" not in the message: %s\n", __FILE__, __LINE__, what, \
              msg_);                                                                          \
    }                                                                                         \
  } while (0)

static const int64_t now = 1790000000;
static const char *signer = "4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7";
static unsigned char *root_pem, *token;
static size_t root_pem_len, token_len;
static uint8_t nonce[32];

/* The example phone's status and action under `v`, or -1 when no result. */
static int verdict(mtattest_verifier *v, mtattest_action *action) {
  mtattest_verify_result *r = NULL;
  mtattest_verify(v, token, token_len, nonce, sizeof nonce, now, &r);
  if (r == NULL) return -1;
  mtattest_status status = MTATTEST_STATUS_INVALID;
  CHECK_RC(mtattest_verify_result_status(r, &status), MTATTEST_OK);
  CHECK_RC(mtattest_verify_result_action(r, action), MTATTEST_OK);
  mtattest_verify_result_free(r);
  return (int)status;
}

static mtattest_result set_toml(mtattest_verifier_builder *b, const char *toml) {
  return mtattest_verifier_builder_set_policy_toml(b, toml, strlen(toml));
}

/* The builder with the vectors' root and `policy`, built and applied to
   the example phone: its status, or -1. */
static int status_under_policy(const char *policy, mtattest_action *action) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  CHECK_RC(set_toml(b, policy), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  int status = v == NULL ? -1 : verdict(v, action);
  mtattest_verifier_free(v);
  mtattest_verifier_builder_free(b);
  return status;
}

static void test_policy_toml(void) {
  char policy[1024];
  mtattest_action action = MTATTEST_ACTION_DENY;
  /* The payment preset with the relying party's signer: the example phone
     passes it. */
  snprintf(policy, sizeof policy,
           "id = \"toml-payment\"\nextends = \"payment\"\napp-signers = [\"%s\"]\n", signer);
  CHECK(status_under_policy(policy, &action) == MTATTEST_STATUS_AFFIRMING);
  CHECK(action == MTATTEST_ACTION_ALLOW);
  /* A rule of its own, in TOML's array-of-tables form: the phone is
     another model, so it is contraindicated, and denied. */
  const char *model_rule =
      "id = \"model-pin\"\n"
      "\n"
      "[[rules]]\n"
      "id = \"model\"\n"
      "claim = \"hwmodel\"\n"
      "equals = \"Another Phone\"\n"
      "on-fail = \"contraindicated\"\n";
  action = MTATTEST_ACTION_ALLOW;
  CHECK(status_under_policy(model_rule, &action) == MTATTEST_STATUS_CONTRAINDICATED);
  CHECK(action == MTATTEST_ACTION_DENY);
}

static void test_policy_toml_errors(void) {
  mtattest_verifier_builder *b = NULL;
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_builder_new(&b), MTATTEST_OK);
  CHECK_RC(mtattest_verifier_builder_add_anchors(b, root_pem, root_pem_len), MTATTEST_OK);
  /* A syntax error: the message names the line. */
  CHECK_RC(set_toml(b, "id = \"x\"\nextends = \n"), MTATTEST_POLICY_SYNTAX);
  CHECK_MESSAGE("line 2");
  /* An unknown key, top level and in a rule: named, with its line. */
  CHECK_RC(set_toml(b, "id = \"x\"\nextends = \"payment\"\nmax-age = 30\n"), MTATTEST_POLICY_SYNTAX);
  CHECK_MESSAGE("max-age");
  CHECK_MESSAGE("line 3");
  CHECK_RC(set_toml(b,
                    "id = \"x\"\n[[rules]]\nid = \"model\"\nclaim = \"hwmodel\"\n"
                    "equals = \"A\"\non-fail = \"warning\"\nseverity = \"high\"\n"),
           MTATTEST_POLICY_SYNTAX);
  CHECK_MESSAGE("severity");
  CHECK_MESSAGE("line 7");
  /* A value of the wrong type. */
  CHECK_RC(set_toml(b, "id = 7\n"), MTATTEST_POLICY_SYNTAX);
  CHECK_MESSAGE("line 1");
  /* A JSON document is not TOML. */
  CHECK_RC(set_toml(b, "{\"id\": \"x\"}"), MTATTEST_POLICY_SYNTAX);
  /* The document's own faults keep their codes. */
  CHECK_RC(set_toml(b, "id = \"x\"\nextends = \"banking\"\n"), MTATTEST_POLICY_UNKNOWN_PRESET);
  CHECK_RC(set_toml(b, "id = \"x\"\nextends = \"payment\"\n"), MTATTEST_POLICY_MISSING_PARAMETER);
  /* Empty is empty, never "no policy". */
  CHECK_RC(mtattest_verifier_builder_set_policy_toml(b, "x", 0), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(set_toml(b, " \n\t"), MTATTEST_CONFIG_EMPTY);
  /* Comments only: an empty table, which names no policy (as JSON's {}). */
  CHECK_RC(set_toml(b, "# only a comment\n"), MTATTEST_POLICY_SYNTAX);
  CHECK_MESSAGE("no id");
  CHECK_RC(mtattest_verifier_builder_set_policy_toml(b, NULL, 4), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_policy_toml(NULL, "id = \"x\"", 8), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_builder_set_policy_toml(b, "id = \"\xff\"", 8), MTATTEST_ERR_INVALID_UTF8);
  /* None of the refused policies was kept: the token verifies without a
     verdict (no policy), and is denied. */
  CHECK_RC(mtattest_verifier_builder_build(b, &v), MTATTEST_OK);
  mtattest_action action = MTATTEST_ACTION_ALLOW;
  CHECK(verdict(v, &action) == MTATTEST_STATUS_NONE);
  CHECK(action == MTATTEST_ACTION_DENY);
  mtattest_verifier_free(v);
  mtattest_verifier_builder_free(b);
}

static mtattest_result from_toml(const char *toml, mtattest_verifier **v) {
  return mtattest_verifier_from_config_toml(toml, strlen(toml), v);
}

/* The root PEM as a TOML literal multi-line string, then `rest`. */
static char *config_with_root(const char *rest) {
  size_t cap = root_pem_len + strlen(rest) + 64;
  char *toml = malloc(cap);
  snprintf(toml, cap, "anchors = [{ pem = '''\n%s''' }]\n%s", (const char *)root_pem, rest);
  return toml;
}

static void test_config_toml(void) {
  mtattest_verifier *v = NULL;
  char rest[512];
  snprintf(rest, sizeof rest,
           "require-nonce = true\n"
           "ear-profile = \"ietf-draft-04\"\n"
           "\n"
           "[policies.pay]\n"
           "preset = \"payment\"\n"
           "app-signers = [\"%s\"]\n",
           signer);
  char *toml = config_with_root(rest);
  CHECK_RC(from_toml(toml, &v), MTATTEST_OK);
  if (v != NULL) {
    /* require-nonce was read: no challenge, no verification. */
    mtattest_verify_result *r = NULL;
    CHECK_RC(mtattest_verify(v, token, token_len, NULL, 0, now, &r), MTATTEST_CONFIG_NONCE_REQUIRED);
    CHECK(r == NULL);
    mtattest_action action = MTATTEST_ACTION_DENY;
    CHECK(verdict(v, &action) == MTATTEST_STATUS_AFFIRMING);
    CHECK(action == MTATTEST_ACTION_ALLOW);
    /* One verifier, one replay cache. */
    CHECK_RC(mtattest_verify(v, token, token_len, nonce, sizeof nonce, now, &r), MTATTEST_REPLAY_SEEN);
    mtattest_verify_result_free(r);
  }
  mtattest_verifier_free(v);
  v = NULL;
  free(toml);

  /* ear-profile is read: the draft-04 labels (Veraison 2023, the
     default, has "ear.status"). */
  toml = config_with_root("ear-profile = \"ietf-draft-04\"\n");
  CHECK_RC(from_toml(toml, &v), MTATTEST_OK);
  if (v != NULL) {
    mtattest_verify_result *r = NULL;
    CHECK_RC(mtattest_verify(v, token, token_len, nonce, sizeof nonce, now, &r), MTATTEST_OK);
    const char *ear = NULL;
    CHECK_RC(mtattest_verify_result_ear_json(r, &ear, NULL), MTATTEST_OK);
    CHECK(ear != NULL && strstr(ear, "\"ear_status\"") != NULL);
    mtattest_verify_result_free(r);
  }
  mtattest_verifier_free(v);
  v = NULL;
  free(toml);
}

static void test_config_toml_errors(void) {
  mtattest_verifier *v = NULL;
  CHECK_RC(mtattest_verifier_from_config_toml(NULL, 0, &v), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_from_config_toml("a = 1", 5, NULL), MTATTEST_ERR_NULL_POINTER);
  CHECK_RC(mtattest_verifier_from_config_toml("a = 1", 0, &v), MTATTEST_CONFIG_EMPTY);
  /* Comments only: an empty table, without anchors (as JSON's {}). */
  CHECK_RC(from_toml("# nothing\n", &v), MTATTEST_CONFIG_NO_ANCHORS);
  CHECK_RC(mtattest_verifier_from_config_toml("x = \"\xfe\"", 7, &v), MTATTEST_ERR_INVALID_UTF8);
  /* Syntax errors name the line. */
  CHECK_RC(from_toml("require-nonce = true\nmax-age-secs = = 3\n", &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_MESSAGE("line 2");
  CHECK_RC(from_toml("[policies.pay\npreset = \"payment\"\n", &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_MESSAGE("line 1");
  /* Unknown keys are named, top level and nested, with their lines:
     after the anchor's opening line, its PEM lines and its closing one. */
  size_t first = 3;
  for (size_t i = 0; i < root_pem_len; i++) first += root_pem[i] == '\n';
  char line[32];
  char *toml = config_with_root("max-age = 60\n");
  CHECK_RC(from_toml(toml, &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_MESSAGE("max-age");
  snprintf(line, sizeof line, "line %zu", first);
  CHECK_MESSAGE(line);
  free(toml);
  toml = config_with_root("[policies.pay]\npreset = \"payment\"\nsigners = [\"00\"]\n");
  CHECK_RC(from_toml(toml, &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_MESSAGE("signers");
  snprintf(line, sizeof line, "line %zu", first + 2);
  CHECK_MESSAGE(line);
  free(toml);
  /* A value of the wrong type. */
  CHECK_RC(from_toml("require-nonce = \"yes\"\n", &v), MTATTEST_CONFIG_SYNTAX);
  CHECK_MESSAGE("line 1");
  /* The configuration's own checks, as for JSON. */
  CHECK_RC(from_toml("require-nonce = true\n", &v), MTATTEST_CONFIG_NO_ANCHORS);
  CHECK_RC(from_toml("anchors = []\n", &v), MTATTEST_CONFIG_EMPTY);
  CHECK_RC(from_toml("anchors = [{ file = \"root.pem\" }]\n", &v), MTATTEST_CONFIG_UNAVAILABLE);
  CHECK_MESSAGE("anchors[0].file");
  toml = config_with_root("[policies.pay]\ntoml = \"id = 3\"\n");
  CHECK_RC(from_toml(toml, &v), MTATTEST_POLICY_SYNTAX);
  free(toml);
  CHECK(v == NULL);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: toml_test TEST_VECTORS_DIR\n");
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
  test_policy_toml();
  test_policy_toml_errors();
  test_config_toml();
  test_config_toml_errors();
  free(root_pem);
  free(token);
  printf("toml: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
