//! client-go's JSONPath template parser (`util/jsonpath/parser.go`), rule for rule, producing
//! the steps [`super::eval`] walks. Filters and unions are compiled by jsonpath-rust.

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use serde_json::Value;

/// A `jsonPath` that cannot be parsed; the text is client-go's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

fn err<T>(text: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError(text.into()))
}

/// A top-level piece of a template.
#[derive(Debug)]
pub(super) enum Node {
    /// Text outside actions: produces itself, as a string.
    Text(Value),
    /// A `{…}` action: steps applied in order, starting from the document.
    Action(Vec<Step>),
    /// `{range <steps>}<body>{end}`: the body evaluated with each value the steps select as
    /// the document, in order.
    Range(Vec<Step>, Vec<Node>),
}

/// One step of an action.
#[derive(Debug)]
pub(super) enum Step {
    /// `.name` or `['name']`.
    Field(String),
    /// `.*`.
    Wildcard,
    /// `..`.
    Recursive,
    /// `[i]`, `[a:b]`, `[a:b:s]`, `[*]`.
    Slice([Param; 3]),
    /// `[?(…)]`, compiled as the RFC 9535 query `$[?(…)]`.
    Filter(Box<JpQuery>),
    /// `[a,b]`, compiled as the RFC 9535 query `$[a,b]`.
    Union(Box<JpQuery>),
    /// A literal (`'text'`, `3`, `true`): one copy per input.
    Literal(Value),
    /// An identifier other than `true`/`false`: an error when evaluated, as in client-go.
    Identifier(String),
}

/// One of the three slice parameters (client-go `ParamsEntry`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Param {
    pub(super) known: bool,
    pub(super) value: i64,
    pub(super) derived: bool,
}

/// Parses a whole template into its nodes, `{range}…{end}` nested.
pub(super) fn parse_template(text: &str) -> Result<Vec<Node>, TemplateError> {
    let mut flat = parse_flat(text)?.into_iter();
    Ok(nest(&mut flat, false))
}

/// Groups the nodes after each `{range …}` up to its `{end}` (client-go tracks the same with
/// counters while evaluating). A range without `{end}` runs to the end of the template, as
/// in client-go; an `{end}` outside a range stays, and fails when evaluated.
fn nest(flat: &mut std::vec::IntoIter<Node>, in_range: bool) -> Vec<Node> {
    let mut out = Vec::new();
    while let Some(node) = flat.next() {
        match node {
            Node::Action(steps) if is_identifier(steps.first(), "range") => {
                let body = nest(flat, true);
                out.push(Node::Range(steps.into_iter().skip(1).collect(), body));
            }
            Node::Action(steps) if in_range && steps.len() == 1 && is_identifier(steps.first(), "end") => return out,
            other => out.push(other),
        }
    }
    out
}

fn is_identifier(step: Option<&Step>, name: &str) -> bool {
    matches!(step, Some(Step::Identifier(n)) if n == name)
}

/// The template's nodes in order, ranges not yet grouped.
fn parse_flat(text: &str) -> Result<Vec<Node>, TemplateError> {
    let mut nodes = Vec::new();
    let mut p = Parser { input: text, pos: 0 };
    loop {
        let rest = &p.input[p.pos..];
        match rest.find('{') {
            None => {
                if !rest.is_empty() {
                    nodes.push(Node::Text(Value::String(rest.to_owned())));
                }
                return Ok(nodes);
            }
            Some(i) => {
                if i > 0 {
                    nodes.push(Node::Text(Value::String(rest[..i].to_owned())));
                }
                p.pos += i + 1;
                nodes.push(Node::Action(p.action()?));
            }
        }
    }
}

/// The steps of `text` parsed as one action (client-go `parseAction`).
fn parse_action(text: &str) -> Result<Vec<Step>, TemplateError> {
    let mut p = Parser { input: text, pos: 0 };
    let mut steps = Vec::new();
    // client-go wraps the text in delimiters; parsing it until its end is the same.
    while p.pos < p.input.len() {
        p.step(&mut steps, true)?;
    }
    Ok(steps)
}

struct Parser<'s> {
    input: &'s str,
    pos: usize,
}

