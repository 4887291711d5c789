//! Compose files as a tree: YAML parsed with serde-saphyr (anchors, aliases and `<<` merge keys
//! expanded, YAML 1.2 booleans), keeping the two tags the Compose merge rules give meaning to,
//! `!reset` and `!override`, and the order of mapping keys.

use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Tagged;

use crate::Error;

/// A tag the merge rules act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    /// `!reset`: drop what the earlier files said about this key.
    Reset,
    /// `!override`: replace what the earlier files said instead of merging into it.
    Override,
}

/// One YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in file order; keys that are not strings in the file (`80: ...`) become strings.
    Map(Vec<(String, Node)>),
    Tagged(Tag, Box<Node>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Node::Tagged(_, inner) => inner.get(key),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            Node::Tagged(_, inner) => inner.get_mut(key),
            _ => None,
        }
    }

    /// Sets `key` in a mapping, keeping its place when it exists.
    pub fn set(&mut self, key: &str, value: Node) {
        if let Node::Map(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => entries.push((key.to_owned(), value)),
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        match self {
            Node::Map(entries) => {
                let at = entries.iter().position(|(k, _)| k == key)?;
                Some(entries.remove(at).1)
            }
            _ => None,
        }
    }

    /// The node without its tag.
    pub fn untagged(&self) -> &Node {
        match self {
            Node::Tagged(_, inner) => inner.untagged(),
            other => other,
        }
    }

    /// A scalar as text, the way compose reads scalars where it expects strings.
    pub fn scalar_text(&self) -> Option<String> {
        match self.untagged() {
            Node::Str(s) => Some(s.clone()),
            Node::Int(i) => Some(i.to_string()),
            Node::Float(f) => Some(f.to_string()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Removes every tag (after merging, tags have done their work).
    pub fn strip_tags(self) -> Node {
        match self {
            Node::Tagged(Tag::Reset, _) => Node::Null,
            Node::Tagged(_, inner) => inner.strip_tags(),
            Node::Seq(items) => Node::Seq(items.into_iter().map(Node::strip_tags).collect()),
            Node::Map(entries) => Node::Map(
                entries
                    .into_iter()
                    .filter(|(_, v)| !matches!(v, Node::Tagged(Tag::Reset, _)))
                    .map(|(k, v)| (k, v.strip_tags()))
                    .collect(),
            ),
            other => other,
        }
    }

    /// The tree as JSON (for the schema and the typed model). Call on an untagged tree.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(f.to_string())),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Node::Tagged(_, inner) => inner.to_json(),
        }
    }

    /// JSON back into a tree (ordered by key, as serde_json keeps objects).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value;
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::Int(i),
                None => Node::Float(n.as_f64().unwrap_or_default()),
            },
            Value::String(s) => Node::Str(s.clone()),
            Value::Array(items) => Node::Seq(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => Node::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Parses one compose file's text. An empty file is an empty mapping.
pub fn parse(path: &Path, text: &str) -> Result<Node, Error> {
    if text.trim().is_empty() {
        return Ok(Node::Map(Vec::new()));
    }
    // `0440` is octal (288), as compose's YAML reader takes it (file modes are written so).
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        legacy_octal_numbers: true,
    };
    let node: Tagged<Node> =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| Error::Parse {
            path: path.to_owned(),
            reason: first_line(&e.to_string())
                .replace(", set DuplicateKeyPolicy in Options if acceptable", ""),
        })?;
    let node = with_tag(node);
    match node.untagged() {
        Node::Map(_) => Ok(node),
        Node::Null => Ok(Node::Map(Vec::new())),
        _ => Err(Error::Parse {
            path: path.to_owned(),
            reason: "a compose file is a mapping (services:, networks:, ...) at the top".into(),
        }),
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_tag(Tagged(node, tag): Tagged<Node>) -> Node {
    match tag.as_deref().map(|t| t.trim_start_matches('!')) {
        Some("reset") => Node::Tagged(Tag::Reset, Box::new(node)),
        Some("override") => Node::Tagged(Tag::Override, Box::new(node)),
        _ => node,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(|_| Node::Str(v.to_string()), Node::Int))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(|_| Node::Str(v.to_string()), Node::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or_else(|_| Node::Str(v.to_string()), Node::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Tagged<Node>>()? {
            items.push(with_tag(item));
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let key = match key {
                Node::Str(s) => s,
                Node::Null => "null".to_owned(),
                other => other
                    .scalar_text()
                    .ok_or_else(|| de::Error::custom("a mapping key must be a scalar"))?,
            };
            let value = with_tag(map.next_value::<Tagged<Node>>()?);
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Node {
        parse(Path::new("compose.yaml"), text).unwrap()
    }

    #[test]
    fn scalars_keep_their_yaml_1_2_types() {
        let n = p("a: 1\nb: '1'\nc: yes\nd: true\ne: 1.5\nf: ~\ng: 8080:80\n");
        assert_eq!(n.get("a"), Some(&Node::Int(1)));
        assert_eq!(n.get("b"), Some(&Node::Str("1".into())));
        assert_eq!(n.get("c"), Some(&Node::Str("yes".into())));
        assert_eq!(n.get("d"), Some(&Node::Bool(true)));
        assert_eq!(n.get("e"), Some(&Node::Float(1.5)));
        assert_eq!(n.get("f"), Some(&Node::Null));
        assert_eq!(n.get("g"), Some(&Node::Str("8080:80".into())));
        // A leading zero is octal, as compose reads it (`mode: 0440`).
        assert_eq!(p("m: 0440\n").get("m"), Some(&Node::Int(0o440)));
    }

    #[test]
    fn anchors_and_merge_keys_expand() {
        let n = p(
            "x-base: &base\n  image: busybox\n  tty: true\nservices:\n  a:\n    <<: *base\n    tty: false\n",
        );
        let a = n.get("services").unwrap().get("a").unwrap();
        assert_eq!(a.get("image"), Some(&Node::Str("busybox".into())));
        assert_eq!(a.get("tty"), Some(&Node::Bool(false)));
    }

    #[test]
    fn reset_and_override_tags_are_kept() {
        let n = p("services:\n  a:\n    ports: !reset []\n    environment: !override {A: b}\n");
        let a = n.get("services").unwrap().get("a").unwrap();
        assert!(matches!(a.get("ports"), Some(Node::Tagged(Tag::Reset, _))));
        assert!(matches!(
            a.get("environment"),
            Some(Node::Tagged(Tag::Override, _))
        ));
    }

    #[test]
    fn errors_name_the_file_on_one_line() {
        let e = parse(Path::new("/p/compose.yaml"), "services:\n  a: [\n").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("/p/compose.yaml: "), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let e = parse(Path::new("c.yaml"), "- a\n- b\n").unwrap_err();
        assert!(e.to_string().contains("mapping"), "{e}");
    }
}
