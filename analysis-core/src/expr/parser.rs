//! Pratt parser for expr, a rule-by-rule port of expr v1.17.8's `parser` package.
//!
//! Like Go's parser it records the *first* error and keeps going, so the message a user sees is
//! the one expr would report (a lexing error only surfaces when the parser reaches it).
//! Unlike Go, it bounds nesting: every later pass recurses over the tree, and a hostile
//! condition must not be able to overflow the stack.

use super::ast::{Node, NodeKind};
use super::error::{CompileError, CompileStage, Span};
use super::lexer::{Kind, LexError, Token, lex_partial};

/// The deepest tree a condition may build. Real conditions stay below 20.
pub(crate) const MAX_DEPTH: u32 = 100;
/// expr's default node budget (`conf.DefaultMaxNodes`).
pub(crate) const MAX_NODES: usize = 10_000;
/// The longest condition source accepted.
pub(crate) const MAX_SOURCE_LEN: usize = 64 * 1024;

/// Names that parse as calls of expr built-ins rather than of environment functions.
pub(crate) const BUILTINS: &[&str] = &[
    "all",
    "none",
    "any",
    "one",
    "filter",
    "map",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "count",
    "sum",
    "groupBy",
    "sortBy",
    "reduce",
    "len",
    "type",
    "abs",
    "ceil",
    "floor",
    "round",
    "int",
    "float",
    "string",
    "trim",
    "trimPrefix",
    "trimSuffix",
    "upper",
    "lower",
    "split",
    "splitAfter",
    "replace",
    "repeat",
    "join",
    "indexOf",
    "lastIndexOf",
    "hasPrefix",
    "hasSuffix",
    "max",
    "min",
    "mean",
    "median",
    "toJSON",
    "fromJSON",
    "toBase64",
    "fromBase64",
    "now",
    "duration",
    "date",
    "timezone",
    "first",
    "last",
    "get",
    "take",
    "keys",
    "values",
    "toPairs",
    "fromPairs",
    "reverse",
    "uniq",
    "concat",
    "flatten",
    "sort",
    "bitnot",
    "bitand",
    "bitor",
    "bitxor",
    "bitnand",
    "bitshl",
    "bitshr",
    "bitushr",
];

#[derive(Clone, Copy, PartialEq)]
enum Arg {
    Expr,
    Predicate,
    OptionalExpr,
    OptionalPredicate,
}

