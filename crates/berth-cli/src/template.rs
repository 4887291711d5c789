//! docker's `--format` Go templates, the part scripts use: `{{.Field}}` with the fields of the
//! list (`docker ps`'s, `docker images`'s), `{{json .}}`, a `table` prefix (a header row, the
//! columns aligned as docker aligns them) and `\t` / `\n` written in the text. Anything else
//! (`if`, `range`, functions) is refused in one line with what works.

use std::collections::BTreeMap;

/// One field of a list: its template name (`Names`), its column header (`NAMES`) and its text
/// for a row.
pub struct Field<T> {
    pub name: &'static str,
    pub header: &'static str,
    pub value: Box<dyn Fn(&T) -> String>,
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
            value: Box::new(value),
        }
    }
}

#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Field(usize),
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
        let body = body
            .trim_matches(' ')
            .replace("\\t", "\t")
            .replace("\\n", "\n");
        let mut parts = Vec::new();
        let mut rest = body.as_str();
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| format!("{text}: a {{{{ without its }}}}"))?;
            let action = after[..close].trim();
            parts.push(match action {
                "json ." => Part::Json,
                _ => match action.strip_prefix('.') {
                    Some(name) if !name.is_empty() => Part::Field(
                        fields
                            .iter()
                            .position(|f| f.name == name)
                            .ok_or_else(|| unknown(action, fields))?,
                    ),
                    _ => return Err(unknown(action, fields)),
                },
            });
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Self { table, parts })
    }

    /// The rows through the template, a line each (after a header line for `table`).
    pub fn render<T>(&self, rows: &[T], fields: &[Field<T>]) -> String {
        let line = |row: &T| -> String {
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.clone(),
                    Part::Field(i) => (fields[*i].value)(row),
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
                Part::Json => "",
            })
            .collect();
        let cells = |text: &str| -> Vec<String> { text.split('\t').map(str::to_owned).collect() };
        let header = cells(&header);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        crate::render::table(&header, rows.iter().map(|r| cells(&line(r))))
    }
}

fn json<T>(row: &T, fields: &[Field<T>]) -> String {
    let object: BTreeMap<&str, String> = fields.iter().map(|f| (f.name, (f.value)(row))).collect();
    serde_json::to_string(&object).unwrap_or_default()
}

fn unknown<T>(action: &str, fields: &[Field<T>]) -> String {
    let names: Vec<String> = fields.iter().map(|f| format!(".{}", f.name)).collect();
    format!(
        "{{{{{action}}}}}: Berth's --format templates take {} and json .",
        names.join(", ")
    )
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
