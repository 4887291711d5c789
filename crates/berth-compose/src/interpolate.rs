//! Variable interpolation the way compose does it: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, nested
//! templates in the default/alternative/error part, and `$$` for a literal `$`.

use crate::Error;
use crate::yaml::Node;

/// Where variables come from.
pub trait Lookup {
    fn get(&self, name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Lookup for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// A problem with one template; the caller adds where the template was.
#[derive(Debug, PartialEq, Eq)]
pub enum TemplateError {
    /// The `$` syntax itself is wrong.
    Syntax(String),
    /// `${VAR:?message}` / `${VAR?message}` with VAR missing.
    Required { name: String, message: String },
}

impl TemplateError {
    pub fn describe(&self, template: &str) -> String {
        match self {
            TemplateError::Syntax(why) => format!(
                "invalid interpolation format in {template:?}: {why}; write $$ for a literal $"
            ),
            TemplateError::Required { name, message } if message.is_empty() => {
                format!("required variable {name} is missing a value")
            }
            TemplateError::Required { name, message } => {
                format!("required variable {name} is missing a value: {message}")
            }
        }
    }
}

/// A template's parts: text as it stands (`$$` already made `$`), and variables with their
/// operator (`:-`, `-`, `:?`, `?`, `:+`, `+`, or none) and its argument as written.
enum Piece {
    Text(String),
    Var {
        name: String,
        op: &'static str,
        arg: String,
    },
}

fn pieces(template: &str) -> Result<Vec<Piece>, TemplateError> {
    let chars: Vec<char> = template.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            text.push(chars[i]);
            i += 1;
            continue;
        }
        let var = match chars.get(i + 1) {
            Some('$') => {
                text.push('$');
                i += 2;
                continue;
            }
            Some('{') => {
                let end = closing_brace(&chars, i + 2).ok_or_else(|| {
                    TemplateError::Syntax("a ${ without its closing }".to_owned())
                })?;
                let inner: String = chars[i + 2..end].iter().collect();
                i = end + 1;
                braced(&inner)?
            }
            Some(c) if is_name_start(*c) => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && is_name_char(chars[end]) {
                    end += 1;
                }
                i = end;
                Piece::Var {
                    name: chars[start..end].iter().collect(),
                    op: "",
                    arg: String::new(),
                }
            }
            Some(c) => {
                return Err(TemplateError::Syntax(format!("\"${c}\" is not a variable")));
            }
            None => return Err(TemplateError::Syntax("a $ at the end".to_owned())),
        };
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut text)));
        }
        out.push(var);
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// Substitutes every variable in `template`. Variables that are unset and have no default
/// become empty; their names are pushed to `unset` (compose warns about them).
pub fn substitute(
    template: &str,
    env: &dyn Lookup,
    unset: &mut Vec<String>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Var { name, op, arg } => out.push_str(&value(&name, op, &arg, env, unset)?),
        }
    }
    Ok(out)
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// The index of the `}` that closes a `${` whose content starts at `from`.
fn closing_brace(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '$' if chars.get(i + 1) == Some(&'$') => i += 1,
            '$' if chars.get(i + 1) == Some(&'{') => {
                depth += 1;
                i += 1;
            }
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// What is between `${` and `}`.
fn braced(inner: &str) -> Result<Piece, TemplateError> {
    let name_len = inner
        .char_indices()
        .find(|(_, c)| !is_name_char(*c))
        .map_or(inner.len(), |(i, _)| i);
    let (name, rest) = inner.split_at(name_len);
    if name.is_empty() || !name.starts_with(is_name_start) {
        return Err(TemplateError::Syntax(format!(
            "\"${{{inner}}}\" does not start with a variable name"
        )));
    }
    let Some(op) = [":-", ":?", ":+", "-", "?", "+"]
        .into_iter()
        .find(|op| rest.starts_with(op))
    else {
        if !rest.is_empty() {
            return Err(TemplateError::Syntax(format!(
                "\"${{{inner}}}\": expected :-, -, :?, ?, :+ or + after {name}"
            )));
        }
        return Ok(Piece::Var {
            name: name.to_owned(),
            op: "",
            arg: String::new(),
        });
    };
    Ok(Piece::Var {
        name: name.to_owned(),
        op,
        arg: rest[op.len()..].to_owned(),
    })
}

/// The value of variable `name` with operator `op` and its argument `arg`.
fn value(
    name: &str,
    op: &str,
    arg: &str,
    env: &dyn Lookup,
    unset: &mut Vec<String>,
) -> Result<String, TemplateError> {
    let value = env.get(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    if op.is_empty() {
        return Ok(value.unwrap_or_else(|| {
            unset.push(name.to_owned());
            String::new()
        }));
    }
    let use_arg = match op {
        ":-" => !non_empty,
        "-" => !set,
        ":+" => non_empty,
        "+" => set,
        ":?" => {
            if !non_empty {
                return Err(TemplateError::Required {
                    name: name.to_owned(),
                    message: substitute(arg, env, unset)?,
                });
            }
            false
        }
        _ => {
            if !set {
                return Err(TemplateError::Required {
                    name: name.to_owned(),
                    message: substitute(arg, env, unset)?,
                });
            }
            false
        }
    };
    match (use_arg, op) {
        (true, _) => substitute(arg, env, unset),
        (false, ":+" | "+") => Ok(String::new()),
        (false, _) => Ok(value.unwrap_or_default()),
    }
}

/// A variable a template uses, as `compose config --variables` lists it: whether it must be
/// set (`${NAME:?…}`, `${NAME?…}`), its default (`${NAME:-…}`, `${NAME-…}`) and its alternate
/// value (`${NAME:+…}`, `${NAME+…}`), each as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Variable {
    pub name: String,
    pub required: bool,
    pub default_value: String,
    pub presence_value: String,
}

/// The variables `template` uses, those in a default, alternate or message too, in order.
pub fn variables(template: &str) -> Result<Vec<Variable>, TemplateError> {
    let mut found = Vec::new();
    for piece in pieces(template)? {
        let Piece::Var { name, op, arg } = piece else {
            continue;
        };
        let mut v = Variable {
            name,
            ..Default::default()
        };
        match op {
            ":-" | "-" => v.default_value = arg.clone(),
            ":+" | "+" => v.presence_value = arg.clone(),
            "" => {}
            _ => v.required = true,
        }
        found.push(v);
        found.extend(variables(&arg)?);
    }
    Ok(found)
}

/// The variables of every string value of a tree, by name (a later use of a name over an
/// earlier one, as compose lists them). `at` is the path of the node, for errors.
pub fn variables_in(
    mut node: Node,
    at: &str,
    found: &mut std::collections::BTreeMap<String, Variable>,
) -> Result<(), Error> {
    templates(&mut node, at, &mut |s| {
        for v in variables(s)? {
            found.insert(v.name.clone(), v);
        }
        Ok(())
    })
}

/// Interpolates every string value of a tree (keys stay as written). `at` is the path of the
/// node, for errors, e.g. `services.web.image`.
pub fn tree(
    node: &mut Node,
    at: &str,
    env: &dyn Lookup,
    unset: &mut Vec<String>,
) -> Result<(), Error> {
    templates(node, at, &mut |s| {
        *s = substitute(s, env, unset)?;
        Ok(())
    })
}

/// Calls `f` with every string value of a tree that holds a `$` (keys stay as written); a
/// template it cannot read is an error at its path (`services.web.image`, `at` the node's).
fn templates(
    node: &mut Node,
    at: &str,
    f: &mut dyn FnMut(&mut String) -> Result<(), TemplateError>,
) -> Result<(), Error> {
    match node {
        Node::Str(s) if s.contains('$') => f(s).map_err(|e| Error::Interpolation {
            at: at.to_owned(),
            reason: e.describe(s),
        })?,
        Node::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                templates(item, &format!("{at}[{i}]"), f)?;
            }
        }
        Node::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                templates(v, &path, f)?;
            }
        }
        Node::Tagged(_, inner) => templates(inner, at, f)?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "NAME" => Some("SET".into()),
            _ => None,
        }
    }

    fn s(template: &str) -> Result<String, TemplateError> {
        substitute(template, &env, &mut Vec::new())
    }

    #[test]
    fn variables_as_written() {
        let v = |name: &str, required: bool, default: &str, presence: &str| Variable {
            name: name.into(),
            required,
            default_value: default.into(),
            presence_value: presence.into(),
        };
        assert_eq!(
            variables("$$NOT $A:${B:-x y}/${C?say ${D}}${E+on}${F-}").unwrap(),
            [
                v("A", false, "", ""),
                v("B", false, "x y", ""),
                v("C", true, "", ""),
                v("D", false, "", ""),
                v("E", false, "", "on"),
                v("F", false, "", ""),
            ]
        );
        assert_eq!(
            variables("${X:-${Y:-1}}").unwrap(),
            [v("X", false, "${Y:-1}", ""), v("Y", false, "1", "")]
        );
        assert!(matches!(variables("${A B}"), Err(TemplateError::Syntax(_))));
        assert!(matches!(variables("${A"), Err(TemplateError::Syntax(_))));
    }

    #[test]
    fn every_form() {
        let cases = [
            ("$SET", "value"),
            ("${SET}", "value"),
            ("a${SET}b", "avalueb"),
            ("$SET.x", "value.x"),
            ("${UNSET:-def}", "def"),
            ("${EMPTY:-def}", "def"),
            ("${SET:-def}", "value"),
            ("${UNSET-def}", "def"),
            ("${EMPTY-def}", ""),
            ("${SET:+alt}", "alt"),
            ("${EMPTY:+alt}", ""),
            ("${EMPTY+alt}", "alt"),
            ("${UNSET+alt}", ""),
            ("${UNSET:-${SET}}", "value"),
            ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
            ("${UNSET:-a}}", "a}"),
            ("$$SET", "$SET"),
            ("$${SET}", "${SET}"),
            ("cost: $$5", "cost: $5"),
            ("${UNSET:-$$}", "$"),
            ("${UNSET:-}", ""),
            ("${EMPTY?e}", ""),
            ("${SET:?e}", "value"),
            ("$UNSET", ""),
            ("${UNSET:-a:b}", "a:b"),
            ("${UNSET:-{x}}", "{x}"),
        ];
        for (template, want) in cases {
            assert_eq!(s(template).as_deref(), Ok(want), "{template}");
        }
    }

    #[test]
    fn required_variables() {
        assert_eq!(
            s("${UNSET:?set UNSET first}"),
            Err(TemplateError::Required {
                name: "UNSET".into(),
                message: "set UNSET first".into()
            })
        );
        assert!(matches!(
            s("${EMPTY:?}"),
            Err(TemplateError::Required { .. })
        ));
        assert!(matches!(
            s("${UNSET?}"),
            Err(TemplateError::Required { .. })
        ));
        let msg = s("${UNSET:?need ${SET}}").unwrap_err().describe("x");
        assert_eq!(
            msg,
            "required variable UNSET is missing a value: need value"
        );
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "$", "${", "${}", "${1A}", "${SET", "$1", "a $ b", "${SET:x}",
        ] {
            assert!(
                matches!(s(bad), Err(TemplateError::Syntax(_))),
                "{bad}: {:?}",
                s(bad)
            );
        }
        let msg = s("echo $1").unwrap_err().describe("echo $1");
        assert!(msg.contains("$$"), "{msg}");
    }

    #[test]
    fn unset_names_are_reported() {
        let mut unset = Vec::new();
        substitute("$A ${B} ${C:-x} ${SET}", &env, &mut unset).unwrap();
        assert_eq!(unset, ["A", "B"]);
    }

    #[test]
    fn tree_errors_say_where() {
        let mut node = crate::yaml::parse(
            std::path::Path::new("c.yaml"),
            "services:\n  web:\n    image: ${TAG:?pick a tag}\n",
        )
        .unwrap();
        let e = tree(&mut node, "", &env, &mut Vec::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "services.web.image: required variable TAG is missing a value: pick a tag"
        );
    }
}
