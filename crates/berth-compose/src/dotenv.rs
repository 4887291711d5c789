//! `.env` files in compose's syntax: `KEY=value`, `export KEY=value`, `KEY: value`, comments
//! (`#` at the start of a line, or after whitespace following an unquoted value), single quotes
//! (literal, may span lines), double quotes (escapes `\n \t \r \\ \" \$`, may span lines,
//! variables expanded), unquoted values (trimmed, variables expanded), and a bare `KEY` that takes
//! its value from the environment when it is set there.

use std::path::Path;

use indexmap::IndexMap;

use crate::Error;
use crate::interpolate::{Lookup, substitute};

/// Reads and parses an env file. `env` resolves variables used inside values, before the
/// file's own earlier definitions.
pub fn read(path: &Path, env: &dyn Lookup) -> Result<IndexMap<String, String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    parse(&text, env).map_err(|(line, reason)| Error::Parse {
        path: path.to_owned(),
        reason: format!("line {line}: {reason}"),
    })
}

/// Parses env-file text; errors carry the 1-based line number.
pub fn parse(text: &str, env: &dyn Lookup) -> Result<IndexMap<String, String>, (usize, String)> {
    let mut vars: IndexMap<String, String> = IndexMap::new();
    let chars: Vec<char> = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .chars()
        .collect();
    let mut i = 0;
    let mut line = 1;
    while i < chars.len() {
        // Skip blank lines and comment lines.
        let start_line = line;
        let rest_of_line = |from: usize| {
            chars[from..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |p| from + p)
        };
        let eol = rest_of_line(i);
        let content: String = chars[i..eol].iter().collect();
        let trimmed = content.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i = eol + 1;
            line += 1;
            continue;
        }
        // The key.
        let mut j = i;
        while j < eol && chars[j].is_whitespace() {
            j += 1;
        }
        let mut key_start = j;
        let key_end = |from: usize| {
            let mut k = from;
            while k < eol && !matches!(chars[k], '=' | ':') && !chars[k].is_whitespace() {
                k += 1;
            }
            k
        };
        let mut k = key_end(key_start);
        let word: String = chars[key_start..k].iter().collect();
        if word == "export" && k < eol && chars[k].is_whitespace() {
            key_start = k;
            while key_start < eol && chars[key_start].is_whitespace() {
                key_start += 1;
            }
            k = key_end(key_start);
        }
        let key: String = chars[key_start..k].iter().collect();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return Err((start_line, format!("{trimmed:?} is not KEY=value")));
        }
        let mut m = k;
        while m < eol && (chars[m] == ' ' || chars[m] == '\t') {
            m += 1;
        }
        if m >= eol || chars[m] == '#' {
            // A bare KEY: its value comes from the environment, when it is set there.
            if let Some(v) = env.get(&key) {
                vars.insert(key, v);
            }
            i = eol + 1;
            line += 1;
            continue;
        }
        if !matches!(chars[m], '=' | ':') {
            return Err((start_line, format!("{trimmed:?} is not KEY=value")));
        }
        m += 1;
        while m < eol && (chars[m] == ' ' || chars[m] == '\t') {
            m += 1;
        }
        let lookup = |name: &str| env.get(name).or_else(|| vars.get(name).cloned());
        let value;
        match chars.get(m) {
            Some(q @ ('\'' | '"')) => {
                let quote = *q;
                let mut n = m + 1;
                let mut raw = String::new();
                loop {
                    match chars.get(n) {
                        None => {
                            return Err((
                                start_line,
                                format!("{key}: the {quote} is never closed"),
                            ));
                        }
                        Some('\\') if quote == '"' && n + 1 < chars.len() => {
                            match chars[n + 1] {
                                'n' => raw.push('\n'),
                                't' => raw.push('\t'),
                                'r' => raw.push('\r'),
                                // Kept escaped for the expansion below.
                                '$' => raw.push_str("$$"),
                                c @ ('\\' | '"') => raw.push(c),
                                other => {
                                    raw.push('\\');
                                    raw.push(other);
                                }
                            }
                            if chars[n + 1] == '\n' {
                                line += 1;
                            }
                            n += 2;
                        }
                        Some(c) if *c == quote => break,
                        Some(c) => {
                            if *c == '\n' {
                                line += 1;
                            }
                            raw.push(*c);
                            n += 1;
                        }
                    }
                }
                value = if quote == '"' {
                    expand(&raw, &lookup).map_err(|e| (start_line, format!("{key}: {e}")))?
                } else {
                    raw
                };
                // After the closing quote: only whitespace or a comment.
                let after_eol = rest_of_line(n + 1);
                let tail: String = chars[n + 1..after_eol].iter().collect();
                let tail = tail.trim();
                if !tail.is_empty() && !tail.starts_with('#') {
                    return Err((
                        start_line,
                        format!("{key}: unexpected {tail:?} after the closing quote"),
                    ));
                }
                i = after_eol + 1;
            }
            _ => {
                let raw: String = chars[m..eol].iter().collect();
                let raw = match raw.find(" #").or_else(|| raw.find("\t#")) {
                    Some(at) => &raw[..at],
                    None => raw.as_str(),
                };
                value =
                    expand(raw.trim(), &lookup).map_err(|e| (start_line, format!("{key}: {e}")))?;
                i = eol + 1;
            }
        }
        vars.insert(key, value);
        line += 1;
    }
    Ok(vars)
}

