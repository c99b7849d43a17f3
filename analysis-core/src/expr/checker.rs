//! expr's static type checker (`checker/checker.go`), lowering the syntax tree to the program
//! the evaluator runs.
//!
//! The rules are expr's, in expr's order, because their order decides which error a user sees.
//! The environment is Argo's: `result` typed by its run-time value, and the six helpers of
//! `env.rs`. Like Go, the checker records the first error and carries on with an unknown type.

use std::sync::Arc;

use super::ast::{Node, NodeKind};
use super::builtins::{Builtin, Check};
use super::env::EnvFn;
use super::error::{CompileError, CompileStage, Span};
use super::ir::{BinOp, Expr, Loop, LoopKind, Pointer};
use super::parser::BUILTINS;
use super::types::{Check as C, FuncType, Type};
use super::value::Value;

/// A checked program: the lowered expression and its static type.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub expr: Expr,
    pub slots: usize,
    /// The float-only fast path, when the condition has that shape.
    pub fast: Option<super::fast::Pred>,
}

/// Type-checks `node` with `result` of static type `result_type`.
pub(crate) fn check(node: &Node, result_type: &Type) -> Result<Checked, CompileError> {
    run(node, result_type, true)
}

/// Type-checks a time expression: Argo's environment there has only `isNaN` and `isInf`.
pub(crate) fn check_without_result(node: &Node) -> Result<Checked, CompileError> {
    run(node, &Type::Nil, false)
}

fn run(node: &Node, result_type: &Type, full_env: bool) -> Result<Checked, CompileError> {
    let mut c = Checker { result_type, full_env, err: None, predicates: Vec::new(), vars: Vec::new(), slots: 0 };
    let (_, mut expr) = c.visit(node);
    if c.err.is_none() {
        super::fold::fold(&mut expr, node.span)?;
    }
    match c.err {
        Some(e) => Err(e),
        None => {
            let fast = if full_env { super::fast::compile(&expr, result_type) } else { None };
            Ok(Checked { expr, slots: c.slots, fast })
        }
    }
}

struct PredicateScope {
    collection: Type,
    vars: Vec<(&'static str, Type)>,
}

struct Checker<'a> {
    result_type: &'a Type,
    /// Argo's condition environment (`result` and six helpers), or its time environment.
    full_env: bool,
    err: Option<CompileError>,
    predicates: Vec<PredicateScope>,
    vars: Vec<(String, Type, usize)>,
    slots: usize,
}

type Typed = (Type, Expr);

fn nil_expr() -> Expr {
    Expr::Const(Value::Nil)
}

