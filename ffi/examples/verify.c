/*
 * verify: verify and appraise an mtattest token from C, as a relying party
 * would, and print the verdict.
 *
 *   verify --anchors ROOTS.pem [options] TOKEN.cbor
 *
 * Options (each file is read whole):
 *   --anchors FILE        trust anchors, PEM bundle or DER (repeatable)
 *   --crl FILE            a CRL, PEM or DER (repeatable)
 *   --status-list FILE    a revocation status list (JSON)
 *   --policy NAME|FILE    a preset (payment, byod, content, iot) or a JSON policy
 *   --app-signer HEX      an app signer digest for a preset (repeatable)
 *   --bulletins FILE      a vulnerability bulletin feed (JSON)
 *   --nonce HEX           the challenge the relying party issued
 *   --time SECS           verification time, seconds since 1970 (default: now)
 *   --algs LIST           allowed algorithms: es384, es256 or es384,es256
 *   --max-age SECS        largest token age (default 300)
 *   --skew SECS           clock skew (default 60)
 *   --require-protected-x5chain
 *   --before FILE         a token the same verifier accepts first (repeatable)
 *   --json                print {"status", "code", "message", "ear", "claims"}
 *
 * Exit status: 0 affirming, 2 warning, 3 contraindicated, 4 invalid token,
 * 5 none (no rule or advisory gave a verdict, e.g. no policy), 1 usage or
 * setup error. Every handle is freed on every path, so the program runs
 * clean under AddressSanitizer and valgrind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mtattest.h"

#define MAX_REPEAT 16

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "verify: cannot open %s\n", path);
    return NULL;
  }
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap + 1);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) {
      break;
    }
    unsigned char *bigger = realloc(buf, 2 * cap + 1);
    if (bigger == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  int failed = ferror(f);
  fclose(f);
  if (buf == NULL || failed) {
    free(buf);
    fprintf(stderr, "verify: cannot read %s\n", path);
    return NULL;
  }
  buf[n] = 0; /* text inputs stay NUL-terminated; the length excludes it */
  *len = n;
  return buf;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes hex into out (cap bytes); returns the length or -1. */
static long hex_decode(const char *hex, unsigned char *out, size_t cap) {
  size_t len = strlen(hex);
  if (len % 2 != 0 || len / 2 > cap) return -1;
  for (size_t i = 0; i < len / 2; i++) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out[i] = (unsigned char)(hi * 16 + lo);
  }
  return (long)(len / 2);
}

/* Prints the thread's last error after a failed call. */
static void report(const char *what, mtattest_result rc) {
  size_t len = 0;
  /* The size query, then the message. */
  if (mtattest_last_error(NULL, 0, &len) == MTATTEST_ERR_BUFFER_TOO_SMALL) {
    char *msg = malloc(len);
    if (msg != NULL && mtattest_last_error(msg, len, &len) == MTATTEST_OK) {
      fprintf(stderr, "verify: %s: %s [%s]\n", what, msg, mtattest_result_code(rc));
    }
    free(msg);
  } else {
    fprintf(stderr, "verify: %s: [%s]\n", what, mtattest_result_code(rc));
  }
}

static const char *status_name(mtattest_status s) {
  switch (s) {
    case MTATTEST_STATUS_INVALID: return "invalid";
    case MTATTEST_STATUS_NONE: return "none";
    case MTATTEST_STATUS_AFFIRMING: return "affirming";
    case MTATTEST_STATUS_WARNING: return "warning";
    case MTATTEST_STATUS_CONTRAINDICATED: return "contraindicated";
  }
  return "?";
}

static int exit_code(mtattest_status s) {
  switch (s) {
    case MTATTEST_STATUS_AFFIRMING: return 0;
    case MTATTEST_STATUS_WARNING: return 2;
    case MTATTEST_STATUS_CONTRAINDICATED: return 3;
    case MTATTEST_STATUS_INVALID: return 4;
    case MTATTEST_STATUS_NONE: return 5;
  }
  return 1;
}

static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      printf("\\%c", c);
    } else if (c < 0x20) {
      printf("\\u%04x", c);
    } else {
      putchar(c);
    }
  }
  putchar('"');
}

static const char *action_name(mtattest_action a) {
  switch (a) {
    case MTATTEST_ACTION_ALLOW: return "allow";
    case MTATTEST_ACTION_STEP_UP: return "step-up";
    case MTATTEST_ACTION_DENY: return "deny";
  }
  return "?";
}

