//! The load benchmark of mtattest-server (`scripts/bench-server`): complete
//! verifications over loopback against the built binary, with the memory
//! store and with Redis, beside the library's single-core `Verifier` rate
//! measured in the same run. Bounded in requests and time; 127.0.0.1 only.
//!
//! What it drives:
//! - Veraison flow: `newSession?nonce=…` then the token posted (the caller
//!   nonce lets tokens be signed before the clock starts; signing is the
//!   device's cost, not the service's);
//! - native flow: `/v1/verify` with a challenge issued by `/v1/challenge`
//!   before the clock starts.
//!
//! Environment: `BENCH_SECONDS` (per run, default 10), `BENCH_CONCURRENCY`
//! (default 32), `BENCH_SESSIONS` (sessions held for the memory figure,
//! default 10 000).

#[path = "../tests/server/common/mod.rs"]
#[allow(dead_code)]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{b64, b64url, client, pki, Config, Redis, Server, EAT_CWT};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Tokens for distinct random nonces, signed on every core.
fn tokens(n: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = n.div_ceil(threads);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                (0..per)
                    .map(|_| {
                        let nonce = mtattest_server::nonce::random_nonce(32).unwrap();
                        let token = pki::token(&nonce);
                        (nonce, token)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.truncate(n);
    all
}

/// The library alone, one thread: `Verifier::verify` (chain cache, replay
/// cache, the configured crypto provider) over fresh tokens.
fn library_rate(config: &Config, tokens: &[(Vec<u8>, Vec<u8>)]) -> f64 {
    let loaded = mtattest_server::config::load(&config.path).unwrap();
    let verifier = loaded
        .source_verifier_config()
        .build()
        .expect("the verifier");
    let now = mtattest::UnixTime::now();
    // Warm the chain cache.
    verifier
        .verify(&tokens[0].1, Some(&tokens[0].0), now)
        .unwrap();
    let started = Instant::now();
    let mut n = 0;
    for (nonce, token) in &tokens[1..] {
        verifier.verify(token, Some(nonce), now).unwrap();
        n += 1;
        if started.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    n as f64 / started.elapsed().as_secs_f64()
}

struct Run {
    requests: usize,
    verifications: usize,
    seconds: f64,
    latencies: Vec<Duration>,
    failures: usize,
}

impl Run {
    fn report(&self, name: &str, cores: f64, library: f64) {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        let rate = self.verifications as f64 / self.seconds;
        println!(
            "{name:<28} {:>8.0} verifications/s ({} requests, {} failed) p50 {:>6.2} ms p99 {:>6.2} ms  ratio {:.2} of {cores} cores x library",
            rate,
            self.requests,
            self.failures,
            pct(0.50),
            pct(0.99),
            rate / (cores * library)
        );
    }
}

/// Drives `work` from `concurrency` tasks until the tokens or the time run
/// out; each call is one complete verification of `requests_each` requests.
async fn drive<F, Fut>(
    tokens: Vec<(Vec<u8>, Vec<u8>)>,
    concurrency: usize,
    seconds: u64,
    requests_each: usize,
    work: F,
) -> Run
where
    F: Fn(Vec<u8>, Vec<u8>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (bool, Vec<Duration>)> + Send,
{
    let tokens = Arc::new(tokens);
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (tokens, next, work) = (tokens.clone(), next.clone(), work.clone());
            tokio::spawn(async move {
                let (mut ok, mut failed, mut lat) = (0, 0, Vec::new());
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((nonce, token)) = tokens.get(i) else {
                        break;
                    };
                    let (good, l) = work(nonce.clone(), token.clone()).await;
                    if good {
                        ok += 1
                    } else {
                        failed += 1
                    }
                    lat.extend(l);
                }
                (ok, failed, lat)
            })
        })
        .collect();
    let mut run = Run {
        requests: 0,
        verifications: 0,
        seconds: 0.0,
        latencies: Vec::new(),
        failures: 0,
    };
    for t in tasks {
        let (ok, failed, lat) = t.await.unwrap();
        run.verifications += ok;
        run.failures += failed;
        run.latencies.extend(lat);
    }
    run.seconds = started.elapsed().as_secs_f64();
    run.requests = (run.verifications + run.failures) * requests_each;
    run
}

async fn veraison_run(server: &Server, tokens: Vec<(Vec<u8>, Vec<u8>)>, c: usize, s: u64) -> Run {
    let base = server.base.clone();
    let http = client();
    drive(tokens, c, s, 2, move |nonce, token| {
        let (base, http) = (base.clone(), http.clone());
        async move {
            let t0 = Instant::now();
            let r = http
                .post(format!(
                    "{base}/challenge-response/v1/newSession?nonce={}",
                    b64url(&nonce)
                ))
                .send()
                .await;
            let Ok(r) = r else { return (false, vec![]) };
            let location = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let _ = r.bytes().await;
            let t1 = Instant::now();
            let Some(path) = location else {
                return (false, vec![t1 - t0]);
            };
            let r = http
                .post(format!("{base}{path}"))
                .header("content-type", EAT_CWT)
                .body(token)
                .send()
                .await;
            let good = matches!(&r, Ok(r) if r.status() == 200);
            if let Ok(r) = r {
                let _ = r.bytes().await;
            }
            (good, vec![t1 - t0, t1.elapsed()])
        }
    })
    .await
}

async fn native_run(server: &Server, count: usize, c: usize, s: u64) -> Run {
    // Challenges first, then the device signs for each: not timed.
    let http = client();
    let mut challenges = Vec::with_capacity(count);
    for _ in 0..count {
        let r = http.post(server.url("/v1/challenge")).send().await.unwrap();
        let v: serde_json::Value = r.json().await.unwrap();
        challenges.push(common::unb64(v["nonce"].as_str().unwrap()));
    }
    let tokens: Vec<_> = {
        let threads = 2;
        let chunks: Vec<Vec<Vec<u8>>> = challenges
            .chunks(count.div_ceil(threads))
            .map(<[_]>::to_vec)
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| {
                std::thread::spawn(move || {
                    c.into_iter()
                        .map(|n| {
                            let t = pki::token(&n);
                            (n, t)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    };
    let url = server.url("/v1/verify");
    drive(tokens, c, s, 1, move |nonce, token| {
        let (url, http) = (url.clone(), http.clone());
        async move {
            let t0 = Instant::now();
            let body = serde_json::json!({"token": b64(&token), "nonce": b64(&nonce)});
            let r = http.post(&url).json(&body).send().await;
            let good = matches!(&r, Ok(r) if r.status() == 200);
            if let Ok(r) = r {
                let _ = r.bytes().await;
            }
            (good, vec![t0.elapsed()])
        }
    })
    .await
}

async fn hold_sessions(server: &Server, n: usize) {
    let http = client();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (http, url) = (
                http.clone(),
                server.url("/challenge-response/v1/newSession"),
            );
            tokio::spawn(async move {
                for _ in 0..n / 8 {
                    let _ = http.post(&url).send().await.map(|r| r.status());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

fn redis_used_memory(redis: &Redis) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query(&mut redis.connection())
        .unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let seconds = env("BENCH_SECONDS", 10);
    let concurrency = env("BENCH_CONCURRENCY", 32) as usize;
    let sessions = env("BENCH_SESSIONS", 10_000) as usize;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    // Enough tokens for the time at a generous rate, bounded.
    let per_run = env("BENCH_TOKENS", 30_000) as usize;
    println!(
        "mtattest-server load benchmark: {cores} cores, load average {} at start",
        loadavg()
    );
    println!(
        "signing {} tokens for the runs (the devices' work, not timed)...",
        per_run * 2
    );
    let mut pool = tokens(per_run * 2 + 2_000);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // Freshness: the tokens are signed up front, so give them the time.
        let memory = Config::new("session-lifetime-secs = 600\nchallenge-lifetime-secs = 600", "max-age-secs = 600");
        let library = library_rate(&memory, &pool.split_off(pool.len() - 2_000));
        println!("library, one thread (Verifier::verify, aws-lc, chain cache): {library:.0} verifications/s");

        let server = Server::start(&memory.path);
        let run = veraison_run(&server, pool.split_off(pool.len() - per_run), concurrency, seconds).await;
        run.report("memory, Veraison flow", cores, library);
        let run = native_run(&server, (library * cores * seconds as f64 * 1.2) as usize, concurrency, seconds).await;
        run.report("memory, native verify", cores, library);
        let before = status_kib(server.pid(), "VmRSS:");
        hold_sessions(&server, sessions).await;
        let after = status_kib(server.pid(), "VmRSS:");
        let peak = status_kib(server.pid(), "VmHWM:");
        println!(
            "memory store: RSS {before} KiB -> {after} KiB after {sessions} more live sessions ({} KiB per 10 000); peak RSS {peak} KiB",
            (after.saturating_sub(before)) * 10_000 / sessions as u64
        );
        drop(server);

        let redis = Redis::start();
        let on_redis = Config::new(
            &format!("store = {:?}\nsession-lifetime-secs = 600\nchallenge-lifetime-secs = 600", redis.url()),
            "max-age-secs = 600",
        );
        let server = Server::start(&on_redis.path);
        let used0 = redis_used_memory(&redis);
        let run = veraison_run(&server, pool, concurrency, seconds).await;
        run.report("redis, Veraison flow", cores, library);
        let used1 = redis_used_memory(&redis);
        let keys: u64 = redis::cmd("DBSIZE").query(&mut redis.connection()).unwrap();
        println!(
            "redis: {keys} keys after the run ({} completed sessions, {} replay identifiers): {} bytes each on average",
            run.verifications,
            2 * run.verifications,
            (used1.saturating_sub(used0)) / keys.max(1)
        );
        let run = native_run(&server, (library * cores * seconds as f64 * 1.2) as usize, concurrency, seconds).await;
        run.report("redis, native verify", cores, library);
        let used2 = redis_used_memory(&redis);
        hold_sessions(&server, sessions).await;
        let used3 = redis_used_memory(&redis);
        println!(
            "redis: {} bytes per waiting session ({} KiB per 10 000); server peak RSS {} KiB",
            used3.saturating_sub(used2) / sessions as u64,
            used3.saturating_sub(used2) * 10_000 / sessions as u64 / 1024,
            status_kib(server.pid(), "VmHWM:")
        );
    });
    println!("load average {} at the end", loadavg());
}