impl Checker<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) -> Typed {
        if self.err.is_none() {
            self.err = Some(CompileError::new(CompileStage::Type, message, span));
        }
        (Type::Unknown, nil_expr())
    }

    fn visit(&mut self, node: &Node) -> Typed {
        match &node.kind {
            NodeKind::Nil => (Type::Nil, nil_expr()),
            NodeKind::Bool(b) => (Type::Bool, Expr::Const(Value::Bool(*b))),
            NodeKind::Integer(i) => (Type::Int, Expr::Const(Value::Int(*i))),
            NodeKind::Float(f) => (Type::Float, Expr::Const(Value::Float(*f))),
            NodeKind::Str(s) => (Type::String, Expr::Const(Value::string(s.as_str()))),
            NodeKind::Bytes(s) => (Type::slice(Type::Uint8), Expr::Const(Value::Bytes(s.as_bytes().into()))),
            NodeKind::Identifier(name) => self.identifier(node, name),
            NodeKind::Pointer(name) => self.pointer(node, name),
            NodeKind::Unary { op, node: inner } => self.unary(node, op, inner),
            NodeKind::Binary { op, left, right } => self.binary(node, op, left, right),
            NodeKind::Chain(inner) => {
                let (t, e) = self.visit(inner);
                (t, Expr::Chain(Box::new(e)))
            }
            NodeKind::Member { node: base, property, optional, method } => {
                self.member(node, base, property, *optional, *method)
            }
            NodeKind::Slice { node: base, from, to } => self.slice(node, base, from.as_deref(), to.as_deref()),
            NodeKind::Call { callee, args } => self.call(node, callee, args),
            NodeKind::Builtin { name, args } => self.builtin(node, name, args),
            NodeKind::Predicate(body) => self.visit(body),
            NodeKind::Let { name, value, body } => self.let_(node, name, value, body),
            NodeKind::Sequence(nodes) => {
                if nodes.is_empty() {
                    return self.error(node.span, "empty sequence expression");
                }
                let mut last = Type::Unknown;
                let mut exprs = Vec::with_capacity(nodes.len());
                for n in nodes {
                    let (t, e) = self.visit(n);
                    last = t;
                    exprs.push(e);
                }
                (last, Expr::Sequence(exprs))
            }
            NodeKind::Conditional { cond, then, otherwise } => self.conditional(cond, then, otherwise),
            NodeKind::Array(nodes) => {
                let mut prev = Type::Unknown;
                let mut same = true;
                let mut exprs = Vec::with_capacity(nodes.len());
                for (i, n) in nodes.iter().enumerate() {
                    let (t, e) = self.visit(n);
                    if i > 0 && t.kind() != prev.kind() {
                        same = false;
                    }
                    prev = t;
                    exprs.push(e);
                }
                let t = if same { prev.array_of() } else { Type::slice(Type::Any) };
                (t, Expr::Array(exprs))
            }
            NodeKind::Map(pairs) => {
                let mut exprs = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    let (_, ke) = self.visit(k);
                    let (_, ve) = self.visit(v);
                    exprs.push((ke, ve));
                }
                (Type::map_string_any(), Expr::Map(exprs))
            }
        }
    }

    fn identifier(&mut self, node: &Node, name: &str) -> Typed {
        if let Some((_, t, slot)) = self.vars.iter().rev().find(|(n, _, _)| n == name) {
            return (t.clone(), Expr::Var(*slot));
        }
        if name == "$env" {
            return (Type::Unknown, Expr::Env);
        }
        if name == "result" && self.full_env {
            return (self.result_type.clone(), Expr::Result);
        }
        if let Some(f) = EnvFn::lookup(name).filter(|f| self.full_env || matches!(f, EnvFn::IsNaN | EnvFn::IsInf)) {
            return (f.signature(), Expr::FuncValue(name.into()));
        }
        if BUILTINS.contains(&name) {
            // A built-in named without a call: Go types it as its generic signature and
            // loads nothing (nil) at run time.
            let sig = Type::Func(Box::new(FuncType {
                params: vec![Type::slice(Type::Any)],
                variadic: true,
                out: vec![Type::Any, Type::Named("error")],
            }));
            return (sig, nil_expr());
        }
        self.error(node.span, format!("unknown name {name}"))
    }

    fn pointer(&mut self, node: &Node, name: &str) -> Typed {
        let Some(scope) = self.predicates.last() else {
            return self.error(node.span, "cannot use pointer accessor outside predicate");
        };
        if name.is_empty() {
            if scope.collection.is_unknown() {
                return (Type::Unknown, Expr::Pointer(Pointer::Item));
            }
            if scope.collection.is_array() {
                return (scope.collection.elem(), Expr::Pointer(Pointer::Item));
            }
            let msg = format!("cannot use {} as array", scope.collection.go_name());
            return self.error(node.span, msg);
        }
        if let Some((_, t)) = scope.vars.iter().find(|(n, _)| *n == name) {
            let p = if name == "index" { Pointer::Index } else { Pointer::Acc };
            return (t.clone(), Expr::Pointer(p));
        }
        self.error(node.span, format!("unknown pointer #{name}"))
    }

    fn unary(&mut self, node: &Node, op: &str, inner: &Node) -> Typed {
        let (t, e) = self.visit(inner);
        match op {
            "!" | "not" if t.is_bool() || t.is_unknown() => (Type::Bool, Expr::Not(Box::new(e))),
            "+" | "-" if t.is_number() || t.is_unknown() => {
                let t = if t.is_number() { t } else { Type::Unknown };
                (t, if op == "-" { Expr::Negate(Box::new(e)) } else { e })
            }
            "!" | "not" | "+" | "-" => {
                self.error(node.span, format!("invalid operation: {op} (mismatched type {})", t.go_name()))
            }
            _ => self.error(node.span, format!("unknown operator ({op})")),
        }
    }

    fn binary(&mut self, node: &Node, op: &str, left: &Node, right: &Node) -> Typed {
        let (l, le) = self.visit(left);
        let (r, re) = self.visit(right);
        let bool_t = || Type::Bool;
        let ok: Option<Type> = match op {
            "==" | "!=" => l.comparable_to(&r).then(bool_t),
            "or" | "||" | "and" | "&&" => {
                ((l.is_bool() && r.is_bool()) || l.maybe_compatible(&r, &[C::Bool])).then(bool_t)
            }
            "<" | ">" | ">=" | "<=" => ((l.is_number() && r.is_number())
                || (l.is_string() && r.is_string())
                || (l.is_time() && r.is_time())
                || (l.is_duration() && r.is_duration())
                || l.maybe_compatible(&r, &[C::Number, C::String, C::Time, C::Duration]))
            .then(bool_t),
            "-" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote_numeric(&r))
                } else if l.is_time() && r.is_time() {
                    Some(Type::Duration)
                } else if l.is_time() && r.is_duration() {
                    Some(Type::Time)
                } else if l.is_duration() && r.is_duration() {
                    Some(Type::Duration)
                } else {
                    l.maybe_compatible(&r, &[C::Number, C::Time, C::Duration]).then_some(Type::Unknown)
                }
            }
            "*" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote_numeric(&r))
                } else if (l.is_number() && r.is_duration())
                    || (l.is_duration() && r.is_number())
                    || (l.is_duration() && r.is_duration())
                {
                    Some(Type::Duration)
                } else {
                    l.maybe_compatible(&r, &[C::Number, C::Duration]).then_some(Type::Unknown)
                }
            }
            "/" | "**" | "^" => {
                ((l.is_number() && r.is_number()) || l.maybe_compatible(&r, &[C::Number])).then_some(Type::Float)
            }
            "%" => ((l.is_integer() && r.is_integer()) || l.maybe_compatible(&r, &[C::Integer])).then_some(Type::Int),
            "+" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote_numeric(&r))
                } else if l.is_string() && r.is_string() {
                    Some(Type::String)
                } else if (l.is_time() && r.is_duration()) || (l.is_duration() && r.is_time()) {
                    Some(Type::Time)
                } else if l.is_duration() && r.is_duration() {
                    Some(Type::Duration)
                } else {
                    l.maybe_compatible(&r, &[C::Number, C::String, C::Time, C::Duration]).then_some(Type::Unknown)
                }
            }
            "in" => {
                if (l.is_string() || l.is_unknown()) && r.is_struct() {
                    Some(Type::Bool)
                } else if r.is_map() {
                    let key = r.key();
                    if !l.is_unknown() && !l.assignable_to(&key) {
                        let msg = format!("cannot use {} as type {} in map key", l.go_name(), key.go_name());
                        return self.error(node.span, msg);
                    }
                    Some(Type::Bool)
                } else if r.is_array() {
                    let elem = r.elem();
                    if !l.comparable_to(&elem) {
                        let msg = format!("cannot use {} as type {} in array", l.go_name(), elem.go_name());
                        return self.error(node.span, msg);
                    }
                    Some(Type::Bool)
                } else if (l.is_unknown() && r.is_any_of(&[C::String, C::Array, C::Map])) || r.is_unknown() {
                    Some(Type::Bool)
                } else {
                    None
                }
            }
            "matches" => {
                if let NodeKind::Str(pattern) = &right.kind {
                    match super::regex::compile(pattern) {
                        Ok(re) => {
                            if (l.is_string() || l.is_bytes()) || l.maybe_compatible(&r, &[C::String]) {
                                return (Type::Bool, Expr::MatchesConst(Box::new(le), Arc::new(re)));
                            }
                        }
                        Err(msg) => return self.error(node.span, msg),
                    }
                }
                (((l.is_string() || l.is_bytes()) && r.is_string()) || l.maybe_compatible(&r, &[C::String]))
                    .then(bool_t)
            }
            "contains" | "startsWith" | "endsWith" => {
                ((l.is_string() && r.is_string()) || l.maybe_compatible(&r, &[C::String])).then(bool_t)
            }
            ".." => ((l.is_integer() && r.is_integer()) || l.maybe_compatible(&r, &[C::Integer]))
                .then(|| Type::any_slice_of(Type::Int)),
            "??" => {
                let t = if l.is_nil() && !r.is_nil() {
                    r.clone()
                } else if !l.is_nil() && r.is_nil() {
                    l.clone()
                } else if l.is_nil() && r.is_nil() {
                    Type::Nil
                } else if r.assignable_to(&l) {
                    l.clone()
                } else {
                    Type::Unknown
                };
                return (t, Expr::Coalesce(Box::new(le), Box::new(re)));
            }
            _ => return self.error(node.span, format!("unknown operator ({op})")),
        };
        let Some(t) = ok else {
            let msg = format!("invalid operation: {op} (mismatched types {} and {})", l.go_name(), r.go_name());
            return self.error(node.span, msg);
        };
        let expr = match op {
            "or" | "||" => Expr::Or(Box::new(le), Box::new(re)),
            "and" | "&&" => Expr::And(Box::new(le), Box::new(re)),
            _ => {
                let bin = BinOp::from_str(op).unwrap_or(BinOp::Eq);
                self.fold(bin, &l, le, re)
            }
        };
        (t, expr)
    }

    /// expr's `inRange` optimization: `int in a..b` over literals never builds the range.
    fn fold(&mut self, op: BinOp, l: &Type, le: Expr, re: Expr) -> Expr {
        match (op, &le, &re) {
            (BinOp::In, _, Expr::Binary(BinOp::Range, from, to))
                if *l == Type::Int
                    && matches!(**from, Expr::Const(Value::Int(_)))
                    && matches!(**to, Expr::Const(Value::Int(_))) =>
            {
                let (from, to) = ((**from).clone(), (**to).clone());
                Expr::And(
                    Box::new(Expr::Binary(BinOp::Ge, Box::new(le.clone()), Box::new(from))),
                    Box::new(Expr::Binary(BinOp::Le, Box::new(le), Box::new(to))),
                )
            }
            _ => Expr::Binary(op, Box::new(le), Box::new(re)),
        }
    }

    fn member(&mut self, node: &Node, base: &Node, property: &Node, optional: bool, method: bool) -> Typed {
        if matches!(&base.kind, NodeKind::Identifier(n) if n == "$env") {
            return self.env_member(node, property, optional);
        }
        let (b, be) = self.visit(base);
        let (p, pe) = self.visit(property);
        let expr = Expr::Fetch { base: Box::new(be), prop: Box::new(pe), optional };
        if b.is_unknown() {
            return (Type::Unknown, expr);
        }
        let name = match &property.kind {
            NodeKind::Str(s) => Some(s.as_str()),
            _ => None,
        };
        if let Some(name) = name.filter(|_| b.is_nil()) {
            return self.error(node.span, format!("type nil has no field {name}"));
        }
        if let Some(name) = name.filter(|_| method)
            && let Some(sig) = super::methods::signature(&b, name)
        {
            let Expr::Fetch { base: recv, .. } = expr else { return (Type::Unknown, nil_expr()) };
            return (Type::Func(Box::new(sig)), Expr::Method(recv, name.into(), Vec::new()));
        }
        match &b {
            Type::Map { .. } => {
                let key = b.key();
                if !p.assignable_to(&key) && !p.is_unknown() {
                    let msg = format!("cannot use {} to get an element from {}", p.go_name(), b.go_name());
                    return self.error(property.span, msg);
                }
                (b.elem(), expr)
            }
            Type::Slice { .. } => {
                if !p.is_integer() && !p.is_unknown() {
                    let msg = format!("array elements can only be selected using an integer (got {})", p.go_name());
                    return self.error(property.span, msg);
                }
                (b.elem(), expr)
            }
            _ => match name {
                Some(name) if method => self.error(node.span, format!("type {} has no method {name}", b.go_name())),
                Some(name) => self.error(node.span, format!("type {} has no field {name}", b.go_name())),
                None => self.error(node.span, format!("type {}[{}] is undefined", b.go_name(), p.go_name())),
            },
        }
    }

    /// `$env.name` / `$env["name"]`: the environment's own entries, checked strictly (no
    /// built-ins), as expr does.
    fn env_member(&mut self, node: &Node, property: &Node, optional: bool) -> Typed {
        let (_, pe) = self.visit(property);
        let expr = Expr::Fetch { base: Box::new(Expr::Env), prop: Box::new(pe), optional };
        let NodeKind::Str(name) = &property.kind else {
            return (Type::Unknown, expr);
        };
        if name == "result" && self.full_env {
            return (self.result_type.clone(), expr);
        }
        if let Some(f) = EnvFn::lookup(name).filter(|f| self.full_env || matches!(f, EnvFn::IsNaN | EnvFn::IsInf)) {
            return (f.signature(), expr);
        }
        if optional {
            return (Type::Unknown, expr);
        }
        self.error(node.span, format!("unknown name {name}"))
    }

    fn slice(&mut self, node: &Node, base: &Node, from: Option<&Node>, to: Option<&Node>) -> Typed {
        let (t, be) = self.visit(base);
        let mut from_e = None;
        let mut to_e = None;
        if !t.is_unknown() && !matches!(t, Type::String | Type::Slice { .. }) {
            return self.error(node.span, format!("cannot slice {}", t.go_name()));
        }
        for (bound, slot) in [(from, &mut from_e), (to, &mut to_e)] {
            if let Some(n) = bound {
                let (bt, e) = self.visit(n);
                if !t.is_unknown() && !bt.is_integer() && !bt.is_unknown() {
                    return self.error(n.span, format!("non-integer slice index {}", bt.go_name()));
                }
                *slot = Some(Box::new(e));
            }
        }
        let t = if t.is_unknown() { Type::Unknown } else { t };
        (t, Expr::Slice { base: Box::new(be), from: from_e, to: to_e })
    }

    fn call(&mut self, node: &Node, callee: &Node, args: &[Node]) -> Typed {
        if matches!(&callee.kind, NodeKind::Identifier(n) if n == "$env") {
            return self.error(node.span, "map[string]interface {} is not callable");
        }
        let (t, ce) = self.visit(callee);
        let (arg_types, mut arg_exprs, spans) = self.visit_all(args);
        if t.is_unknown() {
            return (Type::Unknown, Expr::CallDynamic(Box::new(ce), arg_exprs));
        }
        let name = match &callee.kind {
            NodeKind::Identifier(n) => n.clone(),
            NodeKind::Member { property, .. } => match &property.kind {
                NodeKind::Str(s) => s.clone(),
                _ => "function".into(),
            },
            _ => "function".into(),
        };
        if t.is_nil() {
            return self.error(node.span, format!("{name} is nil; cannot call nil as function"));
        }
        let Type::Func(sig) = &t else {
            return self.error(node.span, format!("{} is not callable", t.go_name()));
        };
        match self.check_arguments(&name, sig, &arg_types, &mut arg_exprs, &spans, node.span) {
            Ok(out) => {
                if let Expr::Method(recv, method, _) = ce {
                    return (out, Expr::Method(recv, method, arg_exprs));
                }
                let expr = match (&callee.kind, EnvFn::lookup(&name)) {
                    (NodeKind::Identifier(_), Some(f)) if matches!(ce, Expr::FuncValue(_)) => {
                        Expr::CallEnv(f, arg_exprs)
                    }
                    _ => Expr::CallDynamic(Box::new(ce), arg_exprs),
                };
                (out, expr)
            }
            Err(e) => {
                if self.err.is_none() {
                    self.err = Some(e);
                }
                (Type::Unknown, nil_expr())
            }
        }
    }

    fn visit_all(&mut self, args: &[Node]) -> (Vec<Type>, Vec<Expr>, Vec<Span>) {
        let mut types = Vec::with_capacity(args.len());
        let mut exprs = Vec::with_capacity(args.len());
        for a in args {
            let (t, e) = self.visit(a);
            types.push(t);
            exprs.push(e);
        }
        (types, exprs, args.iter().map(|a| a.span).collect())
    }

    /// expr's `checkArguments` over already-visited arguments.
    fn check_arguments(
        &self,
        name: &str,
        sig: &FuncType,
        args: &[Type],
        exprs: &mut [Expr],
        spans: &[Span],
        span: Span,
    ) -> Result<Type, CompileError> {
        let err = |span: Span, msg: String| CompileError::new(CompileStage::Type, msg, span);
        let out = sig.out.first().map_or(Type::Unknown, Type::plain);
        if sig.out.is_empty() {
            return Err(err(span, format!("func {name} doesn't return value")));
        }
        let num_in = sig.params.len();
        if sig.variadic {
            if args.len() + 1 < num_in {
                return Err(err(span, format!("not enough arguments to call {name}")));
            }
        } else if args.len() > num_in {
            return Err(err(span, format!("too many arguments to call {name}")));
        } else if args.len() < num_in {
            return Err(err(span, format!("not enough arguments to call {name}")));
        }
        for (i, arg) in args.iter().enumerate() {
            let param =
                if sig.variadic && i + 1 >= num_in { sig.params[num_in - 1].elem() } else { sig.params[i].clone() };
            if param.is_float() && arg.is_integer() {
                int_literals_to_float(&mut exprs[i]);
                continue;
            }
            if param.is_integer() && arg.is_integer() {
                continue;
            }
            if arg.is_nil() {
                if matches!(param.kind(), super::types::Kind::Ptr | super::types::Kind::Interface) {
                    continue;
                }
                return Err(err(
                    spans[i],
                    format!("cannot use nil as argument (type {}) to call {name}", param.go_name()),
                ));
            }
            if !arg.assignable_to(&param) && !arg.is_unknown() {
                return Err(err(
                    spans[i],
                    format!("cannot use {} as argument (type {}) to call {name} ", arg.go_name(), param.go_name()),
                ));
            }
        }
        Ok(out)
    }

    fn builtin(&mut self, node: &Node, name: &str, args: &[Node]) -> Typed {
        let loop_kind = match name {
            "all" => Some(LoopKind::All),
            "none" => Some(LoopKind::None),
            "any" => Some(LoopKind::Any),
            "one" => Some(LoopKind::One),
            "filter" => Some(LoopKind::Filter),
            "map" => Some(LoopKind::Map),
            "count" => Some(LoopKind::Count),
            "sum" => Some(LoopKind::Sum),
            "find" => Some(LoopKind::Find),
            "findIndex" => Some(LoopKind::FindIndex),
            "findLast" => Some(LoopKind::FindLast),
            "findLastIndex" => Some(LoopKind::FindLastIndex),
            "groupBy" => Some(LoopKind::GroupBy),
            "sortBy" => Some(LoopKind::SortBy),
            "reduce" => Some(LoopKind::Reduce),
            _ => None,
        };
        if let Some(kind) = loop_kind {
            return self.predicate_builtin(node, name, kind, args);
        }
        let Some(b) = Builtin::lookup(name) else {
            return self.error(node.span, format!("unknown builtin {name}"));
        };
        match b.check() {
            Check::Get => self.builtin_get(node, args),
            Check::Validate => {
                let (types, exprs, _) = self.visit_all(args);
                let types: Vec<Type> = types.into_iter().map(|t| if t.is_unknown() { Type::Any } else { t }).collect();
                match b.validate(name, &types) {
                    Ok(t) => (t.plain(), Expr::Builtin(b, exprs)),
                    Err(msg) => self.error(node.span, msg),
                }
            }
            Check::Overloads(sigs) => {
                let (types, mut exprs, spans) = self.visit_all(args);
                let mut last_err = None;
                for sig in &sigs {
                    let Type::Func(f) = sig else { continue };
                    match self.check_arguments(name, f, &types, &mut exprs, &spans, node.span) {
                        Ok(out) => return (out, Expr::Builtin(b, exprs)),
                        Err(e) => last_err = Some(e),
                    }
                }
                if self.err.is_none() {
                    self.err = last_err;
                }
                (Type::Unknown, nil_expr())
            }
        }
    }

    fn builtin_get(&mut self, node: &Node, args: &[Node]) -> Typed {
        if args.len() != 2 {
            return self.error(node.span, format!("invalid number of arguments (expected 2, got {})", args.len()));
        }
        let (base, be) = self.visit(&args[0]);
        let (prop, pe) = self.visit(&args[1]);
        let expr = Expr::Builtin(Builtin::Get, vec![be, pe]);
        if base.is_unknown() {
            return (Type::Unknown, expr);
        }
        match &base {
            Type::Slice { .. } => {
                if !prop.is_integer() && !prop.is_unknown() {
                    return self.error(args[1].span, format!("non-integer slice index {}", prop.go_name()));
                }
                (base.elem(), expr)
            }
            Type::Map { .. } => {
                if !prop.assignable_to(&base.key()) && !prop.is_unknown() {
                    let msg = format!("cannot use {} to get an element from {}", prop.go_name(), base.go_name());
                    return self.error(args[1].span, msg);
                }
                (base.elem(), expr)
            }
            _ => self.error(args[0].span, format!("type {} does not support indexing", base.go_name())),
        }
    }

    fn predicate_builtin(&mut self, node: &Node, name: &str, kind: LoopKind, args: &[Node]) -> Typed {
        let Some(first) = args.first() else {
            return self.error(node.span, format!("expected at least 2 arguments to call {name}"));
        };
        let (collection, ce) = self.visit(first);
        if !collection.is_array() && !collection.is_unknown() {
            let msg = format!("builtin {name} takes only array (got {})", collection.go_name());
            return self.error(first.span, msg);
        }
        let vars: Vec<(&'static str, Type)> = match kind {
            LoopKind::Map => vec![("index", Type::Int)],
            LoopKind::Reduce => vec![("index", Type::Int), ("acc", Type::Unknown)],
            _ => Vec::new(),
        };
        let body = match args.get(1) {
            Some(pred) => {
                self.predicates.push(PredicateScope { collection: collection.clone(), vars });
                let typed = self.visit(pred);
                self.predicates.pop();
                Some(typed)
            }
            None => None,
        };
        let extra = match args.get(2) {
            Some(n) => {
                let (t, e) = self.visit(n);
                if kind == LoopKind::SortBy && !t.is_string() && !t.is_unknown() {
                    let msg = format!("sortBy order argument must be a string (got {})", t.go_name());
                    return self.error(n.span, msg);
                }
                Some(e)
            }
            None => None,
        };
        let make = |body: Option<Expr>, extra: Option<Expr>, ce: Expr| {
            Expr::Loop(Box::new(Loop { kind, collection: ce, body, extra }))
        };
        let Some((body_t, body_e)) = body else {
            // `count(xs)` and `sum(xs)`.
            let t = match kind {
                LoopKind::Count => Type::Int,
                _ if collection.is_unknown() => Type::Unknown,
                _ => collection.elem(),
            };
            return (t, make(None, extra, ce));
        };
        let pred_span = args.get(1).map_or(node.span, |p| p.span);
        if body_t.is_nil() {
            let what = if kind == LoopKind::Reduce { "two" } else { "one" };
            return self.error(pred_span, format!("predicate should has {what} input and one output param"));
        }
        // The predicate's declared result type (`FromType`): unknown becomes interface {}.
        let out = body_t.plain();
        let needs_bool = matches!(
            kind,
            LoopKind::All
                | LoopKind::None
                | LoopKind::Any
                | LoopKind::One
                | LoopKind::Filter
                | LoopKind::Count
                | LoopKind::Find
                | LoopKind::FindLast
                | LoopKind::FindIndex
                | LoopKind::FindLastIndex
        );
        if needs_bool && !out.is_bool() && !out.is_unknown() {
            return self.error(pred_span, format!("predicate should return boolean (got {})", out.go_name()));
        }
        let t = match kind {
            LoopKind::All | LoopKind::None | LoopKind::Any | LoopKind::One => Type::Bool,
            LoopKind::Filter => {
                if collection.is_unknown() {
                    Type::slice(Type::Any)
                } else {
                    collection.elem().array_of()
                }
            }
            LoopKind::Map => body_t.array_of(),
            LoopKind::Count | LoopKind::FindIndex | LoopKind::FindLastIndex => Type::Int,
            LoopKind::Sum => out,
            LoopKind::Find | LoopKind::FindLast => {
                if collection.is_unknown() {
                    Type::Unknown
                } else {
                    collection.elem()
                }
            }
            LoopKind::GroupBy => Type::Map {
                key: Box::new(Type::Any),
                elem: Box::new(Type::slice(Type::Any)),
                refined: Some(Box::new(collection.elem().array_of())),
            },
            LoopKind::SortBy => collection.clone(),
            LoopKind::Reduce => body_t,
        };
        (t, make(Some(body_e), extra, ce))
    }

    fn let_(&mut self, node: &Node, name: &str, value: &Node, body: &Node) -> Typed {
        if name == "result" || EnvFn::lookup(name).is_some() {
            return self.error(node.span, format!("cannot redeclare {name}"));
        }
        if BUILTINS.contains(&name) {
            return self.error(node.span, format!("cannot redeclare builtin {name}"));
        }
        if self.vars.iter().any(|(n, _, _)| n == name) {
            return self.error(node.span, format!("cannot redeclare variable {name}"));
        }
        let (vt, ve) = self.visit(value);
        let slot = self.slots;
        self.slots += 1;
        self.vars.push((name.to_string(), vt, slot));
        let (bt, be) = self.visit(body);
        self.vars.pop();
        (bt, Expr::Let(slot, Box::new(ve), Box::new(be)))
    }

    fn conditional(&mut self, cond: &Node, then: &Node, otherwise: &Node) -> Typed {
        let (c, ce) = self.visit(cond);
        if !c.is_bool() && !c.is_unknown() {
            return self.error(cond.span, format!("non-bool expression (type {}) used as condition", c.go_name()));
        }
        let (t1, e1) = self.visit(then);
        let (t2, e2) = self.visit(otherwise);
        let t = if t1.is_nil() && !t2.is_nil() {
            t2
        } else if !t1.is_nil() && t2.is_nil() {
            t1
        } else if t1.is_nil() && t2.is_nil() {
            Type::Nil
        } else if t1.assignable_to(&t2) {
            if t1.is_array() && t2.is_array() {
                let (a, b) = (t1.elem(), t2.elem());
                if !a.assignable_to(&b) || !b.assignable_to(&a) { Type::slice(Type::Any) } else { t1 }
            } else {
                t1
            }
        } else {
            Type::Unknown
        };
        (t, Expr::Cond(Box::new(ce), Box::new(e1), Box::new(e2)))
    }
}

/// expr's `traverseAndReplaceIntegerNodesWithFloatNodes`: integer literals passed where a
/// float is expected become floats (`isNaN(1)`), through `-x` and `+ - *`.
fn int_literals_to_float(e: &mut Expr) {
    match e {
        Expr::Const(Value::Int(i)) => *e = Expr::Const(Value::Float(*i as f64)),
        Expr::Negate(inner) => int_literals_to_float(inner),
        Expr::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul, l, r) => {
            int_literals_to_float(l);
            int_literals_to_float(r);
        }
        _ => {}
    }
}