fn predicate_args(name: &str) -> Option<&'static [Arg]> {
    use Arg::*;
    Some(match name {
        "all" | "none" | "any" | "one" | "filter" | "map" | "find" | "findIndex" | "findLast" | "findLastIndex"
        | "groupBy" => &[Expr, Predicate],
        "count" | "sum" => &[Expr, OptionalPredicate],
        "sortBy" | "reduce" => &[Expr, Predicate, OptionalExpr],
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Assoc {
    Left,
    Right,
}

fn binary_op(op: &str) -> Option<(u32, Assoc)> {
    Some(match op {
        "|" => (0, Assoc::Left),
        "or" | "||" => (10, Assoc::Left),
        "and" | "&&" => (15, Assoc::Left),
        "==" | "!=" | "<" | ">" | ">=" | "<=" | "in" | "matches" | "contains" | "startsWith" | "endsWith" => {
            (20, Assoc::Left)
        }
        ".." => (25, Assoc::Left),
        "+" | "-" => (30, Assoc::Left),
        "*" | "/" | "%" => (60, Assoc::Left),
        "**" | "^" => (100, Assoc::Right),
        "??" => (500, Assoc::Left),
        _ => return None,
    })
}

fn unary_precedence(op: &str) -> Option<u32> {
    match op {
        "not" | "!" => Some(50),
        "-" | "+" => Some(90),
        _ => None,
    }
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "<" | ">" | ">=" | "<=")
}

fn allowed_negate_suffix(op: &str) -> bool {
    matches!(op, "contains" | "matches" | "startsWith" | "endsWith" | "in")
}

/// Parses a condition into a syntax tree.
pub(crate) fn parse(source: &str) -> Result<Node, CompileError> {
    if source.len() > MAX_SOURCE_LEN {
        return Err(CompileError::new(
            CompileStage::Limit,
            format!("condition is {} bytes long; the limit is {MAX_SOURCE_LEN}", source.len()),
            Span::new(0, 0),
        ));
    }
    let (tokens, lex_error) = lex_partial(source);
    let mut p = Parser { tokens, pos: 0, lex_error, err: None, depth: 0, nesting: 0, nodes: 0 };
    if p.tokens.is_empty() {
        // Go's parser reads the first token before anything else.
        p.next();
    }
    let node = p.parse_sequence();
    if p.err.is_none() && p.current().kind != Kind::Eof {
        p.error(format!("unexpected token {}", p.current()));
    }
    match p.err {
        Some(e) => Err(e),
        None => Ok(node),
    }
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    lex_error: Option<LexError>,
    err: Option<CompileError>,
    /// Predicate nesting: `#` and `.field` are only pointers inside a predicate.
    depth: u32,
    /// Recursion depth of the parser itself.
    nesting: u32,
    nodes: usize,
}

static EOF_TOKEN: Token = Token { kind: Kind::Eof, value: String::new(), span: Span { start: 0, end: 0 } };

impl Parser {
    fn current(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&EOF_TOKEN)
    }

    fn next(&mut self) {
        if self.tokens.is_empty() {
            if let Some(e) = self.lex_error.take() {
                self.err = Some(CompileError::new(CompileStage::Syntax, e.message, e.span));
            }
            return;
        }
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
            return;
        }
        if let Some(e) = self.lex_error.take() {
            if self.err.is_none() {
                self.err = Some(CompileError::new(CompileStage::Syntax, e.message, e.span));
            }
            return;
        }
        if self.current().kind == Kind::Eof {
            self.error("unexpected end of expression".into());
        } else {
            self.pos += 1;
        }
    }

    fn error(&mut self, message: String) {
        let span = self.current().span;
        self.error_at(span, message);
    }

    fn error_at(&mut self, span: Span, message: String) {
        if self.err.is_none() {
            self.err = Some(CompileError::new(CompileStage::Syntax, message, span));
        }
    }

    fn expect(&mut self, kind: Kind, value: Option<&str>) {
        let cur = self.current();
        if cur.kind == kind && value.is_none_or(|v| cur.value == v) {
            self.next();
        } else {
            self.error(format!("unexpected token {}", self.current()));
        }
    }

    fn node(&mut self, kind: NodeKind, span: Span) -> Node {
        self.nodes += 1;
        let depth = kind.child_depth() + 1;
        if self.err.is_none() {
            if self.nodes > MAX_NODES {
                self.error("compilation failed: expression exceeds maximum allowed nodes".into());
            } else if depth > MAX_DEPTH {
                if let Some(e) = &mut self.err {
                    e.stage = CompileStage::Limit;
                } else {
                    self.err = Some(CompileError::new(
                        CompileStage::Limit,
                        format!("expression nests deeper than {MAX_DEPTH} levels"),
                        span,
                    ));
                }
            }
        }
        if self.err.is_some() {
            // After the first error the tree is discarded; keep it shallow.
            return Node { kind: NodeKind::Nil, span, depth: 1 };
        }
        Node { kind, span, depth }
    }

    fn placeholder(&self) -> Node {
        Node { kind: NodeKind::Nil, span: self.current().span, depth: 1 }
    }

    fn parse_sequence(&mut self) -> Node {
        let first = self.parse_expression(0);
        let mut nodes = vec![first];
        while self.current().is_op(";") && self.err.is_none() {
            self.next();
            if self.current().kind == Kind::Eof {
                break;
            }
            nodes.push(self.parse_expression(0));
        }
        if nodes.len() == 1 {
            return nodes.pop().unwrap_or_else(|| self.placeholder());
        }
        let span = nodes[0].span;
        self.node(NodeKind::Sequence(nodes), span)
    }

    fn parse_expression(&mut self, precedence: u32) -> Node {
        if self.err.is_some() {
            return self.placeholder();
        }
        self.nesting += 1;
        let node = if self.nesting > MAX_DEPTH {
            let span = self.current().span;
            if self.err.is_none() {
                self.err = Some(CompileError::new(
                    CompileStage::Limit,
                    format!("expression nests deeper than {MAX_DEPTH} levels"),
                    span,
                ));
            }
            self.placeholder()
        } else {
            self.parse_expression_inner(precedence)
        };
        self.nesting -= 1;
        node
    }

    fn parse_expression_inner(&mut self, precedence: u32) -> Node {
        if precedence == 0 && self.current().is_op("let") {
            return self.parse_let();
        }
        if precedence == 0 && self.current().is_op("if") {
            return self.parse_if();
        }
        let mut left = self.parse_primary();
        let mut prev_operator = String::new();
        let mut op_token = self.current().clone();
        while op_token.kind == Kind::Operator && self.err.is_none() {
            let negate = op_token.value == "not";
            let mut not_span = op_token.span;
            if negate {
                let backup = self.pos;
                self.next();
                let cur = self.current().clone();
                if allowed_negate_suffix(&cur.value) {
                    match binary_op(&cur.value) {
                        Some((p, _)) if p >= precedence => {
                            not_span = cur.span;
                            op_token = cur;
                        }
                        _ => {
                            self.pos = backup;
                            break;
                        }
                    }
                } else {
                    self.error(format!("unexpected token {cur}"));
                    break;
                }
            }
            let Some((op_prec, assoc)) = binary_op(&op_token.value).filter(|(p, _)| *p >= precedence) else {
                break;
            };
            self.next();
            if op_token.value == "|" {
                let ident = self.current().clone();
                self.expect(Kind::Identifier, None);
                left = self.parse_call(&ident, vec![left]);
            } else if prev_operator == "??" && op_token.value != "??" {
                self.error_at(
                    op_token.span,
                    format!(
                        "Operator ({}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
                        op_token.value
                    ),
                );
                break;
            } else if is_comparison(&op_token.value) {
                left = self.parse_comparison(left, op_token.clone(), op_prec);
            } else {
                let right = match assoc {
                    Assoc::Left => self.parse_expression(op_prec + 1),
                    Assoc::Right => self.parse_expression(op_prec),
                };
                left = self.node(
                    NodeKind::Binary { op: op_token.value.clone(), left: Box::new(left), right: Box::new(right) },
                    op_token.span,
                );
                if negate {
                    left = self.node(NodeKind::Unary { op: "not".into(), node: Box::new(left) }, not_span);
                }
            }
            prev_operator = op_token.value.clone();
            op_token = self.current().clone();
        }
        if precedence == 0 {
            left = self.parse_conditional(left);
        }
        left
    }

    fn parse_let(&mut self) -> Node {
        self.expect(Kind::Operator, Some("let"));
        let name = self.current().clone();
        self.expect(Kind::Identifier, None);
        self.expect(Kind::Operator, Some("="));
        let value = self.parse_expression(0);
        self.expect(Kind::Operator, Some(";"));
        let body = self.parse_sequence();
        self.node(NodeKind::Let { name: name.value, value: Box::new(value), body: Box::new(body) }, name.span)
    }

    fn parse_if(&mut self) -> Node {
        let span = self.current().span;
        self.next();
        if self.err.is_some() {
            return self.placeholder();
        }
        let cond = self.parse_expression(0);
        self.expect(Kind::Bracket, Some("{"));
        let then = self.parse_sequence();
        self.expect(Kind::Bracket, Some("}"));
        self.expect(Kind::Operator, Some("else"));
        let otherwise = if self.current().is_op("if") {
            self.parse_if()
        } else {
            self.expect(Kind::Bracket, Some("{"));
            let e = self.parse_sequence();
            self.expect(Kind::Bracket, Some("}"));
            e
        };
        self.node(
            NodeKind::Conditional { cond: Box::new(cond), then: Box::new(then), otherwise: Box::new(otherwise) },
            span,
        )
    }

    fn parse_conditional(&mut self, mut node: Node) -> Node {
        while self.current().is_op("?") && self.err.is_none() {
            self.next();
            let (then, otherwise) = if !self.current().is_op(":") {
                let e1 = self.parse_expression(0);
                self.expect(Kind::Operator, Some(":"));
                let e2 = self.parse_expression(0);
                (e1, e2)
            } else {
                // `a ?: b` is `a ? a : b`.
                self.next();
                let e2 = self.parse_expression(0);
                (node.clone(), e2)
            };
            let span = self.current().span;
            node = self.node(
                NodeKind::Conditional { cond: Box::new(node), then: Box::new(then), otherwise: Box::new(otherwise) },
                span,
            );
        }
        node
    }

    fn parse_primary(&mut self) -> Node {
        let token = self.current().clone();
        if let Some(prec) = unary_precedence(&token.value).filter(|_| token.kind == Kind::Operator) {
            self.next();
            let expr = self.parse_expression(prec);
            let node = self.node(NodeKind::Unary { op: token.value.clone(), node: Box::new(expr) }, token.span);
            return self.parse_postfix(node);
        }
        if token.is_bracket("(") {
            self.next();
            let expr = self.parse_sequence();
            self.expect(Kind::Bracket, Some(")"));
            return self.parse_postfix(expr);
        }
        if self.depth > 0 && (token.is_op("#") || token.is_op(".")) {
            let mut name = String::new();
            if token.is_op("#") {
                self.next();
                if self.current().kind == Kind::Identifier {
                    name = self.current().value.clone();
                    self.next();
                }
            }
            let node = self.node(NodeKind::Pointer(name), token.span);
            return self.parse_postfix(node);
        }
        if token.is_op("::") {
            self.next();
            let ident = self.current().clone();
            self.expect(Kind::Identifier, None);
            let call = self.parse_call(&ident, Vec::new());
            return self.parse_postfix(call);
        }
        self.parse_secondary()
    }

    fn parse_secondary(&mut self) -> Node {
        let token = self.current().clone();
        let node = match token.kind {
            Kind::Identifier => {
                self.next();
                match token.value.as_str() {
                    "true" => return self.node(NodeKind::Bool(true), token.span),
                    "false" => return self.node(NodeKind::Bool(false), token.span),
                    "nil" => return self.node(NodeKind::Nil, token.span),
                    _ => {
                        if self.current().is_bracket("(") {
                            self.parse_call(&token, Vec::new())
                        } else {
                            self.node(NodeKind::Identifier(token.value.clone()), token.span)
                        }
                    }
                }
            }
            Kind::Number => {
                self.next();
                return self.parse_number(&token);
            }
            Kind::String => {
                self.next();
                self.node(NodeKind::Str(token.value.clone()), token.span)
            }
            Kind::Bytes => {
                self.next();
                self.node(NodeKind::Bytes(token.value.clone()), token.span)
            }
            _ => {
                if token.is_bracket("[") {
                    self.parse_array(&token)
                } else if token.is_bracket("{") {
                    self.parse_map(&token)
                } else {
                    self.error(format!("unexpected token {token}"));
                    self.placeholder()
                }
            }
        };
        self.parse_postfix(node)
    }

    fn parse_number(&mut self, token: &Token) -> Node {
        let value = token.value.replace('_', "");
        let lower = value.to_ascii_lowercase();
        let int = |digits: &str, radix: u32, what: &str| -> Result<i64, String> {
            i64::from_str_radix(digits, radix)
                .map_err(|e| format!("invalid {what} literal: {}", go_parse_int_error(&value, &e)))
        };
        let result = if lower.starts_with("0x") {
            int(&value[2..], 16, "hex").map(NodeKind::Integer)
        } else if lower.contains('.') || lower.contains('e') {
            match value.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(NodeKind::Float(f)),
                Ok(_) => Err(format!(
                    "invalid float literal: strconv.ParseFloat: parsing {}: value out of range",
                    crate::go::gofmt::quote(&value)
                )),
                Err(_) => Err(format!(
                    "invalid float literal: strconv.ParseFloat: parsing {}: invalid syntax",
                    crate::go::gofmt::quote(&value)
                )),
            }
        } else if lower.starts_with("0b") {
            int(&value[2..], 2, "binary").map(NodeKind::Integer)
        } else if lower.starts_with("0o") {
            int(&value[2..], 8, "octal").map(NodeKind::Integer)
        } else {
            int(&value, 10, "integer").map(NodeKind::Integer)
        };
        match result {
            Ok(kind) => self.node(kind, token.span),
            Err(message) => {
                self.error(message);
                self.placeholder()
            }
        }
    }

    fn parse_call(&mut self, token: &Token, mut args: Vec<Node>) -> Node {
        if let Some(spec) = predicate_args(&token.value) {
            self.expect(Kind::Bracket, Some("("));
            let spec = &spec[args.len().min(spec.len())..];
            for (i, arg) in spec.iter().enumerate() {
                let optional = matches!(arg, Arg::OptionalExpr | Arg::OptionalPredicate);
                if self.current().is_bracket(")") {
                    if optional {
                        break;
                    }
                    self.error(format!("expected at least {} arguments", spec.len()));
                }
                if i > 0 {
                    self.expect(Kind::Operator, Some(","));
                }
                let node = match arg {
                    Arg::Expr | Arg::OptionalExpr => self.parse_expression(0),
                    Arg::Predicate | Arg::OptionalPredicate => self.parse_predicate(),
                };
                args.push(node);
                if self.err.is_some() {
                    break;
                }
            }
            if self.current().is_op(",") {
                self.next();
            }
            self.expect(Kind::Bracket, Some(")"));
            self.node(NodeKind::Builtin { name: token.value.clone(), args }, token.span)
        } else if BUILTINS.contains(&token.value.as_str()) {
            let args = self.parse_arguments(args);
            self.node(NodeKind::Builtin { name: token.value.clone(), args }, token.span)
        } else {
            let callee = self.node(NodeKind::Identifier(token.value.clone()), token.span);
            let args = self.parse_arguments(args);
            self.node(NodeKind::Call { callee: Box::new(callee), args }, token.span)
        }
    }

    fn parse_arguments(&mut self, mut args: Vec<Node>) -> Vec<Node> {
        let offset = args.len();
        self.expect(Kind::Bracket, Some("("));
        while !self.current().is_bracket(")") && self.err.is_none() {
            if args.len() > offset {
                self.expect(Kind::Operator, Some(","));
            }
            if self.current().is_bracket(")") {
                break;
            }
            args.push(self.parse_expression(0));
        }
        self.expect(Kind::Bracket, Some(")"));
        args
    }

    fn parse_predicate(&mut self) -> Node {
        let start = self.current().span;
        let with_brackets = self.current().is_bracket("{");
        if with_brackets {
            self.next();
        }
        self.depth += 1;
        let node = if with_brackets {
            self.parse_sequence()
        } else {
            let n = self.parse_expression(0);
            if self.current().is_op(";") {
                self.error("wrap predicate with brackets { and }".into());
            }
            n
        };
        self.depth -= 1;
        if with_brackets {
            self.expect(Kind::Bracket, Some("}"));
        }
        self.node(NodeKind::Predicate(Box::new(node)), start)
    }

    fn parse_array(&mut self, token: &Token) -> Node {
        let mut nodes = Vec::new();
        self.expect(Kind::Bracket, Some("["));
        while !self.current().is_bracket("]") && self.err.is_none() {
            if !nodes.is_empty() {
                self.expect(Kind::Operator, Some(","));
                if self.current().is_bracket("]") {
                    break;
                }
            }
            nodes.push(self.parse_expression(0));
        }
        self.expect(Kind::Bracket, Some("]"));
        self.node(NodeKind::Array(nodes), token.span)
    }

    fn parse_map(&mut self, token: &Token) -> Node {
        self.expect(Kind::Bracket, Some("{"));
        let mut pairs = Vec::new();
        while !self.current().is_bracket("}") && self.err.is_none() {
            if !pairs.is_empty() {
                self.expect(Kind::Operator, Some(","));
                if self.current().is_bracket("}") {
                    break;
                }
                if self.current().is_op(",") {
                    self.error(format!("unexpected token {}", self.current()));
                }
            }
            let cur = self.current().clone();
            let key = if matches!(cur.kind, Kind::Number | Kind::String | Kind::Identifier) {
                let k = self.node(NodeKind::Str(cur.value.clone()), cur.span);
                self.next();
                k
            } else if cur.is_bracket("(") {
                self.parse_expression(0)
            } else {
                self.error(format!(
                    "a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token {cur})"
                ));
                self.placeholder()
            };
            self.expect(Kind::Operator, Some(":"));
            let value = self.parse_expression(0);
            pairs.push((key, value));
        }
        self.expect(Kind::Bracket, Some("}"));
        self.node(NodeKind::Map(pairs), token.span)
    }

    fn parse_postfix(&mut self, mut node: Node) -> Node {
        let mut postfix = self.current().clone();
        while matches!(postfix.kind, Kind::Operator | Kind::Bracket) && self.err.is_none() {
            let optional = postfix.value == "?.";
            if postfix.value == "." || postfix.value == "?." {
                self.next();
                let mut property = self.current().clone();
                if optional && property.is_bracket("[") {
                    // `a?.[i]`
                    node = self.parse_index(node, &property, true);
                    postfix = self.current().clone();
                    continue;
                }
                self.next();
                if property.kind != Kind::Identifier
                    && (property.kind != Kind::Operator || !is_valid_identifier(&property.value))
                {
                    self.error("expected name".into());
                    property.value.clear();
                }
                let prop = self.node(NodeKind::Str(property.value.clone()), property.span);
                let (base, was_chain) = match node.kind {
                    NodeKind::Chain(inner) => (*inner, true),
                    _ => (node, false),
                };
                let method = self.current().is_bracket("(");
                let member = self.node(
                    NodeKind::Member { node: Box::new(base), property: Box::new(prop), optional, method },
                    property.span,
                );
                node = if method {
                    let args = self.parse_arguments(Vec::new());
                    self.node(NodeKind::Call { callee: Box::new(member), args }, property.span)
                } else {
                    member
                };
                if was_chain || optional {
                    node = self.node(NodeKind::Chain(Box::new(node)), property.span);
                }
            } else if postfix.value == "[" {
                node = self.parse_index(node, &postfix, false);
            } else {
                break;
            }
            postfix = self.current().clone();
        }
        node
    }

    /// `node[...]` with the current token on `[`: an index or a slice.
    fn parse_index(&mut self, node: Node, bracket: &Token, optional: bool) -> Node {
        self.next();
        if self.current().is_op(":") {
            self.next();
            let to = if !self.current().is_bracket("]") { Some(Box::new(self.parse_expression(0))) } else { None };
            let n = self.node(NodeKind::Slice { node: Box::new(node), from: None, to }, bracket.span);
            self.expect(Kind::Bracket, Some("]"));
            return n;
        }
        let from = self.parse_expression(0);
        if self.current().is_op(":") {
            self.next();
            let to = if !self.current().is_bracket("]") { Some(Box::new(self.parse_expression(0))) } else { None };
            let n = self.node(NodeKind::Slice { node: Box::new(node), from: Some(Box::new(from)), to }, bracket.span);
            self.expect(Kind::Bracket, Some("]"));
            return n;
        }
        let mut n = self.node(
            NodeKind::Member { node: Box::new(node), property: Box::new(from), optional, method: false },
            bracket.span,
        );
        if optional {
            n = self.node(NodeKind::Chain(Box::new(n)), bracket.span);
        }
        self.expect(Kind::Bracket, Some("]"));
        n
    }

    fn parse_comparison(&mut self, mut left: Node, mut token: Token, precedence: u32) -> Node {
        let mut root: Option<Node> = None;
        loop {
            let comparator = self.parse_expression(precedence + 1);
            let cmp = self.node(
                NodeKind::Binary { op: token.value.clone(), left: Box::new(left), right: Box::new(comparator.clone()) },
                token.span,
            );
            root = Some(match root {
                None => cmp,
                Some(r) => {
                    self.node(NodeKind::Binary { op: "&&".into(), left: Box::new(r), right: Box::new(cmp) }, token.span)
                }
            });
            left = comparator;
            token = self.current().clone();
            if !(token.kind == Kind::Operator && is_comparison(&token.value) && self.err.is_none()) {
                break;
            }
            self.next();
        }
        root.unwrap_or_else(|| self.placeholder())
    }
}

