//! Merging compose files (and `extends`) by the specification's rules, on canonical trees:
//! mappings merge key by key; `command`, `entrypoint` and `healthcheck.test` are replaced;
//! `volumes` merge by target, `secrets`/`configs` by target (or source), `env_file` by path;
//! other sequences append what is new; scalars are replaced. `!reset` removes what earlier files
//! said, `!override` replaces it whole.

use crate::yaml::{Node, Tag};

/// How a sequence under this key merges.
enum SeqRule {
    Replace,
    ByKey(fn(&Node) -> Option<String>),
    Append,
}

fn rule(path: &[&str]) -> SeqRule {
    match path {
        ["services", _, "command" | "entrypoint"] => SeqRule::Replace,
        ["services", _, "healthcheck", "test"] => SeqRule::Replace,
        ["services", _, "volumes"] => {
            SeqRule::ByKey(|n| n.get("target").and_then(Node::scalar_text))
        }
        ["services", _, "secrets" | "configs"] => SeqRule::ByKey(|n| {
            n.get("target")
                .or_else(|| n.get("source"))
                .and_then(Node::scalar_text)
        }),
        ["services", _, "env_file"] => {
            SeqRule::ByKey(|n| n.get("path").and_then(Node::scalar_text))
        }
        _ => SeqRule::Append,
    }
}

/// `over` merged onto `base`. `path` is where they are (e.g. `["services", "web"]`).
pub fn merge(base: Node, over: Node, path: &[&str]) -> Node {
    match over {
        Node::Tagged(Tag::Override, inner) => return inner.strip_tags(),
        Node::Tagged(Tag::Reset, inner) => return Node::Tagged(Tag::Reset, inner),
        _ => {}
    }
    let base = match base {
        Node::Tagged(Tag::Reset, _) => return over,
        Node::Tagged(_, inner) => *inner,
        other => other,
    };
    match (base, over) {
        (Node::Map(mut base), Node::Map(over)) => {
            for (k, v) in over {
                let mut sub = path.to_vec();
                sub.push(&k);
                match base.iter().position(|(bk, _)| *bk == k) {
                    Some(at) => {
                        let old = std::mem::replace(&mut base[at].1, Node::Null);
                        base[at].1 = merge(old, v, &sub);
                    }
                    None => base.push((k.clone(), v)),
                }
            }
            // `!reset` keys go away once they have done their work.
            base.retain(|(_, v)| !matches!(v, Node::Tagged(Tag::Reset, _)));
            Node::Map(base)
        }
        (Node::Seq(mut base), Node::Seq(over)) => match rule(path) {
            SeqRule::Replace => Node::Seq(over),
            SeqRule::ByKey(key) => {
                for item in over {
                    let k = key(&item);
                    match base.iter().position(|b| k.is_some() && key(b) == k) {
                        Some(at) => {
                            let old = std::mem::replace(&mut base[at], Node::Null);
                            base[at] = merge(old, item, path);
                        }
                        None => base.push(item),
                    }
                }
                Node::Seq(base)
            }
            SeqRule::Append => {
                for item in over {
                    if !base.contains(&item) {
                        base.push(item);
                    }
                }
                Node::Seq(base)
            }
        },
        (_, over) => over,
    }
}

/// Merges the files of a project in order.
pub fn files(docs: Vec<Node>) -> Node {
    let mut merged = Node::Map(Vec::new());
    for doc in docs {
        merged = merge(merged, doc, &[]);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canon;
    use std::path::Path;

    fn doc(text: &str) -> Node {
        let mut n = crate::yaml::parse(Path::new("c.yaml"), text).unwrap();
        canon::file(&mut n, Path::new("/p")).unwrap();
        n
    }

    fn merged(a: &str, b: &str) -> serde_json::Value {
        files(vec![doc(a), doc(b)]).strip_tags().to_json()
    }

    #[test]
    fn mappings_merge_and_scalars_replace() {
        let m = merged(
            "services:\n  a:\n    image: x\n    environment: [A=1, B=2]\n    labels: {l: '1'}\n",
            "services:\n  a:\n    image: y\n    environment: {B: '3', C: '4'}\n",
        );
        assert_eq!(m["services"]["a"]["image"], "y");
        assert_eq!(
            m["services"]["a"]["environment"],
            serde_json::json!({"A": "1", "B": "3", "C": "4"})
        );
        assert_eq!(m["services"]["a"]["labels"]["l"], "1");
    }

    #[test]
    fn commands_replace_and_lists_append() {
        let m = merged(
            "services:\n  a:\n    command: [a, b]\n    dns: 1.1.1.1\n    ports: ['80:80']\n",
            "services:\n  a:\n    command: [c]\n    dns: [8.8.8.8, 1.1.1.1]\n    ports: ['81:81']\n",
        );
        assert_eq!(m["services"]["a"]["command"], serde_json::json!(["c"]));
        assert_eq!(
            m["services"]["a"]["dns"],
            serde_json::json!(["1.1.1.1", "8.8.8.8"])
        );
        assert_eq!(m["services"]["a"]["ports"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn volumes_merge_by_target() {
        let m = merged(
            "services:\n  a:\n    volumes: ['data:/data', './src:/src']\n",
            "services:\n  a:\n    volumes: ['other:/data']\n",
        );
        let v = &m["services"]["a"]["volumes"];
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[0]["source"], "other");
        assert_eq!(v[1]["source"], "/p/src");
    }

    #[test]
    fn reset_and_override() {
        let m = merged(
            "services:\n  a:\n    ports: ['80:80']\n    environment: {A: '1', B: '2'}\n",
            "services:\n  a:\n    ports: !reset []\n    environment: !override {C: '3'}\n",
        );
        assert!(m["services"]["a"].get("ports").is_none(), "{m}");
        assert_eq!(
            m["services"]["a"]["environment"],
            serde_json::json!({"C": "3"})
        );
    }
}
