//! The `mtattest` command.

mod demo;
mod input;
mod inspect;
mod issue;
mod keyattestation;
mod pki;
mod time;
mod vectors;
mod verify;

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
    /// Sign claims (JSON) into a token with a device key and its certificate chain.
    Issue(issue::IssueArgs),
    /// Verify a token against trust anchors, appraise it under a policy, print the EAR.
    Verify(Box<verify::VerifyArgs>),
    /// Decode a token WITHOUT verifying it: headers, chain, claims, CBOR diagnostic notation.
    Inspect(inspect::InspectArgs),
    /// Write the conformance vectors and their manifest (spec/vectors.md) to --out DIR.
    Vectors(vectors::VectorsArgs),
    /// Validate an Android Key Attestation chain (PEM, leaf first) against Google's roots and print its KeyDescription.
    Keyattestation(keyattestation::KeyAttestationArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let result = match cli.command {
        Command::Demo => demo::run(),
        Command::Pki(args) => pki::run(&args),
        Command::Vectors(args) => vectors::run(&args),
        Command::Issue(args) => return exit_with(issue::run(&args).map(|()| 0)),
        Command::Verify(args) => return exit_with(verify::run(&args)),
        Command::Inspect(args) => return exit_with(inspect::run(&args)),
        Command::Keyattestation(args) => return exit_with(keyattestation::run(&args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mtattest: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A command's exit code, or its one-line error (exit 1).
fn exit_with(result: Result<u8, String>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("mtattest: {}", input::one_line(&message));
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to stdout (exit 0); a command-line mistake is one
/// line on stderr and exit 1 (clap's own exit code 2 would read as a
/// `verify` warning).
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{e}");
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
        _ => {
            // clap's first line, and the indented lines that complete it
            // (the missing arguments), without usage and tips.
            let text = e.to_string();
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("invalid arguments");
            let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
            for more in lines.take_while(|l| l.starts_with("  ")) {
                message.push(' ');
                message.push_str(more.trim());
            }
            eprintln!("mtattest: {message} (see --help)");
            ExitCode::FAILURE
        }
    }
}