static const char *source_name(mtattest_evidence_source s) {
  switch (s) {
    case MTATTEST_EVIDENCE_SOURCE_NONE: return NULL;
    case MTATTEST_EVIDENCE_SOURCE_SOFTWARE: return "software";
    case MTATTEST_EVIDENCE_SOURCE_KERNEL: return "kernel";
    case MTATTEST_EVIDENCE_SOURCE_HARDWARE: return "hardware";
  }
  return "?";
}

static void print_json_or_null(const char *s) {
  if (s == NULL) {
    printf("null");
  } else {
    print_json_string(s);
  }
}

/* One reason of a verified token, read with the accessors (not from the
   EAR): its texts, status and evidence sources. */
struct reason {
  const char *rule, *claim, *failure, *seen, *required, *advisory;
  mtattest_status status;
  mtattest_evidence_source declared, effective;
};

static mtattest_result read_reason(const mtattest_verify_result *r, size_t i, struct reason *out) {
  mtattest_result rc;
  if ((rc = mtattest_verify_result_reason_rule(r, i, &out->rule, NULL)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_claim(r, i, &out->claim, NULL)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_failure(r, i, &out->failure, NULL)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_seen(r, i, &out->seen, NULL)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_required(r, i, &out->required, NULL)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_advisory(r, i, &out->advisory, NULL)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_status(r, i, &out->status)) != MTATTEST_OK ||
      (rc = mtattest_verify_result_reason_evidence_source(r, i, &out->declared)) != MTATTEST_OK) {
    return rc;
  }
  return mtattest_verify_result_reason_effective_source(r, i, &out->effective);
}

/* The reasons as a JSON array, or NULL-safe text lines. */
static void print_reasons(const struct reason *reasons, size_t n, int json) {
  if (json) putchar('[');
  for (size_t i = 0; i < n; i++) {
    const struct reason *x = &reasons[i];
    if (!json) {
      printf("  %s %s: seen %s, required %s (rule %s, %s", status_name(x->status), x->claim,
             x->seen ? x->seen : "(absent)", x->required, x->rule, x->failure);
      if (x->advisory) printf(", advisory %s", x->advisory);
      if (source_name(x->declared)) printf(", source %s", source_name(x->declared));
      if (x->effective != x->declared && source_name(x->effective)) {
        printf(" counted as %s", source_name(x->effective));
      }
      printf(")\n");
      continue;
    }
    printf("%s{\"rule\": ", i ? ", " : "");
    print_json_string(x->rule);
    printf(", \"claim\": ");
    print_json_string(x->claim);
    printf(", \"failure\": ");
    print_json_string(x->failure);
    printf(", \"seen\": ");
    print_json_or_null(x->seen);
    printf(", \"required\": ");
    print_json_string(x->required);
    printf(", \"advisory\": ");
    print_json_or_null(x->advisory);
    printf(", \"status\": \"%s\", \"evidence-source\": ", status_name(x->status));
    print_json_or_null(source_name(x->declared));
    printf(", \"effective-source\": ");
    print_json_or_null(source_name(x->effective));
    putchar('}');
  }
  if (json) putchar(']');
}

struct options {
  const char *anchors[MAX_REPEAT];
  int n_anchors;
  const char *crls[MAX_REPEAT];
  int n_crls;
  const char *status_list;
  const char *policy;
  const char *app_signers[MAX_REPEAT];
  int n_app_signers;
  const char *bulletins;
  const char *nonce;
  const char *android;
  const char *enrolment;
  long long time;
  int have_time;
  unsigned algs;
  long max_age, skew;
  int require_protected;
  const char *before[MAX_REPEAT];
  int n_before;
  int json;
  const char *token;
};

static int usage(void) {
  fprintf(stderr,
          "usage: verify --anchors ROOTS.pem [--crl F] [--status-list F] "
          "[--policy NAME|F.json] [--app-signer HEX] [--bulletins F] [--nonce HEX] "
          "[--time SECS] [--algs es384,es256] [--max-age S] [--skew S] "
          "[--require-protected-x5chain] [--android ANDROID.json] [--enrolment-challenge HEX] "
          "[--before TOKEN] [--json] TOKEN\n");
  return 1;
}

