//! The `mtattest` command.

// First: the `out!`/`outln!` macros every module prints with.
#[macro_use]
mod output;
mod completions;
#[cfg(feature = "testkit")]
mod demo;
mod input;
mod inspect;
mod issue;
mod keyattestation;
#[cfg(feature = "testkit")]
mod pki;
#[cfg(feature = "testkit")]
mod vectors;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

/// `--version`: the version, and the crypto providers this build has (the
/// one `verify` uses unless `--crypto` says otherwise first), so an
/// operator can see that a default build verifies with aws-lc.
static LONG_VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use mtattest::crypto::{default_provider_name, provider_by_name, PROVIDER_NAMES};
    let default = default_provider_name();
    let built: Vec<String> = default
        .into_iter()
        .map(|name| format!("{name} (default)"))
        .chain(
            PROVIDER_NAMES
                .into_iter()
                .filter(|&name| Some(name) != default && provider_by_name(name).is_some())
                .map(String::from),
        )
        .collect();
    format!(
        "{}\ncrypto providers: {}",
        env!("CARGO_PKG_VERSION"),
        built.join(", ")
    )
});

/// The exit codes of every subcommand, shown by `mtattest --help`.
const EXIT_CODES: &str = "\
Exit codes:
  0    success (verify: affirming)
  1    usage, configuration, input or I/O error; also a stdout closed before
       everything was written (`| head -1`), quietly, with no message
  2-5  verify: warning, contraindicated, invalid token, none (mtattest verify --help)
  4    inspect: the token is not well-formed";

/// Issue, verify and inspect terminal security attestation tokens.
#[derive(Debug, Parser)]
#[command(
    name = "mtattest",
    version,
    long_version = LONG_VERSION.as_str(),
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make a test PKI, issue a token for a realistic phone, verify it against the root, print it.
    #[cfg(feature = "testkit")]
    Demo,
    /// Write a deterministic test PKI (root, OEM intermediate, device key) to DIR.
    #[cfg(feature = "testkit")]
    Pki(pki::PkiArgs),
    /// Sign claims (JSON) into a token with a device key and its certificate chain.
    Issue(issue::IssueArgs),
    /// Verify a token against trust anchors, appraise it under a policy, print the EAR.
    Verify(Box<verify::VerifyArgs>),
    /// Decode a token WITHOUT verifying it: headers, chain, claims, CBOR diagnostic notation.
    Inspect(inspect::InspectArgs),
    /// Write the conformance vectors and their manifest (spec/vectors.md) to --out DIR.
    #[cfg(feature = "testkit")]
    Vectors(vectors::VectorsArgs),
    /// Validate an Android Key Attestation chain (PEM, leaf first) against Google's roots and print its KeyDescription.
    Keyattestation(keyattestation::KeyAttestationArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish, powershell.
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write every command's page with --out DIR.
    Man(completions::ManArgs),
    /// The developer subcommands, in a build without them: an explanation
    /// instead of clap's "unrecognized subcommand".
    #[cfg(not(feature = "testkit"))]
    #[command(name = "demo", hide = true, disable_help_flag = true)]
    Demo(NotInThisBuild),
    #[cfg(not(feature = "testkit"))]
    #[command(name = "pki", hide = true, disable_help_flag = true)]
    Pki(NotInThisBuild),
    #[cfg(not(feature = "testkit"))]
    #[command(name = "vectors", hide = true, disable_help_flag = true)]
    Vectors(NotInThisBuild),
}

/// Whatever follows a developer subcommand in a build without the test kit.
#[cfg(not(feature = "testkit"))]
#[derive(Debug, clap::Args)]
struct NotInThisBuild {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _args: Vec<std::ffi::OsString>,
}

/// The developer subcommands link the test kit, whose private keys are
/// public; the production binary leaves them out (cli/Cargo.toml).
#[cfg(not(feature = "testkit"))]
fn not_in_this_build(name: &str) -> Result<(), String> {
    Err(format!(
        "`{name}` is developer tooling and not in this build: it carries the test PKI, whose \
         private keys are public. Build with the `testkit` feature, e.g. `cargo run -p \
         mtattest-cli --features testkit -- {name}`"
    ))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let result = match cli.command {
        #[cfg(feature = "testkit")]
        Command::Demo => demo::run(),
        #[cfg(feature = "testkit")]
        Command::Pki(args) => pki::run(&args),
        #[cfg(feature = "testkit")]
        Command::Vectors(args) => vectors::run(&args),
        #[cfg(not(feature = "testkit"))]
        Command::Demo(_) => not_in_this_build("demo"),
        #[cfg(not(feature = "testkit"))]
        Command::Pki(_) => not_in_this_build("pki"),
        #[cfg(not(feature = "testkit"))]
        Command::Vectors(_) => not_in_this_build("vectors"),
        Command::Completions(args) => completions::completions(&args, Cli::command()),
        Command::Man(args) => completions::man(&args, Cli::command()),
        Command::Issue(args) => return exit_with(issue::run(&args).map(|()| 0), args.json),
        // verify prints its own JSON for every error (with the library's code).
        Command::Verify(args) => return exit_with(verify::run(&args), false),
        Command::Inspect(args) => return exit_with(inspect::run(&args), args.json),
        Command::Keyattestation(args) => return exit_with(keyattestation::run(&args), args.json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mtattest: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A command's exit code, or its one-line error (exit 1); with `json`, the
/// error is also the `{"error": …}` object on stdout, so a script that asked
/// for JSON always reads JSON there.
fn exit_with(result: Result<u8, String>, json: bool) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            let message = input::one_line(&message);
            if json {
                outln!("{:#}", verify::usage_error_json(&message));
            }
            eprintln!("mtattest: {message}");
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
            out!("{e}");
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
            // A script that asked for JSON gets the error as JSON too.
            if std::env::args_os().skip(1).any(|a| a == "--json") {
                outln!("{:#}", verify::usage_error_json(&message));
            }
            eprintln!("mtattest: {message} (see --help)");
            ExitCode::FAILURE
        }
    }
}