fn expand(raw: &str, env: &dyn Lookup) -> Result<String, String> {
    if !raw.contains('$') {
        return Ok(raw.to_owned());
    }
    substitute(raw, env, &mut Vec::new()).map_err(|e| e.describe(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "HOST_VAR").then(|| "from-host".to_owned())
    }

    fn p(text: &str) -> IndexMap<String, String> {
        parse(text, &env).unwrap()
    }

    #[test]
    fn the_syntax_compose_accepts() {
        let vars = p(concat!(
            "# comment\n",
            "\n",
            "PLAIN=value\n",
            "SPACED = spaced value  \n",
            "export EXPORTED=yes\n",
            "COLON: yaml-style\n",
            "INLINE=abc # comment\n",
            "HASH=abc#notcomment\n",
            "SINGLE='literal $PLAIN \\n'\n",
            "DOUBLE=\"tab\\there $PLAIN\"\n",
            "ESCAPED=\"cost \\$5 \\\"quoted\\\"\"\n",
            "MULTI=\"line1\nline2\"\n",
            "MULTI_SINGLE='a\nb'\n",
            "EMPTY=\n",
            "REF=${PLAIN}-x\n",
            "DEFAULTED=${NOPE:-fallback}\n",
            "HOSTREF=$HOST_VAR\n",
            "HOST_VAR\n",
            "MISSING_BARE\n",
            "QUOTED_COMMENT=\"a\" # trailing\n",
        ));
        let want = [
            ("PLAIN", "value"),
            ("SPACED", "spaced value"),
            ("EXPORTED", "yes"),
            ("COLON", "yaml-style"),
            ("INLINE", "abc"),
            ("HASH", "abc#notcomment"),
            ("SINGLE", "literal $PLAIN \\n"),
            ("DOUBLE", "tab\there value"),
            ("ESCAPED", "cost $5 \"quoted\""),
            ("MULTI", "line1\nline2"),
            ("MULTI_SINGLE", "a\nb"),
            ("EMPTY", ""),
            ("REF", "value-x"),
            ("DEFAULTED", "fallback"),
            ("HOSTREF", "from-host"),
            ("HOST_VAR", "from-host"),
            ("QUOTED_COMMENT", "a"),
        ];
        let got: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("A=1\nB='open\n", &env).unwrap_err().0, 2);
        assert_eq!(parse("A=1\n\n=x\n", &env).unwrap_err().0, 3);
        assert_eq!(parse("A=\"x\" y\n", &env).unwrap_err().0, 1);
        assert!(
            parse("A=${B:?needed}\n", &env)
                .unwrap_err()
                .1
                .contains("needed")
        );
        assert_eq!(parse("A='x\ny'\nB c\n", &env).unwrap_err().0, 3);
    }

    #[test]
    fn crlf_and_bom() {
        let vars = p("\u{feff}A=1\r\nB=2\r\n");
        assert_eq!(vars["A"], "1");
        assert_eq!(vars["B"], "2");
    }
}