static int parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->max_age = -1;
  o->skew = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define REPEAT(flag, arr, n)                          \
  if (strcmp(a, flag) == 0) {                         \
    if (v == NULL || n == MAX_REPEAT) return -1;      \
    arr[n++] = v;                                     \
    i++;                                              \
    continue;                                         \
  }
#define ONE(flag, field)          \
  if (strcmp(a, flag) == 0) {     \
    if (v == NULL) return -1;     \
    field = v;                    \
    i++;                          \
    continue;                     \
  }
    REPEAT("--anchors", o->anchors, o->n_anchors)
    REPEAT("--crl", o->crls, o->n_crls)
    REPEAT("--app-signer", o->app_signers, o->n_app_signers)
    REPEAT("--before", o->before, o->n_before)
    ONE("--status-list", o->status_list)
    ONE("--policy", o->policy)
    ONE("--bulletins", o->bulletins)
    ONE("--nonce", o->nonce)
    ONE("--android", o->android)
    ONE("--enrolment-challenge", o->enrolment)
    if (strcmp(a, "--time") == 0 && v != NULL) {
      o->time = strtoll(v, NULL, 10);
      o->have_time = 1;
      i++;
      continue;
    }
    if (strcmp(a, "--max-age") == 0 && v != NULL) {
      o->max_age = strtol(v, NULL, 10);
      i++;
      continue;
    }
    if (strcmp(a, "--skew") == 0 && v != NULL) {
      o->skew = strtol(v, NULL, 10);
      i++;
      continue;
    }
    if (strcmp(a, "--algs") == 0 && v != NULL) {
      o->algs = (strstr(v, "es384") ? MTATTEST_ALG_ES384 : 0) |
                (strstr(v, "es256") ? MTATTEST_ALG_ES256 : 0);
      i++;
      continue;
    }
    if (strcmp(a, "--require-protected-x5chain") == 0) {
      o->require_protected = 1;
      continue;
    }
    if (strcmp(a, "--json") == 0) {
      o->json = 1;
      continue;
    }
    if (a[0] == '-' || o->token != NULL) return -1;
    o->token = a;
  }
  return (o->token != NULL && o->n_anchors > 0) ? 0 : -1;
#undef REPEAT
#undef ONE
}

/* Applies a file to the builder with one of the (builder, data, len) setters. */
typedef mtattest_result (*file_setter)(mtattest_verifier_builder *, const uint8_t *, size_t);

static int apply_file(mtattest_verifier_builder *b, file_setter set, const char *path,
                      const char *what) {
  size_t len = 0;
  unsigned char *data = read_file(path, &len);
  if (data == NULL) return -1;
  mtattest_result rc = set(b, data, len);
  free(data);
  if (rc != MTATTEST_OK) {
    report(what, rc);
    return -1;
  }
  return 0;
}

static mtattest_result set_status_list(mtattest_verifier_builder *b, const uint8_t *d, size_t n) {
  return mtattest_verifier_builder_set_status_list(b, d, n);
}
static mtattest_result set_policy_json(mtattest_verifier_builder *b, const uint8_t *d, size_t n) {
  return mtattest_verifier_builder_set_policy_json(b, (const char *)d, n);
}
static mtattest_result set_bulletins(mtattest_verifier_builder *b, const uint8_t *d, size_t n) {
  return mtattest_verifier_builder_set_bulletins(b, (const char *)d, n);
}

static mtattest_result set_android_json(mtattest_verifier_builder *b, const uint8_t *d, size_t n) {
  return mtattest_verifier_builder_set_android_json(b, (const char *)d, n);
}

