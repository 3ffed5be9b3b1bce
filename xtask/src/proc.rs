//! Running child processes: echo the command line, stream its output live while keeping a copy
//! to parse, and turn a non-zero exit into an error that names the command.

use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A command to run; a small builder over [`std::process::Command`] that remembers what it is
/// for printing.
#[derive(Clone, Debug)]
pub struct Cmd {
    program: String,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
}

impl Cmd {
    pub fn new(program: &str) -> Cmd {
        Cmd { program: program.to_string(), args: Vec::new(), envs: Vec::new(), dir: None }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.args.push(arg.as_ref().to_os_string());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Cmd {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.envs.push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    pub fn envs<I: IntoIterator<Item = (K, V)>, K: AsRef<OsStr>, V: AsRef<OsStr>>(
        self,
        vars: I,
    ) -> Cmd {
        vars.into_iter().fold(self, |cmd, (k, v)| cmd.env(k, v))
    }

    pub fn dir(mut self, dir: &Path) -> Cmd {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// The command line as a reader would type it (environment settings other than PATH first).
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .envs
            .iter()
            .filter(|(k, _)| k != "PATH")
            .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
            .collect();
        parts.push(self.program.clone());
        parts.extend(self.args.iter().map(|a| a.to_string_lossy().into_owned()));
        parts.join(" ")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        for (k, v) in &self.envs {
            c.env(k, v);
        }
        if let Some(dir) = &self.dir {
            c.current_dir(dir);
        }
        c
    }

    /// Runs to completion, output streamed to the terminal and also returned (stdout and stderr
    /// interleaved in the order the child wrote them).
    pub fn run(&self) -> Result<String, String> {
        println!("$ {}", self.display());
        let _ = std::io::stdout().flush();
        let (reader, writer) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
        let writer2 = writer.try_clone().map_err(|e| format!("pipe: {e}"))?;
        let mut c = self.command();
        c.stdin(Stdio::null()).stdout(writer).stderr(writer2);
        let mut child = c.spawn().map_err(|e| format!("cannot start `{}`: {e}", self.program))?;
        // Drop our copies of the write end (moved into `c`), or the reader never sees EOF.
        drop(c);
        let mut captured = String::new();
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        let stdout = std::io::stdout();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line);
                    let mut out = stdout.lock();
                    let _ = out.write_all(text.as_bytes());
                    let _ = out.flush();
                    captured.push_str(&text);
                }
                Err(e) => return Err(format!("reading output of `{}`: {e}", self.program)),
            }
        }
        let status = child.wait().map_err(|e| format!("waiting for `{}`: {e}", self.program))?;
        if status.success() {
            Ok(captured)
        } else {
            Err(format!("`{}` failed ({status})", self.display()))
        }
    }

    /// Runs quietly and returns stdout + stderr if it exits with success; `None` if the program
    /// is missing or fails. For version probes.
    pub fn probe(&self) -> Option<String> {
        let out = self.command().stdin(Stdio::null()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Some(text)
    }

    /// Starts the command in the background with its output discarded (servers, drivers).
    pub fn spawn_quiet(&self) -> Result<Child, String> {
        println!("$ {} &", self.display());
        self.command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start `{}`: {e}", self.program))
    }

    /// Runs with the terminal inherited (for `serve`, which runs until interrupted).
    pub fn run_inherited(&self) -> Result<(), String> {
        println!("$ {}", self.display());
        let status =
            self.command().status().map_err(|e| format!("cannot start `{}`: {e}", self.program))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.display()))
        }
    }
}
