//! Untrusted text made safe to show to a person.
//!
//! Owns: the one rule for characters of ids, titles, outlets, dates, URLs and file names that
//! must not reach a reader as they are, used by every view meant for people (messages on
//! stderr, the `--locations` view, `index query --text`, `eval`'s text, the CSV and HTML
//! reports). Must not: touch JSON outputs (serde_json escapes control characters already and
//! the records are data, kept as read) or article text.
//!
//! What [`for_people`] maps, and to what:
//!
//! - control characters (C0 `U+0000`-`U+001F`, `DEL`, C1 `U+0080`-`U+009F`), which drive
//!   terminals (ANSI colours, OSC window titles, cursor moves) or forge lines: written as a
//!   visible escape, `\u{1b}`, except tab (kept: it moves the cursor along the line, nothing
//!   more) and line feed and carriage return: in a [`Layout::Line`] view (one line per entry)
//!   those become a space (an entry stays on its line, as the `--locations` view always wrote
//!   them); in a [`Layout::Block`] view (a CSV cell, an HTML element, where they are data and
//!   cannot forge anything) they are kept.
//! - bidirectional embeddings, overrides and isolates (`U+202A`-`U+202E`, `U+2066`-`U+2069`),
//!   which reorder the text around them ("Trojan source"), and the line and paragraph
//!   separators `U+2028`, `U+2029`: written as a visible escape, `\u{202e}`, in both layouts.
//!
//! Everything else is kept, the invisible joiners and marks that scripts need included (zero
//! width joiner and non-joiner, left-to-right and right-to-left marks). A backslash is not
//! escaped, so the mapping is meant to be read, not reversed.

use std::borrow::Cow;

/// Where the text is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A view of one entry per line (messages, `--locations`, `index query --text`): line feed
    /// and carriage return become a space.
    Line,
    /// A cell or element that holds its own line breaks (CSV, HTML): line feed and carriage
    /// return are kept.
    Block,
}

/// True for the characters [`for_people`] rewrites in `layout`.
fn unsafe_char(c: char, layout: Layout) -> bool {
    match c {
        '\t' => false,
        '\n' | '\r' => layout == Layout::Line,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}'
        | '\u{2029}' => true,
        _ => false,
    }
}

/// `s` with every character that could drive a terminal, forge a line or reorder the text
/// around it made visible (see the module docs for the whole mapping). Borrowed when nothing
/// changes, which is every ordinary id, title and file name.
///
/// ```
/// use neardup::text_safety::{for_people, Layout};
/// assert_eq!(for_people("a\u{1b}[31mb", Layout::Line), "a\\u{1b}[31mb");
/// assert_eq!(for_people("x\ny\tz", Layout::Line), "x y\tz");
/// assert_eq!(for_people("x\ny", Layout::Block), "x\ny");
/// assert_eq!(for_people("abc\u{202e}fdp.exe", Layout::Block), "abc\\u{202e}fdp.exe");
/// assert_eq!(for_people("Plain title", Layout::Line), "Plain title");
/// ```
pub fn for_people(s: &str, layout: Layout) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c, layout)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c, layout) {
            out.push(c);
        } else if matches!(c, '\n' | '\r') {
            out.push(' ');
        } else {
            out.push_str(&c.escape_unicode().to_string());
        }
    }
    Cow::Owned(out)
}

/// [`for_people`] of a path, in one line (file names in messages).
pub fn path_for_people(p: &std::path::Path) -> String {
    for_people(&p.to_string_lossy(), Layout::Line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_and_bidi_character_is_escaped_in_a_line() {
        for c in (0u32..0x20)
            .chain(0x7f..0xa0)
            .chain(0x202a..0x202f)
            .chain(0x2066..0x206a)
            .chain([0x2028, 0x2029])
            .filter_map(char::from_u32)
        {
            let s = format!("a{c}b");
            let got = for_people(&s, Layout::Line);
            if c == '\t' {
                assert_eq!(got, s);
                continue;
            }
            assert!(!got.contains(c), "{c:?} -> {got:?}");
            assert!(got.chars().all(|k| !k.is_control()), "{got:?}");
        }
    }

    #[test]
    fn blocks_keep_their_line_breaks_and_scripts_keep_their_joiners() {
        assert_eq!(for_people("a\r\n\tb\u{7}", Layout::Block), "a\r\n\tb\\u{7}");
        let persian = "می\u{200c}خواهم \u{200d}\u{200e}\u{200f}";
        assert!(matches!(
            for_people(persian, Layout::Line),
            Cow::Borrowed(_)
        ));
    }
}
