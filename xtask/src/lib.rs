//! The pieces behind `cargo xtask`: a context (repository root and the PATH the tools live on),
//! process running, tool setup, the test pipeline, runner-output parsing and the dependency
//! invariant that `tests/architecture.rs` enforces.

pub mod bench;
pub mod csp;
pub mod deps;
pub mod fold;
pub mod pipeline;
pub mod proc;
pub mod runner_output;
pub mod setup;
pub mod split;
pub mod wasm_size;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Where the repository is and which PATH child processes get.
pub struct Ctx {
    /// The workspace root (the folder holding the root `Cargo.toml`).
    pub root: PathBuf,
    /// `PATH` for every child: the project-local npm tools, cargo's bin folder, then the caller's.
    pub path: OsString,
}

impl Ctx {
    /// Builds the context from `CARGO_MANIFEST_DIR` (set by `cargo run`) or the current folder.
    pub fn from_env() -> Result<Ctx, String> {
        let root = match std::env::var_os("CARGO_MANIFEST_DIR") {
            Some(dir) => {
                Path::new(&dir).parent().ok_or("CARGO_MANIFEST_DIR has no parent")?.to_path_buf()
            }
            None => std::env::current_dir().map_err(|e| format!("current dir: {e}"))?,
        };
        let mut dirs = vec![root.join(".tools/node_modules/.bin")];
        if let Some(home) = std::env::var_os("CARGO_HOME") {
            dirs.push(PathBuf::from(home).join("bin"));
        } else if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
        if let Some(old) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&old));
        }
        let path = std::env::join_paths(dirs).map_err(|e| format!("PATH: {e}"))?;
        Ok(Ctx { root, path })
    }

    /// A command that runs in the workspace root with the tool PATH.
    pub fn cmd(&self, program: &str) -> proc::Cmd {
        proc::Cmd::new(program).dir(&self.root).env("PATH", &self.path)
    }

    /// The folder of project-local tools installed from npm (gitignored).
    pub fn tools_dir(&self) -> PathBuf {
        self.root.join(".tools")
    }
}
