// Every conformance vector of test-vectors/manifest.json through the
// WebCrypto path of the bindings (createVerifier, verifier.verifyAsync):
// the manifest's outcome, status, reasons and claims, or its exact error
// code. Plain ES module without Node APIs: the same checks run in Node
// (webcrypto-vectors.test.mjs) and in headless Chromium
// (webcrypto-page.test.mjs). The expectations are the manifest's, as in
// vectors.test.mjs.

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

// JSON with the members of every object in one order, to compare values.
export const canonical = (value) =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);

// `files.bytes(rel)` and `files.text(rel)` read test-vectors/ (Promises).
export async function optionsOf(manifest, c, files) {
  const settings = { ...manifest.verifier, ...(c.options ?? {}) };
  const text = (rel) => (rel ? files.text(rel) : null);
  return {
    policy: await text(c.policy),
    bulletins: await text(c.bulletin),
    crls: c.crl ? [hex(await files.bytes(c.crl))] : null,
    statusList: await text(c['status-list']),
    allowedAlgorithms: settings['allowed-algorithms'],
    requireProtectedX5chain: settings['require-protected-x5chain'],
    maxAgeSecs: settings['max-age-secs'],
    clockSkewSecs: settings['clock-skew-secs'],
    androidAnchors: await text(c['android-anchors']),
    androidChallenge: settings['android-challenge'] ?? null,
    androidMinSecurityLevel: settings['android-min-security-level'] ?? null,
  };
}

export const callOf = (c) => ({ time: c.time, nonce: c.nonce, enrolmentChallenge: c['enrolment-challenge'] ?? null });

const reasonKey = (r) => JSON.stringify([r.rule, r.claim, r.failure, r.advisory ?? null]);

// What differs between `r` and the case's expected outcome (empty: none).
export function problemsOf(c, r) {
  const problems = [];
  const expect = (what, got, want) => {
    if (canonical(got) !== canonical(want)) problems.push(`${what}: got ${canonical(got)}, want ${canonical(want)}`);
  };
  const want = c.expected;
  if (want.result === 'invalid') {
    expect('status', r.status, 'invalid');
    expect('errorCode', r.errorCode, want.error);
    expect('action', r.action, 'deny');
    return problems;
  }
  expect('errorCode', r.errorCode, null);
  if (r.errorCode !== null) return [...problems, r.message];
  expect('claims', r.claims, want.claims);
  const attested = r.android
    ? r.android.claims.map((a) => ({ claim: a.claim, value: a.attested, by: r.android.attester, token: a.comparison }))
    : undefined;
  expect('attested', attested, want.attested);
  if (want.appraisal) {
    expect('status', r.status, want.appraisal.status);
    expect('action', r.action, want.appraisal.action);
    expect('reasons', r.reasons.map(reasonKey).sort(), want.appraisal.reasons.map(reasonKey).sort());
    expect('ear.status', r.ear['ear.status'], want.appraisal.status);
  } else {
    expect('status', r.status, 'none');
  }
  return problems;
}

// Runs every case through `wasm` (the bindings' module); resolves to
// `{id, problems}` for each case, problems empty when it passed.
export async function runVectors(wasm, manifest, files) {
  const out = [];
  for (const c of manifest.cases) {
    const problems = [];
    try {
      const verifier = await wasm.createVerifier(await files.text(c.anchors), await optionsOf(manifest, c, files));
      for (const earlier of c['submitted-before'] ?? []) {
        const r = await verifier.verifyAsync(await files.bytes(earlier), callOf(c));
        if (r.errorCode !== null) problems.push(`earlier submission ${earlier}: ${r.errorCode} ${r.message}`);
      }
      const r = await verifier.verifyAsync(await files.bytes(c.token), callOf(c));
      problems.push(...problemsOf(c, r));
    } catch (e) {
      problems.push(`threw ${e && e.code} ${e && e.message}`);
    }
    out.push({ id: c.id, problems });
  }
  return out;
}
