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

/// CPU time (user + system) the process `pid` has used, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    stat_cpu_seconds(&format!("/proc/{pid}/stat"))
}

/// User + system time from a `/proc/…/stat` file, in seconds (ticks of
/// 10 ms).
fn stat_cpu_seconds(path: &str) -> f64 {
    // Fields 14 and 15 (utime, stime), counted after the parenthesised
    // name, in clock ticks; Linux's USER_HZ is 100 on every architecture.
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
            Some(ticks as f64 / 100.0)
        })
        .unwrap_or(0.0)
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
/// Returns the rate by the clock and the CPU microseconds per verification.
fn library_rate(config: &Config, tokens: &[(Vec<u8>, Vec<u8>)]) -> Library {
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
    let cpu0 = thread_cpu_seconds();
    let mut n = 0;
    for (nonce, token) in &tokens[1..] {
        verifier.verify(token, Some(nonce), now).unwrap();
        n += 1;
        if started.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds() - cpu0;
    println!(
        "library, one thread (Verifier::verify, aws-lc, chain cache): {:.0} verifications/s by the clock, {:.0} us of CPU each ({:.0}/s per CPU-second: the machine is shared)",
        n as f64 / wall,
        cpu / n as f64 * 1e6,
        n as f64 / cpu.max(1e-9)
    );
    Library {
        rate: n as f64 / wall,
        cpu_us: cpu / n as f64 * 1e6,
    }
}

/// The library's single-thread figures.
#[derive(Clone, Copy)]
struct Library {
    /// Verifications per second by the clock.
    rate: f64,
    /// CPU microseconds per verification.
    cpu_us: f64,
}

/// CPU time of the calling thread, in seconds.
fn thread_cpu_seconds() -> f64 {
    stat_cpu_seconds("/proc/thread-self/stat")
}

struct Run {
    requests: usize,
    verifications: usize,
    seconds: f64,
    latencies: Vec<Duration>,
    failures: usize,
    /// CPU seconds the server used during the run.
    server_cpu: f64,
}

impl Run {
    fn report(&self, name: &str, cores: f64, library: Library) {
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
            rate / (cores * library.rate)
        );
        println!(
            "{:<28} server CPU {:.0} us per verification (library alone {:.0} us), {:.2} of the {cores} cores",
            "",
            self.server_cpu / self.verifications.max(1) as f64 * 1e6,
            library.cpu_us,
            self.server_cpu / self.seconds / cores
        );
    }
}

/// Drives `work` from `concurrency` tasks until the tokens or the time run
/// out; each call is one complete verification of `requests_each` requests.
async fn drive<F, Fut>(
    server_pid: u32,
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
    let cpu0 = cpu_seconds(server_pid);
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
        server_cpu: 0.0,
    };
    for t in tasks {
        let (ok, failed, lat) = t.await.unwrap();
        run.verifications += ok;
        run.failures += failed;
        run.latencies.extend(lat);
    }
    run.seconds = started.elapsed().as_secs_f64();
    run.server_cpu = cpu_seconds(server_pid) - cpu0;
    run.requests = (run.verifications + run.failures) * requests_each;
    run
}

