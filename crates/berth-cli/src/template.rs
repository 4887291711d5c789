//! docker's `--format` Go templates, the part scripts use. For a list (`ps`, `images`, `volume
//! ls`, `network ls`): `{{.Field}}` with the list's fields, `{{json .}}`, and a `table` prefix (a
//! header row, the columns aligned as docker aligns them). For `inspect`: paths into the object,
//! `json`, `index` and `range`. Both take `\t` / `\n` written in the text; anything else is
//! refused in one line with what works.

use std::collections::BTreeMap;

/// One field of a list: its template name (`Names`), its column header (`NAMES`) and its text
/// for a row.
pub struct Field<T> {
    pub name: &'static str,
    pub header: &'static str,
    value: Value<T>,
}

/// A method's text for a row and its argument.
type MethodFn<T> = Box<dyn Fn(&T, &str) -> String>;

enum Value<T> {
    Text(Box<dyn Fn(&T) -> String>),
    /// Text, and a value of its own in `{{json .}}` (docker's `null`, an object).
    TextAndJson(
        Box<dyn Fn(&T) -> String>,
        Box<dyn Fn(&T) -> serde_json::Value>,
    ),
    /// A method with one quoted argument (`{{.Label "key"}}`); not in `{{json .}}`.
    Method(MethodFn<T>),
}

impl<T> Field<T> {
    pub fn new(
        name: &'static str,
        header: &'static str,
        value: impl Fn(&T) -> String + 'static,
    ) -> Self {
        Self {
            name,
            header,
            value: Value::Text(Box::new(value)),
        }
    }

    /// A field whose `{{json .}}` value is not its text.
    pub fn with_json(
        name: &'static str,
        header: &'static str,
        value: impl Fn(&T) -> String + 'static,
        json: impl Fn(&T) -> serde_json::Value + 'static,
    ) -> Self {
        Self {
            name,
            header,
            value: Value::TextAndJson(Box::new(value), Box::new(json)),
        }
    }

    /// A method of one argument, `{{.Label "com.docker.compose.project"}}`; as docker heads it,
    /// its column is headed by the argument's last dot-separated part.
    pub fn method(name: &'static str, value: impl Fn(&T, &str) -> String + 'static) -> Self {
        Self {
            name,
            header: "",
            value: Value::Method(Box::new(value)),
        }
    }

    fn text(&self, row: &T) -> String {
        match &self.value {
            Value::Text(f) | Value::TextAndJson(f, _) => f(row),
            Value::Method(_) => String::new(),
        }
    }
}

#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Field(usize),
    Method(usize, String),
    Json,
}