/// client-go `isTerminator`: what ends a field name or identifier.
fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'),
    }
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Scans until the next unescaped terminator (client-go `advance` loop); returns the text.
    fn word(&mut self) -> &str {
        let start = self.pos;
        loop {
            match self.peek() {
                Some('\\') => {
                    self.next();
                    self.next();
                }
                c if is_terminator(c) => break,
                _ => {
                    self.next();
                }
            }
        }
        &self.input[start..self.pos]
    }

    /// The steps of one action, up to and including its `}`.
    fn action(&mut self) -> Result<Vec<Step>, TemplateError> {
        let mut steps = Vec::new();
        loop {
            if self.rest().starts_with('}') {
                self.pos += 1;
                return Ok(steps);
            }
            self.step(&mut steps, false)?;
        }
    }

    /// Parses one element of an action (client-go `parseInsideAction`, one iteration).
    /// `nested`: parsing the text of a union member or dictionary key, which has no `}`.
    fn step(&mut self, steps: &mut Vec<Step>, nested: bool) -> Result<(), TemplateError> {
        if self.rest().starts_with("[?(") {
            return self.filter(steps);
        }
        if self.rest().starts_with("..") {
            if matches!(steps.last(), Some(Step::Recursive)) {
                return err("invalid multiple recursive descent");
            }
            self.pos += 2;
            steps.push(Step::Recursive);
            if self.peek().is_some_and(is_alphanumeric) {
                self.field(steps);
            }
            return Ok(());
        }
        match self.peek() {
            None | Some('\r' | '\n') if !nested => err("unclosed action"),
            None => Ok(()),
            Some(' ' | '@' | '$') => {
                self.next();
                Ok(())
            }
            Some('[') => {
                self.next();
                self.array(steps)
            }
            Some(q @ ('"' | '\'')) => self.quote(steps, q),
            Some('.') => {
                self.next();
                self.field(steps);
                Ok(())
            }
            Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => self.number(steps),
            Some(c) if is_alphanumeric(c) => self.identifier(steps),
            Some(c) => {
                let shown = if c.is_control() { String::new() } else { format!(" '{c}'") };
                err(format!("unrecognized character in action: U+{:04X}{shown}", c as u32))
            }
        }
    }

    fn field(&mut self, steps: &mut Vec<Step>) {
        let word = self.word();
        if word == "*" {
            steps.push(Step::Wildcard);
        } else {
            steps.push(Step::Field(word.replace('\\', "")));
        }
    }

    fn identifier(&mut self, steps: &mut Vec<Step>) -> Result<(), TemplateError> {
        let word = self.word().to_owned();
        match word.as_str() {
            "true" => steps.push(Step::Literal(Value::Bool(true))),
            "false" => steps.push(Step::Literal(Value::Bool(false))),
            _ => steps.push(Step::Identifier(word)),
        }
        Ok(())
    }

    fn number(&mut self, steps: &mut Vec<Step>) -> Result<(), TemplateError> {
        let start = self.pos;
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        while matches!(self.peek(), Some(c) if c == '.' || c.is_ascii_digit()) {
            self.next();
        }
        let text = &self.input[start..self.pos];
        let value = if let Ok(i) = text.parse::<i64>() {
            Value::from(i)
        } else if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            Value::Number(n)
        } else {
            return err(format!("cannot parse number {text}"));
        };
        steps.push(Step::Literal(value));
        Ok(())
    }

    fn quote(&mut self, steps: &mut Vec<Step>, quote: char) -> Result<(), TemplateError> {
        let start = self.pos;
        self.next();
        loop {
            match self.next() {
                None | Some('\n') => return err("unterminated quoted string"),
                Some(c) if c == quote && self.input.as_bytes()[self.pos - 2] != b'\\' => break,
                Some(_) => {}
            }
        }
        let raw = &self.input[start..self.pos];
        let text = unquote(&raw[1..raw.len() - 1])
            .ok_or_else(|| TemplateError(format!("unquote string {raw} error invalid syntax")))?;
        steps.push(Step::Literal(Value::String(text)));
        Ok(())
    }

    /// After `[`: an index, slice, dictionary key or union, up to `]`.
    fn array(&mut self, steps: &mut Vec<Step>) -> Result<(), TemplateError> {
        let start = self.pos;
        loop {
            match self.next() {
                None | Some('\n') => return err("unterminated array"),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let mut text = &self.input[start..self.pos - 1];
        if text == "*" {
            text = ":";
        }
        if text.contains(',') {
            let members: Vec<&str> = text.split(',').map(str::trim).collect();
            for m in &members {
                // Each member must be valid on its own, as client-go parses it.
                parse_action(&format!("[{m}]"))?;
            }
            let query = parse_json_path(&format!("$[{}]", members.join(",")))
                .map_err(|e| TemplateError(format!("invalid array index {text}: {e}")))?;
            steps.push(Step::Union(Box::new(query)));
            return Ok(());
        }
        if let Some(key) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).filter(|k| !k.contains('\'')) {
            steps.extend(parse_action(&format!(".{key}"))?);
            return Ok(());
        }
        steps.push(Step::Slice(slice_params(text)?));
        Ok(())
    }

    /// After `[?(`: the filter up to `)]`.
    fn filter(&mut self, steps: &mut Vec<Step>) -> Result<(), TemplateError> {
        self.pos += 3;
        let start = self.pos;
        let (mut begin, mut end, mut pair) = (false, false, '\0');
        loop {
            match self.next() {
                None | Some('\n') => return err("unterminated filter"),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if self.input.as_bytes()[self.pos - 2] != b'\\' && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return err("unclosed array expect ]");
        }
        let text = &self.input[start..self.pos - 2];
        let query = parse_json_path(&format!("$[?({text})]"))
            .map_err(|e| TemplateError(format!("invalid filter {text}: {e}")))?;
        steps.push(Step::Filter(Box::new(query)));
        Ok(())
    }
}

/// client-go's slice parameters for `text` (`sliceOperatorRex` and the loop after it).
fn slice_params(text: &str) -> Result<[Param; 3], TemplateError> {
    let groups = slice_groups(text).ok_or_else(|| TemplateError(format!("invalid array index {text}")))?;
    let mut params = [Param::default(); 3];
    for (i, group) in groups.iter().enumerate() {
        if !group.is_empty() {
            let digits = if i > 0 { &group[1..] } else { group };
            if i > 0 && digits.is_empty() {
                params[i].known = false;
            } else {
                params[i].known = true;
                params[i].value =
                    digits.parse().map_err(|_| TemplateError(format!("array index {digits} is not a number")))?;
            }
        } else if i == 1 {
            params[1] = Param { known: true, value: params[0].value + 1, derived: true };
        }
    }
    Ok(params)
}

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`: the three groups (empty when absent).
fn slice_groups(text: &str) -> Option<[&str; 3]> {
    fn number_len(s: &str) -> usize {
        let sign = usize::from(s.starts_with('-'));
        sign + s[sign..].bytes().take_while(u8::is_ascii_digit).count()
    }
    let mut groups = [""; 3];
    let first = number_len(text);
    groups[0] = &text[..first];
    let mut rest = &text[first..];
    for group in &mut groups[1..] {
        if let Some(after) = rest.strip_prefix(':') {
            let len = 1 + number_len(after);
            *group = &rest[..len];
            rest = &rest[len..];
        }
    }
    rest.is_empty().then_some(groups)
}

/// Go's `UnquoteExtend` body for the escapes templates use.
fn unquote(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            c @ ('\\' | '\'' | '"') => c,
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_parameters() {
        let p = |known, value, derived| Param { known, value, derived };
        assert_eq!(slice_params("2").unwrap(), [p(true, 2, false), p(true, 3, true), p(false, 0, false)]);
        assert_eq!(slice_params(":").unwrap(), [p(false, 0, false), p(false, 0, false), p(false, 0, false)]);
        assert_eq!(slice_params("1:-1:2").unwrap(), [p(true, 1, false), p(true, -1, false), p(true, 2, false)]);
        assert_eq!(slice_params("x").unwrap_err().to_string(), "invalid array index x");
        assert_eq!(slice_params("-").unwrap_err().to_string(), "array index - is not a number");
    }

    #[test]
    fn text_and_literals() {
        let nodes = parse_template("a {'b\\'c'} {3}{true}").unwrap();
        assert_eq!(nodes.len(), 5);
        assert!(matches!(&nodes[1], Node::Action(s) if matches!(&s[0], Step::Literal(Value::String(t)) if t == "b'c")));
    }
}
