//! Many lines drawn as a few elements: consecutive plain lines joined by newlines into one run,
//! each marked line a run of its own. The editor's gutter (`editor_sync::gutter_runs`) and the
//! rules view (`choices::rule_runs`) draw thousands of lines this way.

/// `(text, marked)` runs of `lines` (each a line and whether it is marked), in order.
pub fn join<S: AsRef<str>>(lines: impl IntoIterator<Item = (S, bool)>) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut plain = String::new();
    for (line, marked) in lines {
        let line = line.as_ref();
        if marked {
            if !plain.is_empty() {
                out.push((std::mem::take(&mut plain), false));
            }
            out.push((line.to_string(), true));
        } else {
            if !plain.is_empty() {
                plain.push('\n');
            }
            plain.push_str(line);
        }
    }
    if !plain.is_empty() {
        out.push((plain, false));
    }
    out
}
