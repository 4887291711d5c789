//! docker's `--format` Go templates, the part scripts use. For a list (`ps`, `images`, `volume
//! ls`, `network ls`): `{{.Field}}` with the list's fields, `{{json .}}`, and a `table` prefix (a
//! header row, the columns aligned as docker aligns them); they take `\t` / `\n` written in the
//! text, and anything else is refused in one line with what works. For `inspect`: all of Go's
//! templates, with docker's functions.

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

/// `docker inspect --format`: Go's text/template (gotmpl's port of it) over an inspected object,
/// with docker's template functions (`json`, `join`, `split`, `lower`, `upper`, `title`, `pad`,
/// `truncate`) beside Go's own (`index`, `printf`, `len`, `eq`, …), and all of the syntax
/// (`range $k, $v := …`, `if`, `with`, variables, pipelines). The object is the engine's JSON:
/// a map, so an object prints in Go's map form (`map[a:1]`) and a missing field as `<no value>`.
pub struct ValueTemplate {
    text: String,
    template: gotmpl::Template,
}

impl ValueTemplate {
    pub fn parse(text: &str) -> Result<Self, String> {
        check_blocks(text)?;
        let template = docker_functions(gotmpl::Template::new("inspect"))
            .parse(text)
            .map_err(|e| format!("{text}: {e}"))?;
        Ok(Self {
            text: text.to_owned(),
            template,
        })
    }

    /// `value` through the template.
    pub fn render(&self, value: &serde_json::Value) -> Result<String, String> {
        let fail = |e: gotmpl::TemplateError| format!("{}: {e}", self.text);
        let data = gotmpl::to_value(value).map_err(fail)?;
        self.template.execute_to_string(&data).map_err(fail)
    }
}

/// Each `{{if}}`, `{{range}}`, `{{with}}`, `{{define}}` and `{{block}}` has its `{{end}}`, and no
/// `{{end}}` is left over, as Go's parser requires (gotmpl's takes either quietly: an unclosed
/// block as closed at the end, a stray `{{end}}` as the end of the template).
fn check_blocks(text: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(close) = after.find("}}") else {
            break;
        };
        let action = after[..close].trim_start_matches('-').trim();
        let word = action.split_whitespace().next().unwrap_or_default();
        match word {
            "if" | "range" | "with" | "define" | "block" => open.push(word),
            "end" if open.pop().is_none() => {
                return Err(format!(
                    "{text}: an {{{{end}}}} without its {{{{if}}}}, {{{{range}}}} or {{{{with}}}}"
                ));
            }
            _ => {}
        }
        rest = &after[close + 2..];
    }
    match open.last() {
        Some(word) => Err(format!("{text}: a {{{{{word}}}}} without its {{{{end}}}}")),
        None => Ok(()),
    }
}

/// docker's template functions (docker/cli's `templates.basicFunctions`).
fn docker_functions(template: gotmpl::Template) -> gotmpl::Template {
    use gotmpl::Value;
    fn text<'a>(name: &str, args: &'a [Value], at: usize) -> gotmpl::Result<&'a str> {
        args.get(at).and_then(Value::as_str).ok_or_else(|| {
            gotmpl::TemplateError::Exec(format!("{name} takes text as argument {}", at + 1))
        })
    }
    fn number(name: &str, args: &[Value], at: usize) -> gotmpl::Result<usize> {
        args.get(at)
            .and_then(Value::as_int)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                gotmpl::TemplateError::Exec(format!("{name} takes a number as argument {}", at + 1))
            })
    }
    let string = |s: String| Value::String(s.into());
    template
        .func("json", |args| {
            // Go's encoder with HTML escaping off, its newline trimmed.
            let json = to_json(args.first().unwrap_or(&Value::Nil));
            Ok(Value::String(json.to_string().into()))
        })
        .func("split", move |args| {
            let (s, sep) = (text("split", args, 0)?, text("split", args, 1)?);
            Ok(Value::List(
                s.split(sep).map(|p| string(p.to_owned())).collect(),
            ))
        })
        .func("join", |args| {
            let sep = text("join", args, 1)?;
            let items: Vec<String> = match args.first() {
                Some(Value::List(items)) => items.iter().map(ToString::to_string).collect(),
                _ => {
                    return Err(gotmpl::TemplateError::Exec(
                        "join takes a list as argument 1".into(),
                    ));
                }
            };
            Ok(Value::String(items.join(sep).into()))
        })
        .func("lower", |args| {
            Ok(Value::String(text("lower", args, 0)?.to_lowercase().into()))
        })
        .func("upper", |args| {
            Ok(Value::String(text("upper", args, 0)?.to_uppercase().into()))
        })
        .func("title", |args| {
            // Go's strings.Title: each word's first letter up.
            let mut out = String::new();
            let mut start = true;
            for c in text("title", args, 0)?.chars() {
                out.extend(if start {
                    c.to_uppercase().collect::<Vec<_>>()
                } else {
                    vec![c]
                });
                start = c.is_whitespace() || c.is_ascii_punctuation() && c != '\'';
            }
            Ok(Value::String(out.into()))
        })
        .func("pad", |args| {
            let s = text("pad", args, 0)?;
            let (before, after) = (number("pad", args, 1)?, number("pad", args, 2)?);
            Ok(Value::String(
                format!("{}{s}{}", " ".repeat(before), " ".repeat(after)).into(),
            ))
        })
        .func("truncate", |args| {
            let s = text("truncate", args, 0)?;
            let n = number("truncate", args, 1)?;
            Ok(Value::String(s.chars().take(n).collect::<String>().into()))
        })
}

