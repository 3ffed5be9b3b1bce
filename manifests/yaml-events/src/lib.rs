//! saphyr-parser's YAML events over a `&str`, behind one non-generic function.
//!
//! Why a crate of its own: the parser is generic over its input, so its code is instantiated in
//! the crate that calls it, with that crate's optimisation level. The loader (`manifests`) is
//! built for size like the rest of the app (opt-level "z"), where the scanner's per-character
//! helpers (`peek`, `skip`, `Chars::next`) stay function calls; measured in wasm that made the
//! events alone about 3× slower than at opt-level 3. Instantiating the parser here lets the
//! workspace build just this crate for speed (`[profile.release.package.podpath-yaml-events]`),
//! which costs the app's bundle ~15 KB gzipped instead of the ~38 KB of building the whole
//! loader at opt-level 3.

pub use saphyr_parser::{Event, Marker, ScalarStyle, ScanError, Span};

use saphyr_parser::{Parser, StrInput};

/// The events of a YAML stream, in order, each with its span.
pub struct Events<'a> {
    parser: Parser<'a, StrInput<'a>>,
}

impl<'a> Events<'a> {
    pub fn new(text: &'a str) -> Events<'a> {
        Events { parser: Parser::new_from_str(text) }
    }

    /// The next event; `None` after the stream's end or an error. Never inlined into the caller,
    /// so the parser stays instantiated (and optimised) here.
    #[inline(never)]
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<(Event<'a>, Span), ScanError>> {
        self.parser.next_event()
    }
}
