//! The `mtattest-server` command.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// A relying-party verification service for mtattest tokens: Veraison's
/// challenge-response API v1 and a native API, one process or many sharing
/// Redis (server/README.md).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The configuration file (TOML: [server] and [verifier]).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "demo",
        conflicts_with = "demo"
    )]
    config: Option<PathBuf>,
    /// Serve the demo configuration (the test PKI; server/examples/demo.toml).
    #[arg(long)]
    demo: bool,
    /// Listen on this address instead of the configured one.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Check the configuration, print the outcome and exit (0: good).
    #[arg(long)]
    check_config: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let path = match (&args.config, args.demo) {
        (Some(p), _) => p.clone(),
        (None, _) => match mtattest_server::demo::write() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("mtattest-server: writing the demo configuration: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    if args.check_config {
        return match mtattest_server::config::load(&path) {
            Ok(loaded) => {
                println!(
                    "{}: configuration OK (store {:?}, EAR key {} {}, {} policies)",
                    path.display(),
                    loaded.settings().store,
                    loaded.ear.algorithm().name(),
                    loaded.ear.kid(),
                    loaded.verifier.policy_names().count()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{}: {}: {e}", path.display(), e.code());
                ExitCode::FAILURE
            }
        };
    }
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(true)
        .init();
    if args.demo {
        tracing::warn!(
            config = %path.display(),
            "demo configuration: it trusts the public test PKI and signs with a public key; never use it for anything real"
        );
    }
    let metrics = mtattest_server::metrics::install();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mtattest-server: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(mtattest_server::run(&path, args.listen, metrics)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mtattest-server: {e}");
            ExitCode::FAILURE
        }
    }
}