/// A template value as JSON (maps by sorted key, as Go writes them).
fn to_json(value: &gotmpl::Value) -> serde_json::Value {
    use gotmpl::Value;
    match value {
        Value::Bool(b) => (*b).into(),
        Value::Int(n) => (*n).into(),
        Value::Uint(n) => (*n).into(),
        Value::Float(f) => (*f).into(),
        Value::String(s) => s.as_ref().into(),
        Value::List(items) => items.iter().map(to_json).collect(),
        Value::Map(map) => map
            .iter()
            .map(|(k, v)| (k.to_string(), to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        _ => serde_json::Value::Null,
    }
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
            "Config": {"Env": ["A=1", "B=2"], "Labels": {"b": "2", "a": "<1>"}, "Cmd": ["sleep", "600"]},
            "NetworkSettings": {
                "Networks": {"front": {"IPAddress": "10.0.0.2"}, "back": {"IPAddress": "10.1.0.2"}},
                "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8000"}], "81/tcp": null},
            },
        })
    }

    #[test]
    fn go_templates_as_scripts_write_them() {
        let o = object();
        let r = |t: &str| render_value(t, &o).unwrap();
        assert_eq!(
            r("{{.State.Status}} {{.State.Running}} {{.State.Pid}}"),
            "running true 42"
        );
        assert_eq!(r("{{.Config.Env}}"), "[A=1 B=2]");
        // docker's json: sorted keys, no HTML escaping.
        assert_eq!(r("{{json .Config.Labels}}"), r#"{"a":"<1>","b":"2"}"#);
        assert_eq!(r("{{index .Config.Labels \"b\"}}"), "2");
        assert_eq!(
            r("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"),
            "10.1.0.2 10.0.0.2 "
        );
        assert_eq!(
            r(
                "{{range $p, $b := .NetworkSettings.Ports}}{{$p}}={{if $b}}{{(index $b 0).HostPort}}{{else}}-{{end}} {{end}}"
            ),
            "80/tcp=8000 81/tcp=- "
        );
        assert_eq!(
            r("{{join .Config.Cmd \" \"}} {{upper .State.Status}} {{title \"a b\"}}"),
            "sleep 600 RUNNING A B"
        );
        assert_eq!(r("{{range split \"a,b\" \",\"}}[{{.}}]{{end}}"), "[a][b]");
        assert_eq!(
            r("{{pad .State.Status 1 2}}|{{truncate .Name 3}}|{{lower \"X\"}}"),
            " running  |/we|x"
        );
        assert_eq!(
            r("{{printf \"%s:%d\" .Name .State.Pid}} {{len .Config.Env}}"),
            "/web:42 2"
        );
        assert_eq!(r("{{.Nope}} {{.Config.Nope}}"), "<no value> <no value>");
        assert_eq!(r("{{.State}}"), "map[Pid:42 Running:true Status:running]");
        // Text is kept as written, as docker keeps it.
        assert_eq!(r("{{.Name}}\\n"), "/web\\n");
        // A null is Go's nil: false in an `if` (gotmpl prints it as a missing field).
        assert_eq!(
            render_value(
                "{{if .Health}}yes{{else}}no{{end}}",
                &json!({"Health": null})
            )
            .unwrap(),
            "no"
        );
    }

    #[test]
    fn a_broken_template_is_one_line_naming_it() {
        let o = object();
        for (template, says) in [
            ("{{range .Config.Env}}x", "a {{range}} without its {{end}}"),
            (
                "{{if .Name}}{{range .Config.Env}}{{end}}",
                "a {{if}} without its {{end}}",
            ),
            ("x{{end}}y", "an {{end}} without its {{if}}"),
            ("{{nosuch .Name}}", "nosuch"),
            ("{{join .Name \",\"}}", "join takes a list"),
        ] {
            let err = match render_value(template, &o) {
                Ok(out) => panic!("{template} rendered {out:?}"),
                Err(e) => e,
            };
            assert!(
                err.starts_with(template) && err.contains(says) && !err.contains('\n'),
                "{template}: {err}"
            );
        }
    }
}
