//! How every command reports: one JSON document on stdout (pretty, or one line with
//! `--compact`), human diagnostics (traces, progress) on stderr, and one exit-code convention:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the call ran and failed (trap, panic, out of gas, revert), or a check failed |
//! | 2 | bad input: a refused module, an unreadable or malformed file, bad arguments |
//! | 3 | host failure: the state store, the disk, a state directory in use |
//!
//! Commands build a [`CommandOutput`]; the binary prints it with [`print`].

use serde_json::{Value, json};

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: the call ran and failed, or a check failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: bad input.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code: host failure.
pub const EXIT_HOST: i32 = 3;

/// How a command ended: the JSON to print and the process exit code.
#[derive(Debug)]
pub struct CommandOutput {
    /// The receipt or error, as JSON.
    pub json: Value,
    /// 0 success; 1 the call failed; 2 bad input (module refused, unreadable file, bad args);
    /// 3 host failure (state store, instantiation).
    pub exit_code: i32,
    /// With `--trace`: the call tree as text (printed on stderr, so stdout stays JSON).
    pub trace: Option<String>,
}

/// Exit code 2: the input was refused.
pub fn refused(kind: &str, message: impl std::fmt::Display) -> CommandOutput {
    CommandOutput {
        json: json!({ "status": "refused", "error": { "kind": kind, "message": message.to_string() } }),
        exit_code: EXIT_BAD_INPUT,
        trace: None,
    }
}

/// A state directory's error as output: its kind, its exit code (2 bad input, 3 host).
pub fn dir_failure(e: crate::state_dir::StateDirError) -> CommandOutput {
    let mut out = if e.exit_code() == 2 {
        refused(e.kind(), &e)
    } else {
        host_failure(&e)
    };
    out.json["error"]["kind"] = e.kind().into();
    out
}

/// Exit code 3: the host failed.
pub fn host_failure(message: impl std::fmt::Display) -> CommandOutput {
    CommandOutput {
        json: json!({ "status": "host_error", "error": { "kind": "host_error", "message": message.to_string() } }),
        exit_code: EXIT_HOST,
        trace: None,
    }
}

/// JSON layout on stdout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JsonStyle {
    /// Indented (the default: people read it).
    #[default]
    Pretty,
    /// One line (`--compact`: scripts and `jq` read it).
    Compact,
}

/// Print `out`: its trace (if any) on stderr, its JSON on stdout; returns its exit code.
pub fn print(out: &CommandOutput, style: JsonStyle) -> i32 {
    if let Some(trace) = &out.trace {
        eprint!("{trace}");
    }
    print_json(&out.json, style);
    out.exit_code
}

/// Print one JSON document on stdout.
pub fn print_json(value: &Value, style: JsonStyle) {
    let text = match style {
        JsonStyle::Pretty => serde_json::to_string_pretty(value),
        JsonStyle::Compact => serde_json::to_string(value),
    };
    match text {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("cannot print result: {e}"),
    }
}

impl CommandOutput {
    /// A successful command's JSON (exit code 0).
    pub fn ok(json: Value) -> Self {
        CommandOutput {
            json,
            exit_code: EXIT_OK,
            trace: None,
        }
    }
}
