//! Real components for the server tests: a private Redis on a free
//! loopback port, `mtattest-server` processes, their configurations, and
//! HTTP helpers. Every process is stopped when its guard is dropped, also
//! when a test fails.

pub mod pki;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The veraison session media type.
pub const SESSION_JSON: &str = "application/vnd.veraison.challenge-response-session+json";
/// The token's media type, with the profile.
pub const EAT_CWT: &str = "application/eat+cwt; eat_profile=\"tag:mtattest.dev,2026:eat/v1\"";

/// A private Redis: no persistence, loopback only, in a temporary
/// directory; stopped when dropped.
pub struct Redis {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    dir: tempfile::TempDir,
}

fn redis_server() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("redis-server"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "redis-server is not on PATH: the server's Redis tests need Debian's redis-server \
             (scripts/test installs it: apt-get install -y redis-server)"
        )
    })
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Redis {
    /// Starts a Redis on a free port.
    pub fn start() -> Redis {
        for _ in 0..5 {
            let mut redis = Redis {
                child: None,
                port: free_port(),
                dir: tempfile::tempdir().expect("a temporary directory"),
            };
            if redis.spawn() {
                return redis;
            }
        }
        panic!("redis-server did not start on any of five free ports");
    }

    fn spawn(&mut self) -> bool {
        let child = Command::new(redis_server())
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.ping() {
                return true;
            }
            if let Some(Ok(Some(_))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        false
    }

    /// Whether it answers PING.
    pub fn ping(&self) -> bool {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
            .is_ok()
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// A synchronous connection, to look at the keys.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("a Redis connection")
    }

    /// Kills it (as a crash would).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port (empty: nothing is persisted).
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.spawn() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("redis-server did not restart on port {}", self.port);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An `mtattest-server` process; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the server binary on `config`, on a free port.
    pub fn start(config: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mtattest-server"))
            .arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting mtattest-server");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let logs = logs.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(addr) = listening_addr(&line) {
                        let _ = tx.send(addr);
                    }
                    if let Ok(mut l) = logs.lock() {
                        l.push(line);
                    }
                }
            });
        }
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => Server {
                child,
                base: format!("http://{addr}"),
                logs,
            },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let logs = logs.lock().map(|l| l.join("\n")).unwrap_or_default();
                panic!("mtattest-server did not start:\n{logs}");
            }
        }
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`HUP`, `TERM`) to it.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -s {signal}");
    }

    /// Waits for it to exit (after a signal) and returns whether it exited
    /// successfully.
    pub fn wait_exit(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("mtattest-server did not exit within {within:?}");
    }

    /// Its log lines so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listening_addr(line: &str) -> Option<String> {
    let v: Value = serde_json::from_str(line).ok()?;
    let fields = v.get("fields")?;
    (fields.get("message")?.as_str()? == "listening")
        .then(|| fields.get("addr")?.as_str().map(str::to_string))
        .flatten()
}

/// A configuration in a temporary directory: the test PKI's root as the
/// anchor, the demo EAR key, the payment policy for the example phone,
/// and `server` / `verifier` lines added to their tables.
pub struct Config {
    /// The directory (removed when dropped).
    pub dir: tempfile::TempDir,
    /// The configuration file.
    pub path: PathBuf,
}

impl Config {
    /// A configuration with `server` lines in `[server]` and `verifier`
    /// lines in `[verifier]`.
    pub fn new(server: &str, verifier: &str) -> Config {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("root.pem"), pki::root_pem()).expect("root.pem");
        std::fs::write(dir.path().join("ear-key.pem"), pki::ear_key_pem()).expect("ear-key.pem");
        let path = dir.path().join("server.toml");
        let config = Config { dir, path };
        config.write(server, verifier);
        config
    }

    /// Rewrites the file with other lines.
    pub fn write(&self, server: &str, verifier: &str) {
        // Reloads on SIGHUP only, unless the test says otherwise.
        let reload = if server.contains("reload-interval-secs") {
            ""
        } else {
            "reload-interval-secs = 0"
        };
        let default_policy = if verifier.contains("default-policy") {
            ""
        } else {
            "default-policy = \"payment\""
        };
        let text = format!(
            r#"[server]
{reload}
{server}

[server.ear]
signing-key = "ear-key.pem"

[verifier]
anchors = [{{ file = "root.pem" }}]
{default_policy}
{verifier}

[verifier.policies.payment]
preset = "payment"
app-signers = ["4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7"]

[verifier.policies.content]
preset = "content"
app-signers = ["4cfb7423dafebc728227283ce04b8eb77f132ecbbd4eaa1e0bd9a7366dcde4b7"]
"#
        );
        std::fs::write(&self.path, text).expect("server.toml");
    }

    /// A file in the configuration's directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// An HTTP client without proxies.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}

/// A response's status, headers and body.
pub struct Reply {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Checks that this is a problem (RFC 9457) with `status` and `code`,
    /// with the members Veraison's clients read.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.header("content-type").as_deref()),
            (status, Some("application/problem+json")),
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let p = self.json();
        assert_eq!(p["code"], code, "{p}");
        assert_eq!(p["status"], status, "{p}");
        assert!(p["type"].as_str().is_some_and(|t| t.ends_with(code)), "{p}");
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
    }
}

/// Sends `request` and collects the reply.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let r = request.send().await.expect("the server answers");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.bytes().await.expect("a body").to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// Standard base64.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64.
pub fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("standard base64")
}

/// Base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Creates a session on `server` (`query` after `newSession?`) and returns
/// its path and JSON.
pub async fn new_session(server: &Server, query: &str) -> (String, Value) {
    let r = send(client().post(server.url(&format!("/challenge-response/v1/newSession?{query}"))))
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let location = r.header("location").expect("a Location");
    (location, r.json())
}

/// Posts `token` to the session at `path` on `server`.
pub async fn post_evidence(server: &Server, path: &str, token: &[u8]) -> Reply {
    send(
        client()
            .post(server.url(path))
            .header("content-type", EAT_CWT)
            .header("accept", SESSION_JSON)
            .body(token.to_vec()),
    )
    .await
}

/// Polls `condition` until it holds, at most `within`.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if condition().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within {within:?}");
}

/// Decodes base64url without padding.
pub fn unb64url(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}
