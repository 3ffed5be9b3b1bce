//! Progress and quiz score as the browser keeps them (`localStorage`, one key each): plain text,
//! so a teacher can read and clear it, and parsed without panicking whatever it holds.

use std::collections::BTreeSet;

/// Steps seen and questions answered right, as `chapter/step` and `chapter/step#N` lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: BTreeSet<String>,
}

impl Progress {
    pub fn parse(text: &str) -> Progress {
        // Inserts, not `collect` (which sorts: another sort in the browser bundle).
        let mut done = BTreeSet::new();
        for l in text.lines().map(str::trim).filter(|l| !l.is_empty() && l.len() <= 200) {
            done.insert(l.to_string());
        }
        Progress { done }
    }

    pub fn to_text(&self) -> String {
        self.done.iter().map(|l| format!("{l}\n")).collect()
    }

    /// How many of `ids` are done.
    pub fn count<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> usize {
        ids.into_iter().filter(|id| self.done.contains(*id)).count()
    }
}

/// The quiz score: right answers of questions asked (`right/asked`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    pub right: u32,
    pub asked: u32,
}

impl Score {
    pub fn parse(text: &str) -> Score {
        let Some((r, a)) = text.trim().split_once('/') else { return Score::default() };
        match (r.parse::<u32>(), a.parse::<u32>()) {
            (Ok(right), Ok(asked)) if right <= asked => Score { right, asked },
            _ => Score::default(),
        }
    }

    pub fn to_text(self) -> String {
        format!("{}/{}", self.right, self.asked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_survives_junk() {
        let mut p = Progress::default();
        p.done.insert("nodeport/every-node".into());
        p.done.insert("nodeport/every-node#0".into());
        assert_eq!(Progress::parse(&p.to_text()), p);
        assert_eq!(p.count(["nodeport/every-node", "x"]), 1);
        assert_eq!(Progress::parse("\n\n  \n").done.len(), 0);
        let s = Score { right: 3, asked: 5 };
        assert_eq!(Score::parse(&s.to_text()), s);
        for junk in ["", "5/3", "a/b", "1/", "/", "-1/2", "99999999999/1"] {
            assert_eq!(Score::parse(junk), Score::default(), "{junk:?}");
        }
    }
}
