//! saphyr-parser's YAML events over a `&str`, behind one non-generic function.
//!
//! Why a crate of its own: the parser is generic over its input, so its code is instantiated in
//! the crate that calls it, with that crate's optimisation level; this crate is that place, so
//! the workspace can build the parser apart from the loader
//! (`[profile.release.package.podpath-yaml-events]`). It used to be built at opt-level 3 for
//! wasm load speed (~13 KB gzipped of the app's bundle); measured again at the app's "z" the
//! 10 MB load stays within issue #4's 2 s in wasm (1.44 s cold), so it is size-tuned like the
//! rest of the app (ARCHITECTURE.md, loader internals).

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
