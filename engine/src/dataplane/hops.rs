//! The hop recorder: the one place hops are kept, and the one owner of their laziness.
//!
//! A stage records a hop in one statement where it happens, [`hop!`]`(w, at, tuple, action,
//! "words {x}", x = value)`. Nothing of it is built unless the walk records (the outcome
//! enumeration walks every branch and records none): not the location, not the action, not the
//! values the words name. The words are formatted only when read ([`text!`]), so a trace costs
//! no formatting until somebody displays or compares it.
//!
//! Bottom of the dataplane: imports nothing from it.

use crate::trace::Hop;

/// The hops of the connection being walked, when the walk records them.
pub(crate) struct Hops {
    recording: bool,
    list: Vec<Hop>,
}

impl Hops {
    pub fn new(recording: bool) -> Hops {
        // A connection has a few dozen hops; growing from empty showed in profiles.
        Hops { recording, list: if recording { Vec::with_capacity(32) } else { Vec::new() } }
    }

    /// Whether hops are kept (a traced connection) or not (an enumerated branch).
    #[inline(always)]
    pub fn recording(&self) -> bool {
        self.recording
    }

    /// Turns recording off or on (a refusal's way back is walked unrecorded unless it is
    /// lost); returns what it was.
    pub fn set_recording(&mut self, on: bool) -> bool {
        std::mem::replace(&mut self.recording, on)
    }

    pub fn push(&mut self, hop: Hop) {
        if self.recording {
            self.list.push(hop);
        }
    }

    /// Records `hop` before the hops from position `at` on (a jump recorded once the chain it
    /// entered has done something).
    pub fn insert(&mut self, at: usize, hop: Hop) {
        if self.recording {
            self.list.insert(at.min(self.list.len()), hop);
        }
    }

    /// The number of hops so far: a mark for [`Hops::take_from`] and [`Hops::insert`].
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn last_mut(&mut self) -> Option<&mut Hop> {
        self.list.last_mut()
    }

    pub fn reserve(&mut self, n: usize) {
        if self.recording {
            self.list.reserve(n);
        }
    }

    pub fn take(&mut self) -> Vec<Hop> {
        std::mem::take(&mut self.list)
    }

    /// The hops from `mark` on (all of them, without copying, when `mark` is 0).
    pub fn take_from(&mut self, mark: usize) -> Vec<Hop> {
        if mark == 0 {
            self.take()
        } else {
            self.list.split_off(mark)
        }
    }
}

/// `text!("… {x} …", x = value)`: a [`Text`](crate::trace::Text) formatted when read. Names in
/// braces are the `name = value` pairs (evaluated once, owned by the text) or `Copy` locals;
/// a literal without any is a static string. `text!(expr)` takes a prepared text or string.
macro_rules! text {
    ($fmt:literal) => {
        match format_args!($fmt).as_str() {
            Some(s) => $crate::trace::Text::new_static(s),
            None => $crate::trace::Text::lazy(move |f| write!(f, $fmt)),
        }
    };
    ($fmt:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        $(let $name = $value;)+
        $crate::trace::Text::lazy(move |f| write!(f, $fmt))
    }};
    ($text:expr) => {
        $crate::trace::Text::from($text)
    };
}
pub(crate) use text;

/// `hop!(w, at, t, action, words…)`: records that the packet `t` was at `at` and `action`
/// happened, explained by `words` (as [`text!`] takes them); `t => after` when the action
/// rewrote it. Builds nothing unless `w` records.
macro_rules! hop {
    ($w:expr, $at:expr, $before:expr => $after:expr, $action:expr, $($words:tt)+) => {
        if $w.hops.recording() {
            let hop = $crate::trace::Hop {
                at: $at,
                before: $before,
                after: $after,
                action: $action,
                explain: $crate::dataplane::hops::text!($($words)+),
            };
            $w.hops.push(hop);
        }
    };
    ($w:expr, $at:expr, $t:expr, $action:expr, $($words:tt)+) => {
        if $w.hops.recording() {
            let t = $t;
            let hop = $crate::trace::Hop {
                at: $at,
                before: t,
                after: t,
                action: $action,
                explain: $crate::dataplane::hops::text!($($words)+),
            };
            $w.hops.push(hop);
        }
    };
}
pub(crate) use hop;