/// A parsed template.
#[derive(Debug)]
pub struct Template {
    table: bool,
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text` against the fields a list has.
    pub fn parse<T>(text: &str, fields: &[Field<T>]) -> Result<Self, String> {
        let (table, body) = match text.trim_start().strip_prefix("table") {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut parts = Vec::new();
        for token in tokens(body.trim_matches(' '), text)? {
            parts.push(match token {
                Token::Text(t) => Part::Text(t),
                Token::Action(action) if action == "json ." => Part::Json,
                Token::Action(action) => field_part(&action, fields)?,
            });
        }
        Ok(Self { table, parts })
    }

    /// Whether the template shows the field named `name`, alone or in `{{json .}}` (`Size`
    /// asks the engine to measure, as it does for docker).
    pub fn uses<T>(&self, name: &str, fields: &[Field<T>]) -> bool {
        self.parts.iter().any(|p| match p {
            Part::Field(i) => fields[*i].name == name,
            Part::Json => true,
            _ => false,
        })
    }

    /// The rows through the template, a line each (after a header line for `table`).
    pub fn render<T>(&self, rows: &[T], fields: &[Field<T>]) -> String {
        let line = |row: &T| -> String {
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.clone(),
                    Part::Field(i) => fields[*i].text(row),
                    Part::Method(i, arg) => match &fields[*i].value {
                        Value::Method(f) => f(row, arg),
                        _ => String::new(),
                    },
                    Part::Json => json(row, fields),
                })
                .collect()
        };
        if !self.table {
            return rows.iter().map(|r| line(r) + "\n").collect();
        }
        let header: String = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Field(i) => fields[*i].header,
                Part::Method(_, arg) => arg.rsplit('.').next().unwrap_or_default(),
                Part::Json => "",
            })
            .collect();
        let cells = |text: &str| -> Vec<String> { text.split('\t').map(str::to_owned).collect() };
        let header = cells(&header);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        crate::render::table(&header, rows.iter().map(|r| cells(&line(r))))
    }
}

/// `.Name`, or `.Name "argument"` for a method.
fn field_part<T>(action: &str, fields: &[Field<T>]) -> Result<Part, String> {
    let (name, arg) = match action.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, Some(arg.trim())),
        None => (action, None),
    };
    let index = name
        .strip_prefix('.')
        .filter(|n| !n.is_empty())
        .and_then(|n| fields.iter().position(|f| f.name == n))
        .ok_or_else(|| unknown(action, fields))?;
    match (&fields[index].value, arg) {
        (Value::Method(_), Some(arg)) => {
            let key = arg
                .strip_prefix('"')
                .and_then(|a| a.strip_suffix('"'))
                .filter(|k| !k.contains('"'))
                .ok_or_else(|| {
                    format!("{{{{{action}}}}}: write the key in double quotes, {name} \"key\"")
                })?;
            Ok(Part::Method(index, key.to_owned()))
        }
        (Value::Method(_), None) => Err(format!(
            "{{{{{action}}}}}: {name} takes a key: {{{{{name} \"key\"}}}}"
        )),
        (_, None) => Ok(Part::Field(index)),
        (_, Some(_)) => Err(unknown(action, fields)),
    }
}

/// Every field of the row as docker's `{{json .}}` writes it: keys sorted, and `<`, `>`, `&`
/// written as `\u003c`, `\u003e`, `\u0026`, as Go's JSON encoder does.
fn json<T>(row: &T, fields: &[Field<T>]) -> String {
    let object: BTreeMap<&str, serde_json::Value> = fields
        .iter()
        .filter_map(|f| {
            let value = match &f.value {
                Value::Text(text) => serde_json::Value::String(text(row)),
                Value::TextAndJson(_, json) => json(row),
                Value::Method(_) => return None,
            };
            Some((f.name, value))
        })
        .collect();
    let text = serde_json::to_string(&object).unwrap_or_default();
    // Outside its strings JSON has none of these characters, so replacing them all is safe.
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn unknown<T>(action: &str, fields: &[Field<T>]) -> String {
    let names: Vec<String> = fields
        .iter()
        .map(|f| match f.value {
            Value::Method(_) => format!(".{} \"key\"", f.name),
            _ => format!(".{}", f.name),
        })
        .collect();
    format!(
        "{{{{{action}}}}}: Berth's --format templates take {} and json .",
        names.join(", ")
    )
}

/// A piece of a template: text, or what is inside a `{{…}}` (trimmed).
enum Token {
    Text(String),
    Action(String),
}

/// `body` as text and actions, with `\t` and `\n` in it made a tab and a newline; `template`
/// (what the user wrote) names it in the error.
fn tokens(body: &str, template: &str) -> Result<Vec<Token>, String> {
    let body = body.replace("\\t", "\t").replace("\\n", "\n");
    let mut out = Vec::new();
    let mut rest = body.as_str();
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Token::Text(rest[..open].to_owned()));
        }
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| format!("{template}: a {{{{ without its }}}}"))?;
        out.push(Token::Action(after[..close].trim().to_owned()));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        id: &'static str,
        name: &'static str,
    }

    fn fields() -> Vec<Field<Row>> {
        vec![
            Field::new("ID", "CONTAINER ID", |r: &Row| r.id.to_owned()),
            Field::new("Names", "NAMES", |r: &Row| r.name.to_owned()),
        ]
    }

    /// [`fields`] and the other kinds: a method, a field with a JSON value of its own.
    fn more_fields() -> Vec<Field<Row>> {
        let mut f = fields();
        f.push(Field::method("Label", |r: &Row, key| {
            if key == "com.example.app" {
                format!("<{}&>", r.name)
            } else {
                String::new()
            }
        }));
        f.push(Field::with_json(
            "Platform",
            "PLATFORM",
            |_: &Row| "<nil>".into(),
            |_: &Row| serde_json::Value::Null,
        ));
        f
    }

    fn rows() -> Vec<Row> {
        vec![
            Row {
                id: "0123456789ab",
                name: "web",
            },
            Row {
                id: "ba9876543210",
                name: "a-longer-name",
            },
        ]
    }

    fn render(text: &str) -> Result<String, String> {
        let f = fields();
        Ok(Template::parse(text, &f)?.render(&rows(), &f))
    }

    #[test]
    fn fields_and_text_make_a_line_per_row() {
        assert_eq!(render("{{.Names}}").unwrap(), "web\na-longer-name\n");
        assert_eq!(
            render("{{ .ID }}: {{.Names}}\\t!").unwrap(),
            "0123456789ab: web\t!\nba9876543210: a-longer-name\t!\n"
        );
    }

    #[test]
    fn table_adds_the_headers_and_aligns_as_docker_does() {
        assert_eq!(
            render("table {{.Names}}\\t{{.ID}}").unwrap(),
            "NAMES           CONTAINER ID\n\
             web             0123456789ab\n\
             a-longer-name   ba9876543210\n"
        );
    }

    #[test]
    fn json_is_every_field() {
        assert_eq!(
            render("{{json .}}").unwrap().lines().next().unwrap(),
            r#"{"ID":"0123456789ab","Names":"web"}"#
        );
    }

    #[test]
    fn a_method_takes_a_quoted_key_and_heads_its_column_with_its_last_part() {
        let f = more_fields();
        let render = |text: &str| Template::parse(text, &f).map(|t| t.render(&rows(), &f));
        assert_eq!(
            render(r#"{{ .Label  "com.example.app" }}|{{.Label "other"}}"#).unwrap(),
            "<web&>|\n<a-longer-name&>|\n"
        );
        assert_eq!(
            render(r#"table {{.Names}}\t{{.Label "com.example.app"}}"#).unwrap(),
            "NAMES           app\n\
             web             <web&>\n\
             a-longer-name   <a-longer-name&>\n"
        );
        assert_eq!(
            render("{{.Label}}").unwrap_err(),
            r#"{{.Label}}: .Label takes a key: {{.Label "key"}}"#
        );
        assert!(
            render("{{.Label app}}")
                .unwrap_err()
                .contains("double quotes")
        );
        assert!(
            render(r#"{{.Names "x"}}"#)
                .unwrap_err()
                .contains(r#"take .ID, .Names, .Label "key", .Platform and json ."#)
        );
    }

    #[test]
    fn json_writes_values_and_escapes_as_go_does() {
        let f = more_fields();
        let mut row = rows().remove(0);
        row.name = "a->b & <c>";
        let text = Template::parse("{{json .}}", &f)
            .unwrap()
            .render(&[row], &f);
        // The method is not a field of the object; `Platform`'s value is null, not its text.
        assert_eq!(
            text,
            r#"{"ID":"0123456789ab","Names":"a-\u003eb \u0026 \u003cc\u003e","Platform":null}"#
                .to_owned()
                + "\n"
        );
    }

    #[test]
    fn what_is_not_supported_says_what_is() {
        let err = render("{{.Nope}}").unwrap_err();
        assert_eq!(
            err,
            "{{.Nope}}: Berth's --format templates take .ID, .Names and json ."
        );
        assert!(
            render("{{if .ID}}x{{end}}")
                .unwrap_err()
                .contains("take .ID")
        );
        assert!(render("{{.ID").unwrap_err().contains("without its }}"));
    }
}

/// `docker inspect --format`: a Go template over an inspected object, the part scripts use:
/// paths (`{{.State.Status}}`, `{{.}}`), `{{json PATH}}`, `{{index PATH "key"}}` and
/// `{{range PATH}}…{{end}}` (over a list, or a map's values by key). A path to an object prints
/// only through `json` (Go would print its struct or map form, which Berth does not copy).
pub struct ValueTemplate {
    text: String,
    nodes: Vec<Node>,
}

impl ValueTemplate {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut tokens = tokens(text, text)?.into_iter();
        let (nodes, ended) = nodes(&mut tokens, text)?;
        if ended {
            return Err(format!("{text}: an {{{{end}}}} without its {{{{range}}}}"));
        }
        Ok(Self {
            text: text.to_owned(),
            nodes,
        })
    }

    /// `value` through the template.
    pub fn render(&self, value: &serde_json::Value) -> Result<String, String> {
        let mut out = String::new();
        run(&self.nodes, value, &self.text, &mut out)?;
        Ok(out)
    }
}

enum Node {
    Text(String),
    Print(Vec<String>),
    Json(Vec<String>),
    Index(Vec<String>, String),
    Range(Vec<String>, Vec<Node>),
}

/// Parses until the tokens end (`false`) or an `{{end}}` (`true`).
fn nodes(
    tokens: &mut std::vec::IntoIter<Token>,
    template: &str,
) -> Result<(Vec<Node>, bool), String> {
    let mut out = Vec::new();
    while let Some(token) = tokens.next() {
        let action = match token {
            Token::Text(t) => {
                out.push(Node::Text(t));
                continue;
            }
            Token::Action(action) => action,
        };
        let words: Vec<&str> = action.split_whitespace().collect();
        let refused = || {
            format!(
                "{{{{{action}}}}}: Berth's inspect templates take {{{{.Path}}}}, {{{{json .Path}}}}, {{{{index .Path \"key\"}}}} and {{{{range .Path}}}}…{{{{end}}}}"
            )
        };
        match words.as_slice() {
            ["end"] => return Ok((out, true)),
            [p] => out.push(Node::Print(path(p).ok_or_else(refused)?)),
            ["json", p] => out.push(Node::Json(path(p).ok_or_else(refused)?)),
            ["index", p, key] => out.push(Node::Index(
                path(p).ok_or_else(refused)?,
                key.trim_matches('"').to_owned(),
            )),
            ["range", p] => {
                let p = path(p).ok_or_else(refused)?;
                let (body, ended) = nodes(tokens, template)?;
                if !ended {
                    return Err(format!(
                        "{template}: a {{{{range}}}} without its {{{{end}}}}"
                    ));
                }
                out.push(Node::Range(p, body));
            }
            _ => return Err(refused()),
        }
    }
    Ok((out, false))
}

/// `.`, `.A`, `.A.B` as the keys to follow.
fn path(word: &str) -> Option<Vec<String>> {
    if word == "." {
        return Some(Vec::new());
    }
    let keys: Vec<String> = word
        .strip_prefix('.')?
        .split('.')
        .map(str::to_owned)
        .collect();
    keys.iter().all(|k| !k.is_empty()).then_some(keys)
}

/// The value at `keys`; `None` when a key is missing (Go prints `<no value>`, where a JSON
/// null is `<nil>`).
fn follow<'v>(value: &'v serde_json::Value, keys: &[String]) -> Option<&'v serde_json::Value> {
    keys.iter().try_fold(value, |v, k| v.get(k))
}

const NO_VALUE: &str = "<no value>";

fn run(
    nodes: &[Node],
    dot: &serde_json::Value,
    template: &str,
    out: &mut String,
) -> Result<(), String> {
    use serde_json::Value;
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Print(p) => match follow(dot, p) {
                Some(v) => out.push_str(&plain(v, p)?),
                None => out.push_str(NO_VALUE),
            },
            Node::Json(p) => out.push_str(&follow(dot, p).unwrap_or(&Value::Null).to_string()),
            Node::Index(p, key) => {
                let item = match follow(dot, p) {
                    Some(Value::Array(items)) => {
                        key.parse::<usize>().ok().and_then(|i| items.get(i))
                    }
                    Some(v) => v.get(key),
                    None => None,
                };
                match item {
                    Some(v) => out.push_str(&plain(v, p)?),
                    None => out.push_str(NO_VALUE),
                }
            }
            Node::Range(p, body) => match follow(dot, p).unwrap_or(&Value::Null) {
                Value::Array(items) => {
                    for item in items {
                        run(body, item, template, out)?;
                    }
                }
                Value::Object(map) => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    for k in keys {
                        run(body, &map[k], template, out)?;
                    }
                }
                Value::Null => {}
                other => return Err(format!("{template}: cannot range over {other}")),
            },
        }
    }
    Ok(())
}

/// A value as Go's templates print it: text bare, `[a b]` for a list of such, `<nil>`.
fn plain(value: &serde_json::Value, path: &[String]) -> Result<String, String> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let parts: Result<Vec<String>, String> = items
                .iter()
                .map(|i| match i {
                    Value::Array(_) | Value::Object(_) => Err(object(path)),
                    _ => plain(i, path),
                })
                .collect();
            format!("[{}]", parts?.join(" "))
        }
        Value::Object(_) => return Err(object(path)),
    })
}

fn object(path: &[String]) -> String {
    let p = format!(".{}", path.join("."));
    format!("{p} holds an object: write {{{{json {p}}}}} to print it")
}

#[cfg(test)]
mod inspect_tests {
    use super::ValueTemplate;
    use serde_json::json;

    fn render_value(template: &str, value: &serde_json::Value) -> Result<String, String> {
        ValueTemplate::parse(template)?.render(value)
    }

    fn object() -> serde_json::Value {
        json!({
            "Name": "/web",
            "State": {"Status": "running", "Running": true, "Pid": 42},
            "Config": {"Env": ["A=1", "B=2"], "Labels": {"b": "2", "a": "1"}},
            "NetworkSettings": {"Networks": {"front": {"IPAddress": "10.0.0.2"}, "back": {"IPAddress": "10.1.0.2"}}},
        })
    }

    #[test]
    fn paths_json_index_and_range_as_scripts_write_them() {
        let o = object();
        let r = |t: &str| render_value(t, &o);
        assert_eq!(
            r("{{.State.Status}} {{.State.Running}} {{.State.Pid}}").unwrap(),
            "running true 42"
        );
        assert_eq!(r("{{.Config.Env}}").unwrap(), "[A=1 B=2]");
        assert_eq!(
            r("{{json .Config.Labels}}").unwrap(),
            r#"{"a":"1","b":"2"}"#
        );
        assert_eq!(r("{{index .Config.Labels \"b\"}}").unwrap(), "2");
        assert_eq!(
            r("{{range .NetworkSettings.Networks}}{{.IPAddress}}\\n{{end}}").unwrap(),
            "10.1.0.2\n10.0.0.2\n"
        );
        assert_eq!(
            r("{{.Nope}} {{.Config.Nope}}").unwrap(),
            "<no value> <no value>"
        );
        assert_eq!(
            render_value("{{.Health}}", &json!({"Health": null})).unwrap(),
            "<nil>"
        );
    }

    #[test]
    fn what_is_not_supported_says_what_to_write() {
        let o = object();
        assert_eq!(
            render_value("{{.State}}", &o).unwrap_err(),
            ".State holds an object: write {{json .State}} to print it"
        );
        assert!(
            render_value("{{printf \"%s\" .Name}}", &o)
                .unwrap_err()
                .contains("inspect templates take")
        );
        assert!(
            render_value("{{range .Config.Env}}x", &o)
                .unwrap_err()
                .contains("without its {{end}}")
        );
        assert!(
            render_value("x{{end}}", &o)
                .unwrap_err()
                .contains("without its {{range}}")
        );
    }
}