async fn veraison_run(server: &Server, tokens: Vec<(Vec<u8>, Vec<u8>)>, c: usize, s: u64) -> Run {
    let base = server.base.clone();
    let http = client();
    drive(server.pid(), tokens, c, s, 2, move |nonce, token| {
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
    drive(server.pid(), tokens, c, s, 1, move |nonce, token| {
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

/// Clears Redis's command statistics.
fn reset_command_stats(redis: &Redis) {
    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query(&mut redis.connection())
        .unwrap();
}

/// Prints the commands Redis executed since the last reset, per
/// verification (commands run inside scripts are counted too, by Redis).
fn print_commands_per_verification(redis: &Redis, verifications: usize) {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut redis.connection())
        .unwrap();
    let per: Vec<String> = info
        .lines()
        .filter_map(|l| {
            let (name, rest) = l.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls: u64 = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some(format!(
                "{name} {calls} ({:.2})",
                calls as f64 / verifications.max(1) as f64
            ))
        })
        .collect();
    println!(
        "redis commands (calls, per verification) over {verifications} verifications: {}",
        per.join(", ")
    );
}

/// `MEMORY USAGE` of one key matching `pattern`, and the key.
fn memory_of_one(redis: &Redis, pattern: &str) -> Option<(String, u64)> {
    let mut c = redis.connection();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query(&mut c)
            .ok()?;
        if let Some(key) = keys.into_iter().next() {
            let bytes: u64 = redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(&key)
                .arg("SAMPLES")
                .arg(0)
                .query(&mut c)
                .ok()?;
            return Some((key, bytes));
        }
        if next == 0 {
            return None;
        }
        cursor = next;
    }
}

fn print_memory_of_one(redis: &Redis, what: &str, pattern: &str) {
    match memory_of_one(redis, pattern) {
        Some((key, bytes)) => println!("redis MEMORY USAGE of {what} ({key}): {bytes} bytes"),
        None => println!("redis: no key matches {pattern}"),
    }
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
        let memory = Config::new("session-lifetime-secs = 600\nchallenge-lifetime-secs = 600", "crypto = \"aws-lc\"\nmax-age-secs = 600");
        let library = library_rate(&memory, &pool.split_off(pool.len() - 2_000));

        let server = Server::start(&memory.path);
        let run = veraison_run(&server, pool.split_off(pool.len() - per_run), concurrency, seconds).await;
        run.report("memory, Veraison flow", cores, library);
        let run = native_run(&server, (library.rate * cores * seconds as f64 * 1.2) as usize, concurrency, seconds).await;
        run.report("memory, native verify", cores, library);
        println!(
            "memory store: peak RSS {} KiB after the runs (their completed sessions are live for 600 s)",
            status_kib(server.pid(), "VmHWM:")
        );
        drop(server);
        // Live sessions on a fresh process, so freed memory is not reused.
        let server = Server::start(&memory.path);
        let _ = client().get(server.url("/readyz")).send().await;
        let before = status_kib(server.pid(), "VmRSS:");
        hold_sessions(&server, sessions).await;
        let after = status_kib(server.pid(), "VmRSS:");
        let peak = status_kib(server.pid(), "VmHWM:");
        println!(
            "memory store, fresh process: RSS {before} KiB -> {after} KiB with {sessions} waiting sessions ({} KiB per 10 000); peak RSS {peak} KiB",
            (after.saturating_sub(before)) * 10_000 / sessions as u64
        );
        drop(server);

        let redis = Redis::start();
        let on_redis = Config::new(
            &format!("store = {:?}\nsession-lifetime-secs = 600\nchallenge-lifetime-secs = 600", redis.url()),
            "crypto = \"aws-lc\"\nmax-age-secs = 600",
        );
        let server = Server::start(&on_redis.path);
        let used0 = redis_used_memory(&redis);
        reset_command_stats(&redis);
        let run = veraison_run(&server, pool, concurrency, seconds).await;
        run.report("redis, Veraison flow", cores, library);
        print_commands_per_verification(&redis, run.verifications + run.failures);
        print_memory_of_one(&redis, "a completed session", "*:session:*");
        print_memory_of_one(&redis, "a replay identifier", "*:replay:*");
        let used1 = redis_used_memory(&redis);
        let keys: u64 = redis::cmd("DBSIZE").query(&mut redis.connection()).unwrap();
        println!(
            "redis: {keys} keys after the run ({} completed sessions, {} replay identifiers): {} bytes each on average",
            run.verifications,
            2 * run.verifications,
            (used1.saturating_sub(used0)) / keys.max(1)
        );
        reset_command_stats(&redis);
        let run = native_run(&server, (library.rate * cores * seconds as f64 * 1.2) as usize, concurrency, seconds).await;
        run.report("redis, native verify", cores, library);
        print_commands_per_verification(&redis, run.verifications + run.failures);
        // Only the waiting sessions from here on.
        let _: () = redis::cmd("FLUSHDB").query(&mut redis.connection()).unwrap();
        let used2 = redis_used_memory(&redis);
        hold_sessions(&server, sessions).await;
        let used3 = redis_used_memory(&redis);
        print_memory_of_one(&redis, "a waiting session", "*:session:*");
        println!(
            "redis: {} bytes per waiting session ({} KiB per 10 000); server peak RSS {} KiB",
            used3.saturating_sub(used2) / sessions as u64,
            used3.saturating_sub(used2) * 10_000 / sessions as u64 / 1024,
            status_kib(server.pid(), "VmHWM:")
        );
    });
    println!("load average {} at the end", loadavg());
}
