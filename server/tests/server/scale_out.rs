//! Many instances on one Redis: sessions, challenges and replay
//! identifiers are shared; a store that stops answering gets 503 and no
//! verdict, and the service recovers by itself when it is back.

use std::time::Duration;

use crate::common::{
    b64, b64url, client, eventually, new_session, pki, post_evidence, send, unb64, Config, Redis,
    Server,
};

fn two_instances(redis: &Redis) -> (Config, Server, Server) {
    let config = Config::new(&format!("store = {:?}", redis.url()), "");
    let a = Server::start(&config.path);
    let b = Server::start(&config.path);
    (config, a, b)
}

#[tokio::test]
async fn a_session_made_on_one_instance_completes_on_the_other() {
    let redis = Redis::start();
    let (_config, a, b) = two_instances(&redis);
    let (path, session) = new_session(&a, "nonceSize=16").await;
    let r = send(client().get(b.url(&path))).await;
    assert_eq!(r.json(), session);
    let nonce = unb64(session["nonce"].as_str().unwrap());
    let r = post_evidence(&b, &path, &pki::token(&nonce)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = send(client().get(a.url(&path))).await;
    assert_eq!(r.json()["status"], "complete");
    // A native challenge issued by A is consumed on B, once.
    let c = send(client().post(a.url("/v1/challenge"))).await.json();
    let nonce = unb64(c["nonce"].as_str().unwrap());
    let body = serde_json::json!({"token": b64(&pki::token(&nonce)), "nonce": b64(&nonce)});
    let r = send(client().post(b.url("/v1/verify")).json(&body)).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    send(client().post(a.url("/v1/verify")).json(&body))
        .await
        .assert_problem(400, "server.unknown-challenge");
}

#[tokio::test]
async fn fifty_concurrent_posts_across_two_instances_give_one_result() {
    let redis = Redis::start();
    let (_config, a, b) = two_instances(&redis);
    let (path, session) = new_session(&a, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let mut posts = Vec::new();
    for i in 0..50 {
        let url = if i % 2 == 0 {
            a.url(&path)
        } else {
            b.url(&path)
        };
        let token = token.clone();
        posts.push(tokio::spawn(async move {
            send(
                client()
                    .post(url)
                    .header("content-type", crate::common::EAT_CWT)
                    .body(token),
            )
            .await
        }));
    }
    let mut statuses = Vec::new();
    for p in posts {
        let r = p.await.unwrap();
        if r.status != 200 {
            r.assert_problem(409, "server.session-used");
        }
        statuses.push(r.status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49);
}

#[tokio::test]
async fn a_token_replayed_on_the_other_instance_is_refused() {
    let redis = Redis::start();
    let (_config, a, b) = two_instances(&redis);
    let nonce = [0x5a_u8; 20];
    let (first, _) = new_session(&a, &format!("nonce={}", b64url(&nonce))).await;
    let (second, _) = new_session(&b, &format!("nonce={}", b64url(&nonce))).await;
    let token = pki::token(&nonce);
    assert_eq!(post_evidence(&a, &first, &token).await.status, 200);
    post_evidence(&b, &second, &token)
        .await
        .assert_problem(400, "replay.seen");
    // The identifiers sit in the signer's partition, hash-tagged.
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("mtattest:replay:*")
        .query(&mut redis.connection())
        .unwrap();
    assert_eq!(keys.len(), 2, "cti and nonce: {keys:?}");
    let tag = |k: &str| k.split(['{', '}']).nth(1).map(str::to_string);
    assert!(
        tag(&keys[0]).is_some() && tag(&keys[0]) == tag(&keys[1]),
        "{keys:?}"
    );
    // Kept past the token's deadline by the margin: about 359 + 60 s.
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&keys[0])
        .query(&mut redis.connection())
        .unwrap();
    assert!((410_000..=421_000).contains(&ttl), "{ttl}");
}

#[tokio::test]
async fn the_redis_replay_store_follows_spec_11_2_2() {
    use mtattest::appraisal::{ReplayId, ReplayIdKind, ReplayPartition};
    use mtattest::crypto::{Algorithm, RustCrypto, SoftwareSigner};
    use mtattest::UnixTime;
    use mtattest_server::store::{RedisStore, ReplayClaim, Store as _};

    let redis = Redis::start();
    let store = RedisStore::new(
        &redis.url(),
        "t",
        Duration::from_secs(2),
        Duration::from_secs(60),
    )
    .unwrap();
    let key = SoftwareSigner::from_secret_bytes(Algorithm::Es384, &[3; 48])
        .unwrap()
        .public_key();
    let id = |n: u8| ReplayId::new(ReplayIdKind::Cti, &key, &[n], &RustCrypto);
    let now = pki::now();
    let claim = |ids: &'static [u8], at: i64| {
        let ids: Vec<ReplayId> = ids.iter().map(|n| id(*n)).collect();
        (ids, at)
    };
    let run = |(ids, at): (Vec<ReplayId>, i64)| {
        let store = &store;
        let partition = ReplayPartition::of(&key, &RustCrypto);
        async move {
            store
                .claim_replay(&ReplayClaim {
                    partition,
                    ids: &ids,
                    live_until: UnixTime(at + 300),
                    now: UnixTime(at),
                })
                .await
                .map_err(|e| e.code())
        }
    };
    assert_eq!(run(claim(&[1, 2], now)).await, Ok(()));
    // Any identifier present: seen, and nothing inserted.
    assert_eq!(run(claim(&[2, 3], now)).await, Err("replay.seen"));
    assert_eq!(run(claim(&[3], now)).await, Ok(()));
    // A clock more than the margin behind the store's: refused, even for
    // new identifiers; within the margin: answered.
    assert_eq!(
        run(claim(&[4], now - 120)).await,
        Err("replay.clock-regressed")
    );
    assert_eq!(run(claim(&[4], now - 30)).await, Ok(()));
    // Seen is exact and wins over a lagging clock.
    assert_eq!(run(claim(&[1], now - 120)).await, Err("replay.seen"));
    // A clock ahead of the store's keeps identifiers longer, never shorter.
    assert_eq!(run(claim(&[5], now + 600)).await, Ok(()));
    let mut c = redis.connection();
    let keys: Vec<String> = redis::cmd("KEYS").arg("t:replay:*").query(&mut c).unwrap();
    assert_eq!(keys.len(), 5, "{keys:?}");
    for k in keys {
        let pexpiretime: i64 = redis::cmd("PEXPIRETIME").arg(&k).query(&mut c).unwrap();
        // Deadline (at + 300 s, end of its second) + the margin, by
        // Redis's clock: at least now + 360 s.
        assert!(
            pexpiretime >= (now + 300 + 1) * 1000 + 60_000 - 120 * 1000,
            "{k} {pexpiretime}"
        );
    }
}

#[tokio::test]
async fn redis_stopped_gives_503_and_no_verdict_then_recovers() {
    let mut redis = Redis::start();
    let config = Config::new(
        &format!("store = {:?}\nstore-timeout-ms = 300", redis.url()),
        "",
    );
    let server = Server::start(&config.path);

    // Before: sessions and a challenge made while Redis answers.
    let (path, session) = new_session(&server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let c = send(client().post(server.url("/v1/challenge")))
        .await
        .json();
    let nonce = unb64(c["nonce"].as_str().unwrap());
    let native = serde_json::json!({"token": b64(&pki::token(&nonce)), "nonce": b64(&nonce)});

    redis.stop();
    for _ in 0..3 {
        send(client().post(server.url("/challenge-response/v1/newSession")))
            .await
            .assert_problem(503, "server.store-unavailable");
        post_evidence(&server, &path, &token)
            .await
            .assert_problem(503, "server.store-unavailable");
        send(client().get(server.url(&path)))
            .await
            .assert_problem(503, "server.store-unavailable");
        send(client().post(server.url("/v1/verify")).json(&native))
            .await
            .assert_problem(503, "server.store-unavailable");
        send(client().post(server.url("/v1/challenge")))
            .await
            .assert_problem(503, "server.store-unavailable");
        send(client().get(server.url("/readyz")))
            .await
            .assert_problem(503, "server.store-unavailable");
    }
    assert_eq!(send(client().get(server.url("/healthz"))).await.status, 200);
    eventually(Duration::from_secs(5), "discovery says DOWN", || async {
        let d = send(client().get(server.url("/.well-known/veraison/verification"))).await;
        d.json()["service-state"] == "DOWN"
    })
    .await;

    // Back (empty: nothing was persisted), without restarting the server.
    redis.restart();
    eventually(Duration::from_secs(15), "/readyz ready again", || async {
        send(client().get(server.url("/readyz"))).await.status == 200
    })
    .await;
    let (path, session) = new_session(&server, "").await;
    let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
    let r = post_evidence(&server, &path, &token).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    eventually(Duration::from_secs(5), "discovery says READY", || async {
        let d = send(client().get(server.url("/.well-known/veraison/verification"))).await;
        d.json()["service-state"] == "READY"
    })
    .await;
}

#[tokio::test]
async fn redis_stopped_between_claim_and_replay_gives_no_verdict() {
    // Requests running while Redis stops: every verification either
    // completed before (200 with a result) or is refused as unavailable
    // (503) — never a result without the store's answer.
    let mut redis = Redis::start();
    let config = Config::new(
        &format!("store = {:?}\nstore-timeout-ms = 300", redis.url()),
        "",
    );
    let server = Server::start(&config.path);
    let mut sessions = Vec::new();
    for _ in 0..40 {
        let (path, session) = new_session(&server, "").await;
        let token = pki::token(&unb64(session["nonce"].as_str().unwrap()));
        sessions.push((path, token));
    }
    let base = server.base.clone();
    let run = tokio::spawn(async move {
        let mut outcomes = Vec::new();
        for (path, token) in sessions {
            let r = send(
                client()
                    .post(format!("{base}{path}"))
                    .header("content-type", crate::common::EAT_CWT)
                    .body(token),
            )
            .await;
            outcomes.push(r);
        }
        outcomes
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    redis.stop();
    let outcomes = run.await.unwrap();
    let mut after_stop = 0;
    for r in &outcomes {
        match r.status {
            200 => assert!(r.json()["result"].as_str().is_some()),
            503 => {
                after_stop += 1;
                let code = r.json()["code"].as_str().unwrap().to_string();
                assert!(
                    code == "server.store-unavailable" || code == "replay.store-unavailable",
                    "{code}"
                );
            }
            other => panic!("{other}: {}", String::from_utf8_lossy(&r.body)),
        }
    }
    assert!(after_stop > 0, "Redis stopped before the run ended");
}
