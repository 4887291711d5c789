//! Where a key path (`services.web.ports[1]`) is in a compose file's text: line and column, for
//! errors that point at the spot.

use serde_saphyr::granit_parser::{Event, Parser};

enum Frame {
    Map {
        key: Option<String>,
        expect_key: bool,
    },
    Seq {
        index: usize,
    },
}

fn path_of(stack: &[Frame]) -> String {
    let mut out = String::new();
    for f in stack {
        match f {
            Frame::Map { key: Some(k), .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Frame::Map { key: None, .. } => {}
            Frame::Seq { index } => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// The 1-based line and column of the node at `path` (for a mapping entry, of its key), or of
/// the deepest enclosing node found when the exact path is not in the text.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    locate_deepest(text, path).map(|(_, at)| at)
}

/// Like [`locate`], with the length of the part of `path` that was found (the whole path's
/// length when it was found exactly).
pub fn locate_deepest(text: &str, path: &str) -> Option<(usize, (usize, usize))> {
    let mut best: Option<(usize, (usize, usize))> = None;
    walk(text, |node_path, place, span| {
        if place == Place::Value {
            return;
        }
        let at = (span.start.line(), span.start.col() + 1);
        let matches = node_path == path
            || path.starts_with(node_path)
                && matches!(
                    path.as_bytes().get(node_path.len()),
                    Some(b'.') | Some(b'[')
                );
        if matches && !node_path.is_empty() && best.is_none_or(|(len, _)| node_path.len() > len) {
            best = Some((node_path.len(), at));
        }
    });
    best
}

/// The bytes of the scalar a mapping entry at `path` has for its value (quotes included), when
/// the text has one there: where to put another value and keep the rest of the file as written.
pub fn value_range(text: &str, path: &str) -> Option<std::ops::Range<usize>> {
    let mut found = None;
    walk(text, |node_path, place, span| {
        if place == Place::Value && found.is_none() && node_path == path {
            found = span.byte_range();
        }
    });
    found
}

/// Where a node stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A mapping's key (the entry's place) or a sequence's item.
    Entry,
    /// The scalar value of a mapping entry.
    Value,
}

/// Calls `visit` with each node's key path, place and span, in the text's order.
fn walk(text: &str, mut visit: impl FnMut(&str, Place, &serde_saphyr::granit_parser::Span)) {
    let mut stack: Vec<Frame> = Vec::new();
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        // A node in value position: a mapping key, a mapping value or a sequence item.
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(..)
        );
        if is_node {
            match stack.last_mut() {
                Some(Frame::Map { key, expect_key }) if *expect_key => {
                    if let Event::Scalar(value, ..) = &event {
                        *key = Some(value.to_string());
                        *expect_key = false;
                        visit(&path_of(&stack), Place::Entry, &span);
                    }
                    continue;
                }
                Some(Frame::Map { expect_key, .. }) => {
                    *expect_key = true;
                    if matches!(event, Event::Scalar(..)) {
                        visit(&path_of(&stack), Place::Value, &span);
                    }
                }
                Some(Frame::Seq { .. }) => visit(&path_of(&stack), Place::Entry, &span),
                None => {}
            }
        }
        match event {
            Event::MappingStart(..) => stack.push(Frame::Map {
                key: None,
                expect_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq { index: 0 }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                // The collection was a value: the enclosing sequence moves on.
                if let Some(Frame::Seq { index }) = stack.last_mut() {
                    *index += 1;
                }
            }
            Event::Scalar(..) | Event::Alias(..) => {
                if let Some(Frame::Seq { index }) = stack.last_mut() {
                    *index += 1;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{locate, value_range};

    const TEXT: &str = "services:\n  web:\n    image: x\n    ports:\n      - \"80:80\"\n      - target: 81\n        published: x\n  db:\n    image: y\n";

    #[test]
    fn finds_keys_and_items() {
        assert_eq!(locate(TEXT, "services.web.image"), Some((3, 5)));
        assert_eq!(locate(TEXT, "services.web.ports"), Some((4, 5)));
        assert_eq!(locate(TEXT, "services.web.ports[0]"), Some((5, 9)));
        assert_eq!(locate(TEXT, "services.web.ports[1]"), Some((6, 9)));
        assert_eq!(
            locate(TEXT, "services.web.ports[1].published"),
            Some((7, 9))
        );
        assert_eq!(locate(TEXT, "services.db"), Some((8, 3)));
    }

    #[test]
    fn finds_a_value_to_put_another_in_its_place() {
        let text = "services:\n  web:\n    extends:\n      file: \"common.yaml\"\n      service: base\n  db:\n    extends: {service: base, file: other.yml}\n";
        let at = |path| value_range(text, path).map(|r| &text[r]);
        assert_eq!(at("services.web.extends.file"), Some("\"common.yaml\""));
        assert_eq!(at("services.db.extends.file"), Some("other.yml"));
        assert_eq!(
            at("services.web.extends"),
            None,
            "a mapping is not a scalar"
        );
    }

    #[test]
    fn falls_back_to_the_deepest_parent() {
        assert_eq!(locate(TEXT, "services.web.environment"), Some((2, 3)));
        assert_eq!(locate(TEXT, "networks"), None);
    }
}
