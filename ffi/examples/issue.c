/*
 * issue: a device issues an mtattest token from C with a signing callback
 * (standing in for the firmware's TEE or HSM), then a relying party
 * verifies it.
 *
 *   issue PKI_DIR CLAIMS.json OUT.cbor TIME APP_SIGNER_HEX
 *
 * PKI_DIR is what `mtattest pki PKI_DIR` writes (the CLI built with
 * `--features testkit`): the device key
 * (device.key.pem), its chain (chain.pem, device first) and the root
 * (root.pem). CLAIMS.json is a claims set in its JSON form
 * (spec/claims-json.md); its eat-nonce is replaced by a fresh challenge.
 * TIME (seconds since 1970) is when the token is verified, shortly after
 * the claims' iat; APP_SIGNER_HEX is the app signer digest the payment
 * policy pins.
 *
 * The callback signs with a software key through mtattest_signer_sign(),
 * the way a test harness stands in for hardware; a real device would call
 * into its TEE or HSM there. Exit status 0 when the token was issued,
 * verified as affirming, and refused as a replay the second time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mtattest.h"

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "issue: cannot open %s\n", path);
    return NULL;
  }
  size_t cap = 1 << 16;
  unsigned char *buf = malloc(cap + 1);
  size_t n = buf ? fread(buf, 1, cap, f) : 0;
  int bad = buf == NULL || ferror(f) || !feof(f);
  fclose(f);
  if (bad) {
    free(buf);
    fprintf(stderr, "issue: cannot read %s (or larger than 64 KiB)\n", path);
    return NULL;
  }
  buf[n] = 0;
  *len = n;
  return buf;
}

static unsigned char *read_in(const char *dir, const char *name, size_t *len) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) return NULL;
  return read_file(path, len);
}

static int fail(const char *what, mtattest_result rc) {
  char msg[512];
  size_t len = 0;
  if (mtattest_last_error(msg, sizeof msg, &len) != MTATTEST_OK) {
    snprintf(msg, sizeof msg, "(message longer than %zu bytes)", sizeof msg);
  }
  fprintf(stderr, "issue: %s: %s [%s]\n", what, msg, mtattest_result_code(rc));
  return 1;
}

/* What the callback gets as its user pointer. */
struct tee {
  mtattest_signer *key; /* the key the "TEE" holds */
  int calls;
};

/* The signing callback: sign the to-be-signed bytes, raw r||s. */
static int tee_sign(void *user, const uint8_t *tbs, size_t tbs_len, uint8_t *sig_out,
                    size_t sig_cap, size_t *sig_len) {
  struct tee *tee = user;
  tee->calls++;
  return mtattest_signer_sign(tee->key, tbs, tbs_len, sig_out, sig_cap, sig_len) == MTATTEST_OK
             ? 0
             : -1;
}