static int configure(mtattest_verifier_builder *b, const struct options *o) {
  for (int i = 0; i < o->n_anchors; i++) {
    if (apply_file(b, mtattest_verifier_builder_add_anchors, o->anchors[i], "--anchors")) return -1;
  }
  for (int i = 0; i < o->n_crls; i++) {
    if (apply_file(b, mtattest_verifier_builder_add_crl, o->crls[i], "--crl")) return -1;
  }
  if (o->status_list && apply_file(b, set_status_list, o->status_list, "--status-list")) return -1;
  if (o->bulletins && apply_file(b, set_bulletins, o->bulletins, "--bulletins")) return -1;
  if (o->android && apply_file(b, set_android_json, o->android, "--android")) return -1;
  mtattest_result rc;
  if (o->algs && (rc = mtattest_verifier_builder_set_algorithms(b, o->algs)) != MTATTEST_OK) {
    report("--algs", rc);
    return -1;
  }
  if (o->max_age >= 0 || o->skew >= 0) {
    rc = mtattest_verifier_builder_set_freshness(b, (uint32_t)(o->max_age >= 0 ? o->max_age : 300),
                                                 (uint32_t)(o->skew >= 0 ? o->skew : 60));
    if (rc != MTATTEST_OK) {
      report("freshness", rc);
      return -1;
    }
  }
  if (o->require_protected &&
      (rc = mtattest_verifier_builder_set_require_protected_x5chain(b, true)) != MTATTEST_OK) {
    report("--require-protected-x5chain", rc);
    return -1;
  }
  if (o->policy == NULL) return 0;
  if (strstr(o->policy, ".json") == NULL) {
    /* A preset, with the app signer digests one after the other. */
    unsigned char digests[MAX_REPEAT * 64];
    long len = 0;
    for (int i = 0; i < o->n_app_signers; i++) {
      long n = hex_decode(o->app_signers[i], digests + i * 32, 32);
      if (n != 32) {
        fprintf(stderr, "verify: --app-signer: 32 bytes of hex expected\n");
        return -1;
      }
      len = n;
    }
    rc = mtattest_verifier_builder_set_policy_preset(b, o->policy, o->n_app_signers ? digests : NULL,
                                                     (size_t)len, (size_t)o->n_app_signers);
    if (rc != MTATTEST_OK) {
      report("--policy", rc);
      return -1;
    }
    return 0;
  }
  return apply_file(b, set_policy_json, o->policy, "--policy");
}