fn is_valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(super::lexer::is_alphabetic) && chars.all(super::lexer::is_alphanumeric)
}

/// Go's `*strconv.NumError` text for a failed `ParseInt` of `value`.
fn go_parse_int_error(value: &str, e: &std::num::ParseIntError) -> String {
    use std::num::IntErrorKind;
    let why = match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
        _ => "invalid syntax",
    };
    format!("strconv.ParseInt: parsing {}: {why}", crate::go::gofmt::quote(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        parse(src).unwrap_err().message
    }

    #[test]
    fn parse_errors_read_like_expr() {
        assert_eq!(err("result >"), "unexpected token EOF");
        assert_eq!(err("    "), "unexpected token EOF");
        assert_eq!(err("a b"), "unexpected token Identifier(\"b\")");
        assert_eq!(
            err("result ?? 0 < 0.05"),
            "Operator (<) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses."
        );
        assert_eq!(err("now() -- ?"), "unexpected token Operator(\"?\")");
        assert_eq!(
            err("99999999999999999999 > 1"),
            "invalid integer literal: strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(parse(&deep).unwrap_err().stage, CompileStage::Limit);
        let chain = format!("result{}", ".a".repeat(5000));
        assert!(parse(&chain).is_err());
        let sum = vec!["1"; 3000].join("+");
        assert!(parse(&sum).is_err());
    }

    #[test]
    fn comparisons_chain() {
        let n = parse("1 < 2 < 3").unwrap();
        assert!(matches!(n.kind, NodeKind::Binary { ref op, .. } if op == "&&"));
    }
}