static int hex_decode(const char *hex, unsigned char *out, size_t cap) {
  size_t n = strlen(hex) / 2;
  if (strlen(hex) != 2 * n || n > cap) return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (unsigned char)v;
  }
  return (int)n;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: issue PKI_DIR CLAIMS.json OUT.cbor TIME APP_SIGNER_HEX\n");
    return 1;
  }
  const char *dir = argv[1];
  int64_t now = strtoll(argv[4], NULL, 10);
  unsigned char app_signer[64];
  int app_signer_len = hex_decode(argv[5], app_signer, sizeof app_signer);

  int status = 1;
  size_t key_len = 0, chain_len = 0, root_len = 0, claims_len = 0;
  unsigned char *key_pem = read_in(dir, "device.key.pem", &key_len);
  unsigned char *chain = read_in(dir, "chain.pem", &chain_len);
  unsigned char *root = read_in(dir, "root.pem", &root_len);
  unsigned char *claims = read_file(argv[2], &claims_len);
  struct tee tee = {NULL, 0};
  mtattest_signer *signer = NULL;
  uint8_t *token = NULL;
  mtattest_verifier_builder *builder = NULL;
  mtattest_verifier *verifier = NULL;
  mtattest_verify_result *result = NULL, *replayed = NULL;
  mtattest_result rc;

  if (!key_pem || !chain || !root || !claims || app_signer_len < 16) {
    fprintf(stderr, "issue: bad arguments\n");
    goto done;
  }

  /* ---- The device ---- */
  if ((rc = mtattest_signer_new_pkcs8_pem((const char *)key_pem, key_len, &tee.key)) != MTATTEST_OK) {
    status = fail("device key", rc);
    goto done;
  }
  if ((rc = mtattest_signer_new_callback(MTATTEST_ALG_ES384, tee_sign, &tee, &signer)) != MTATTEST_OK) {
    status = fail("callback signer", rc);
    goto done;
  }
  /* The relying party's challenge (fixed here; random in real life). */
  uint8_t challenge[32];
  for (size_t i = 0; i < sizeof challenge; i++) challenge[i] = (uint8_t)(0xa0 + i);

  /* Size query: the callback is not called. */
  size_t token_len = 0;
  rc = mtattest_issue(signer, (const char *)claims, claims_len, challenge, sizeof challenge, chain,
                      chain_len, 0, NULL, 0, &token_len);
  if (rc != MTATTEST_ERR_BUFFER_TOO_SMALL || token_len == 0 || tee.calls != 0) {
    status = fail("size query", rc);
    goto done;
  }
  token = malloc(token_len);
  if (token == NULL) goto done;
  rc = mtattest_issue(signer, (const char *)claims, claims_len, challenge, sizeof challenge, chain,
                      chain_len, 0, token, token_len, &token_len);
  if (rc != MTATTEST_OK) {
    status = fail("issue", rc);
    goto done;
  }
  if (tee.calls != 1) {
    fprintf(stderr, "issue: the TEE was called %d times, expected once\n", tee.calls);
    goto done;
  }
  FILE *out = fopen(argv[3], "wb");
  if (out == NULL || fwrite(token, 1, token_len, out) != token_len) {
    fprintf(stderr, "issue: cannot write %s\n", argv[3]);
    if (out) fclose(out);
    goto done;
  }
  fclose(out);
  printf("issued an ES384 token of %zu bytes (x5chain protected) to %s\n", token_len, argv[3]);

  /* ---- The relying party ---- */
  if ((rc = mtattest_verifier_builder_new(&builder)) != MTATTEST_OK ||
      (rc = mtattest_verifier_builder_add_anchors(builder, root, root_len)) != MTATTEST_OK ||
      (rc = mtattest_verifier_builder_set_policy_preset(builder, "payment", app_signer,
                                                        (size_t)app_signer_len, 1)) != MTATTEST_OK ||
      (rc = mtattest_verifier_builder_build(builder, &verifier)) != MTATTEST_OK) {
    status = fail("verifier", rc);
    goto done;
  }
  rc = mtattest_verify(verifier, token, token_len, challenge, sizeof challenge, now, &result);
  mtattest_status verdict = MTATTEST_STATUS_INVALID;
  const char *message = NULL;
  if (rc != MTATTEST_OK || mtattest_verify_result_status(result, &verdict) != MTATTEST_OK ||
      mtattest_verify_result_message(result, &message, NULL) != MTATTEST_OK) {
    status = fail("verify", rc);
    goto done;
  }
  printf("verified: %s\n", message);
  if (verdict != MTATTEST_STATUS_AFFIRMING) {
    fprintf(stderr, "issue: expected an affirming verdict\n");
    goto done;
  }

  /* The same token again is a replay. */
  rc = mtattest_verify(verifier, token, token_len, challenge, sizeof challenge, now, &replayed);
  const char *code = NULL;
  if (rc != MTATTEST_REPLAY_SEEN || mtattest_verify_result_error_code(replayed, &code) != MTATTEST_OK ||
      strcmp(code, "replay.seen") != 0) {
    fprintf(stderr, "issue: the second submission must be a replay, got %s\n", mtattest_result_code(rc));
    goto done;
  }
  printf("submitted again: rejected [%s]\n", code);
  status = 0;

done:
  mtattest_verify_result_free(replayed);
  mtattest_verify_result_free(result);
  mtattest_verifier_free(verifier);
  mtattest_verifier_builder_free(builder);
  mtattest_signer_free(signer);
  mtattest_signer_free(tee.key);
  free(token);
  free(claims);
  free(root);
  free(chain);
  free(key_pem);
  return status;
}