int main(int argc, char **argv) {
  struct options o;
  if (parse(argc, argv, &o) != 0) return usage();

  int exit_status = 1;
  mtattest_verifier_builder *builder = NULL;
  mtattest_verifier *verifier = NULL;
  mtattest_verify_result *result = NULL;
  struct reason *reasons = NULL;
  size_t n_reasons = 0;
  unsigned char *token = NULL;
  unsigned char nonce[64];
  long nonce_len = 0;
  unsigned char enrolment[256];
  long enrolment_len = 0;

  if (o.nonce != NULL && (nonce_len = hex_decode(o.nonce, nonce, sizeof nonce)) <= 0) {
    fprintf(stderr, "verify: --nonce: 1 to 64 bytes of hex expected\n");
    goto done;
  }
  if (o.enrolment != NULL &&
      (enrolment_len = hex_decode(o.enrolment, enrolment, sizeof enrolment)) <= 0) {
    fprintf(stderr, "verify: --enrolment-challenge: 1 to 256 bytes of hex expected\n");
    goto done;
  }
  int64_t now = o.have_time ? (int64_t)o.time : (int64_t)time(NULL);

  mtattest_result rc = mtattest_verifier_builder_new(&builder);
  if (rc != MTATTEST_OK) {
    report("builder", rc);
    goto done;
  }
  if (configure(builder, &o) != 0) goto done;
  rc = mtattest_verifier_builder_build(builder, &verifier);
  if (rc != MTATTEST_OK) {
    report("build", rc);
    goto done;
  }

  /* Earlier submissions to the same verifier (replay cases). */
  for (int i = 0; i < o.n_before; i++) {
    size_t len = 0;
    unsigned char *earlier = read_file(o.before[i], &len);
    if (earlier == NULL) goto done;
    mtattest_verify_result *r = NULL;
    rc = mtattest_verify_enrolled(verifier, earlier, len, nonce_len ? nonce : NULL, (size_t)nonce_len,
                                  enrolment_len ? enrolment : NULL, (size_t)enrolment_len, now, &r);
    mtattest_verify_result_free(r);
    free(earlier);
    if (rc != MTATTEST_OK) {
      fprintf(stderr, "verify: --before %s was rejected: %s\n", o.before[i], mtattest_result_code(rc));
      goto done;
    }
  }

  size_t token_len = 0;
  token = read_file(o.token, &token_len);
  if (token == NULL) goto done;
  rc = mtattest_verify_enrolled(verifier, token, token_len, nonce_len ? nonce : NULL,
                                (size_t)nonce_len, enrolment_len ? enrolment : NULL,
                                (size_t)enrolment_len, now, &result);
  if (result == NULL) {
    /* Nothing was verified: a bad argument. */
    report("verify", rc);
    goto done;
  }

  mtattest_status status = MTATTEST_STATUS_INVALID;
  const char *code = NULL, *message = NULL;
  if (mtattest_verify_result_status(result, &status) != MTATTEST_OK ||
      mtattest_verify_result_error_code(result, &code) != MTATTEST_OK ||
      mtattest_verify_result_message(result, &message, NULL) != MTATTEST_OK) {
    report("result", MTATTEST_ERR_PANIC);
    goto done;
  }
  /* The return code and the result agree. */
  if ((rc == MTATTEST_OK) != (status != MTATTEST_STATUS_INVALID) ||
      strcmp(code, rc == MTATTEST_OK ? "" : mtattest_result_code(rc)) != 0) {
    fprintf(stderr, "verify: return code %d and result disagree\n", rc);
    goto done;
  }

  const char *ear = NULL, *claims = NULL, *android = NULL;
  const uint8_t *ear_cbor = NULL;
  size_t ear_len = 0, ear_cbor_len = 0;
  if (status != MTATTEST_STATUS_INVALID) {
    if (mtattest_verify_result_ear_json(result, &ear, &ear_len) != MTATTEST_OK ||
        mtattest_verify_result_ear_cbor(result, &ear_cbor, &ear_cbor_len) != MTATTEST_OK ||
        mtattest_verify_result_claims_json(result, &claims, NULL) != MTATTEST_OK ||
        strlen(ear) != ear_len || ear_cbor_len == 0) {
      report("EAR", MTATTEST_ERR_NOT_AVAILABLE);
      goto done;
    }
    /* The Android attestation behind the token, if its chain ends at an
       Android anchor (spec §17). */
    rc = mtattest_verify_result_android_json(result, &android, NULL);
    if (rc != MTATTEST_OK && rc != MTATTEST_ERR_NOT_AVAILABLE) {
      report("android", rc);
      goto done;
    }
  } else if (mtattest_verify_result_ear_json(result, &ear, NULL) != MTATTEST_ERR_NOT_AVAILABLE) {
    fprintf(stderr, "verify: a rejected token must have no EAR\n");
    goto done;
  }

  /* The verdict without the EAR: the action (deny for a rejected token)
     and, for a verified token, the reasons one by one. */
  mtattest_action action = MTATTEST_ACTION_DENY;
  if ((rc = mtattest_verify_result_action(result, &action)) != MTATTEST_OK) {
    report("action", rc);
    goto done;
  }
  if (status != MTATTEST_STATUS_INVALID) {
    if ((rc = mtattest_verify_result_reason_count(result, &n_reasons)) != MTATTEST_OK) {
      report("reasons", rc);
      goto done;
    }
    reasons = calloc(n_reasons ? n_reasons : 1, sizeof *reasons);
    if (reasons == NULL) goto done;
    for (size_t i = 0; i < n_reasons; i++) {
      if ((rc = read_reason(result, i, &reasons[i])) != MTATTEST_OK) {
        report("reason", rc);
        goto done;
      }
    }
  }

  if (o.json) {
    printf("{\"status\": \"%s\", \"code\": ", status_name(status));
    print_json_string(code);
    printf(", \"message\": ");
    print_json_string(message);
    printf(", \"action\": \"%s\", \"reasons\": ", action_name(action));
    if (reasons == NULL) {
      printf("null");
    } else {
      print_reasons(reasons, n_reasons, 1);
    }
    printf(", \"ear\": %s, \"claims\": %s, \"android\": %s}\n", ear ? ear : "null",
           claims ? claims : "null", android ? android : "null");
  } else if (status == MTATTEST_STATUS_INVALID) {
    printf("INVALID  %s [%s]\n", message, code);
  } else {
    printf("%s  %s (EAR: %zu bytes JSON, %zu bytes CBOR)\n", status_name(status), message, ear_len,
           ear_cbor_len);
    printf("action: %s\n", action_name(action));
    print_reasons(reasons, n_reasons, 0);
  }
  exit_status = exit_code(status);

done:
  free(reasons);
  mtattest_verify_result_free(result);
  mtattest_verifier_free(verifier);
  mtattest_verifier_builder_free(builder);
  free(token);
  return exit_status;
}
