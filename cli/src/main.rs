//! The `mtattest` command.

mod demo;
mod pki;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Issue, verify and inspect terminal security attestation tokens.
#[derive(Debug, Parser)]
#[command(name = "mtattest", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make a test PKI, issue a token for a realistic phone, verify it against the root, print it.
    Demo,
    /// Write a deterministic test PKI (root, OEM intermediate, device key) to DIR.
    Pki(pki::PkiArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Demo => demo::run(),
        Command::Pki(args) => pki::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mtattest: {message}");
            ExitCode::FAILURE
        }
    }
}
