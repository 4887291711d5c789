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
    let mut stack: Vec<Frame> = Vec::new();
    let mut best: Option<(usize, (usize, usize))> = None;
    let mut consider = |node_path: &str, at: (usize, usize)| {
        let matches = node_path == path
            || path.starts_with(node_path)
                && matches!(
                    path.as_bytes().get(node_path.len()),
                    Some(b'.') | Some(b'[')
                );
        if matches && !node_path.is_empty() && best.is_none_or(|(len, _)| node_path.len() > len) {
            best = Some((node_path.len(), at));
        }
    };
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { break };
        let at = (span.start.line(), span.start.col() + 1);
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
                        consider(&path_of(&stack), at);
                    }
                    continue;
                }
                Some(Frame::Map { expect_key, .. }) => *expect_key = true,
                Some(Frame::Seq { .. }) => consider(&path_of(&stack), at),
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
    best
}

#[cfg(test)]
mod tests {
    use super::locate;

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
    fn falls_back_to_the_deepest_parent() {
        assert_eq!(locate(TEXT, "services.web.environment"), Some((2, 3)));
        assert_eq!(locate(TEXT, "networks"), None);
    }
}
