//! `mtattest completions SHELL` and `mtattest man`: shell completion
//! scripts and the manual page, generated from the same command definition
//! as the parser (clap_complete, clap_mangen), so they never fall behind a
//! new flag.

use std::path::PathBuf;

/// Arguments of `mtattest completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Install, e.g.:
  bash  mtattest completions bash > ~/.local/share/bash-completion/completions/mtattest
  zsh   mtattest completions zsh > \"${fpath[1]}/_mtattest\"
  fish  mtattest completions fish > ~/.config/fish/completions/mtattest.fish")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `mtattest man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write one page per command (mtattest.1, mtattest-verify.1, …) into
    /// DIR instead of printing mtattest.1 on stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Prints the completion script for `args.shell`.
pub fn completions(args: &CompletionsArgs, mut command: clap::Command) -> Result<(), String> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "mtattest", &mut script);
    crate::output::write_bytes(&script);
    Ok(())
}

/// Prints the manual page (roff), or writes every command's page to
/// `--out`.
pub fn man(args: &ManArgs, command: clap::Command) -> Result<(), String> {
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .map_err(|e| format!("--out {}: {e}", dir.display()))?;
            outln!("wrote the manual pages to {}", dir.display());
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| format!("rendering the manual page: {e}"))?;
            crate::output::write_bytes(&page);
        }
    }
    Ok(())
}
