// Times vector 0's verification through one of the bindings' paths; plain
// ES module, so the same loop runs in Node (verify.mjs) and in the bench
// page (index.html, in headless Chromium). Each run is the one-shot call
// (configuration, chain, signature, claims, appraisal; no cache survives),
// as the native figure (examples/verify_native.rs) is.
export async function timeVerify(wasm, input, path, runs) {
  const { token, anchors, options } = input;
  const once = path === 'webcrypto'
    ? () => wasm.verifyAsync(token, anchors, options)
    : async () => wasm.verify(token, anchors, options);
  const times = [];
  for (let i = 0; i < runs + 5; i++) {
    const start = performance.now();
    const r = await once();
    const elapsed = performance.now() - start;
    if (r.errorCode !== null) throw new Error(`${path}: ${r.errorCode} ${r.message}`);
    if (i >= 5) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { min_ms: times[0], median_ms: times[Math.floor(times.length / 2)], runs };
}

// Vector 0's inputs, with `read(rel)` → Promise<Uint8Array> of a file of
// test-vectors/.
export async function vectorZero(read) {
  const decode = async (rel) => new TextDecoder().decode(await read(rel));
  const manifest = JSON.parse(await decode('manifest.json'));
  const c = manifest.cases[0];
  return {
    id: c.id,
    token: await read(c.token),
    anchors: await decode(c.anchors),
    options: { policy: await decode(c.policy), time: c.time, nonce: c.nonce },
  };
}
