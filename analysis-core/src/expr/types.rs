//! Static types as expr's checker sees them (its `Nature`), reduced to the Go types that can
//! occur in an Argo condition.
//!
//! expr type-checks against Go reflection types. Compatibility hinges on the details: a JSON
//! member is `interface {}` (checked at run time), a Prometheus vector is `[]float64` (checked
//! at compile time), a null result is the `nil` nature (neither unknown nor any type). Each rule
//! here names the expr function it mirrors.

/// Go's `reflect.Kind`, for the types modelled here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Invalid,
    Bool,
    Int,
    Int64,
    Uint8,
    Float64,
    String,
    Struct,
    Ptr,
    Interface,
    Slice,
    Map,
    Func,
}

/// A static type (expr's `Nature`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Type {
    /// No type information (`Nature{}`): anything goes, checked at run time.
    Unknown,
    /// The nil literal or a null `result` (`Nature{Nil: true}`).
    Nil,
    /// `interface {}`.
    Any,
    Bool,
    /// Go `int`.
    Int,
    /// Go `int64` (what `asInt` returns).
    Int64,
    /// Go `uint8` (elements of a bytes literal).
    Uint8,
    /// Go `float64`.
    Float,
    String,
    /// `time.Time`.
    Time,
    /// `time.Duration`.
    Duration,
    /// `time.Month` (an `int` kind, but not one of Go's builtin integer types).
    Month,
    /// `time.Weekday`.
    Weekday,
    /// `*time.Location`.
    Location,
    /// A named non-empty interface, such as `error` (only in function signatures).
    Named(&'static str),
    /// A Go slice type `[]elem`, plus expr's refinement of the element nature (`Ref`), which
    /// array literals, ranges and `map()` carry while their Go type stays `[]interface {}`.
    Slice {
        elem: Box<Type>,
        refined: Option<Box<Type>>,
    },
    /// A Go map type, plus a refined element nature (used by `groupBy`).
    Map {
        key: Box<Type>,
        elem: Box<Type>,
        refined: Option<Box<Type>>,
    },
    /// A function: an environment function, a built-in referenced by name, or a predicate.
    Func(Box<FuncType>),
}

/// A Go function signature.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FuncType {
    pub params: Vec<Type>,
    pub variadic: bool,
    pub out: Vec<Type>,
}

/// Checks of expr's `Nature.IsAnyOf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    Bool,
    String,
    Integer,
    Number,
    Map,
    Array,
    Time,
    Duration,
}

impl Type {
    pub fn slice(elem: Type) -> Type {
        Type::Slice { elem: Box::new(elem), refined: None }
    }

    /// `[]interface {}` whose elements are known to be `elem` (expr's `ArrayFromType`).
    pub fn any_slice_of(elem: Type) -> Type {
        Type::Slice { elem: Box::new(Type::Any), refined: Some(Box::new(elem)) }
    }

    pub fn map_string_any() -> Type {
        Type::Map { key: Box::new(Type::String), elem: Box::new(Type::Any), refined: None }
    }

    pub fn func(params: Vec<Type>, out: Type) -> Type {
        Type::Func(Box::new(FuncType { params, variadic: false, out: vec![out] }))
    }

    pub fn kind(&self) -> Kind {
        match self {
            Type::Unknown | Type::Nil => Kind::Invalid,
            Type::Any => Kind::Interface,
            Type::Bool => Kind::Bool,
            Type::Int => Kind::Int,
            Type::Int64 | Type::Duration => Kind::Int64,
            Type::Month | Type::Weekday => Kind::Int,
            Type::Uint8 => Kind::Uint8,
            Type::Float => Kind::Float64,
            Type::String => Kind::String,
            Type::Time => Kind::Struct,
            Type::Location => Kind::Ptr,
            Type::Named(_) => Kind::Interface,
            Type::Slice { .. } => Kind::Slice,
            Type::Map { .. } => Kind::Map,
            Type::Func(_) => Kind::Func,
        }
    }

    /// Go's spelling of the type (`reflect.Type.String()`), or `unknown` without a type.
    pub fn go_name(&self) -> String {
        match self {
            Type::Unknown | Type::Nil => "unknown".into(),
            Type::Any => "interface {}".into(),
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Int64 => "int64".into(),
            Type::Uint8 => "uint8".into(),
            Type::Float => "float64".into(),
            Type::String => "string".into(),
            Type::Time => "time.Time".into(),
            Type::Duration => "time.Duration".into(),
            Type::Month => "time.Month".into(),
            Type::Weekday => "time.Weekday".into(),
            Type::Location => "*time.Location".into(),
            Type::Named(n) => (*n).into(),
            Type::Slice { elem, .. } => format!("[]{}", elem.go_name()),
            Type::Map { key, elem, .. } => format!("map[{}]{}", key.go_name(), elem.go_name()),
            Type::Func(f) => {
                let params: Vec<String> = f
                    .params
                    .iter()
                    .enumerate()
                    .map(|(i, p)| match p {
                        Type::Slice { elem, .. } if f.variadic && i + 1 == f.params.len() => {
                            format!("...{}", elem.go_name())
                        }
                        p => p.go_name(),
                    })
                    .collect();
                let out: Vec<String> = f.out.iter().map(Type::go_name).collect();
                match out.len() {
                    0 => format!("func({})", params.join(", ")),
                    1 => format!("func({}) {}", params.join(", "), out[0]),
                    _ => format!("func({}) ({})", params.join(", "), out.join(", ")),
                }
            }
        }
    }

    /// The type without expr's refinements (`FromType(n.Type)`).
    pub fn plain(&self) -> Type {
        match self {
            Type::Unknown => Type::Any,
            Type::Slice { elem, .. } => Type::Slice { elem: elem.clone(), refined: None },
            Type::Map { key, elem, .. } => Type::Map { key: key.clone(), elem: elem.clone(), refined: None },
            t => t.clone(),
        }
    }

    /// `IsUnknown`: no type, or the empty interface.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Type::Unknown | Type::Any)
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Type::Nil)
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Type::Int | Type::Int64 | Type::Uint8)
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Type::Float)
    }

    pub fn is_number(&self) -> bool {
        self.is_integer() || self.is_float()
    }

    pub fn is_bool(&self) -> bool {
        matches!(self, Type::Bool)
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Type::String)
    }

    pub fn is_time(&self) -> bool {
        matches!(self, Type::Time)
    }

    pub fn is_duration(&self) -> bool {
        matches!(self, Type::Duration)
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Type::Slice { .. })
    }

    pub fn is_map(&self) -> bool {
        matches!(self, Type::Map { .. })
    }

    pub fn is_struct(&self) -> bool {
        matches!(self, Type::Time)
    }

    pub fn is_bytes(&self) -> bool {
        matches!(self, Type::Slice { elem, .. } if **elem == Type::Uint8)
    }

    pub fn is_any_of(&self, checks: &[Check]) -> bool {
        checks.iter().any(|c| match c {
            Check::Bool => self.is_bool(),
            Check::String => self.is_string(),
            Check::Integer => self.is_integer(),
            Check::Number => self.is_number(),
            Check::Map => self.is_map(),
            Check::Array => self.is_array(),
            Check::Time => self.is_time(),
            Check::Duration => self.is_duration(),
        })
    }

    /// `Elem`: the element nature of a slice or map (the refinement when there is one).
    pub fn elem(&self) -> Type {
        match self {
            Type::Slice { elem, refined } | Type::Map { elem, refined, .. } => match refined {
                Some(r) => (**r).clone(),
                None => elem.plain(),
            },
            _ => Type::Unknown,
        }
    }

    /// `Key`: the key type of a map.
    pub fn key(&self) -> Type {
        match self {
            Type::Map { key, .. } => key.plain(),
            _ => Type::Unknown,
        }
    }

    /// Go type identity, ignoring expr's refinements.
    fn same_go_type(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::Slice { elem: a, .. }, Type::Slice { elem: b, .. }) => a.same_go_type(b),
            (Type::Map { key: ka, elem: ea, .. }, Type::Map { key: kb, elem: eb, .. }) => {
                ka.same_go_type(kb) && ea.same_go_type(eb)
            }
            (Type::Func(a), Type::Func(b)) => {
                a.variadic == b.variadic
                    && a.params.len() == b.params.len()
                    && a.out.len() == b.out.len()
                    && a.params.iter().zip(&b.params).all(|(x, y)| x.same_go_type(y))
                    && a.out.iter().zip(&b.out).all(|(x, y)| x.same_go_type(y))
            }
            (a, b) => a == b,
        }
    }

    /// `AssignableTo`.
    pub fn assignable_to(&self, target: &Type) -> bool {
        if self.is_nil() && matches!(target.kind(), Kind::Ptr | Kind::Interface | Kind::Func | Kind::Map | Kind::Slice)
        {
            return true;
        }
        if matches!(self, Type::Unknown | Type::Nil) || matches!(target, Type::Unknown | Type::Nil) {
            return false;
        }
        if self.kind() != target.kind() && target.kind() != Kind::Interface {
            return false;
        }
        *target == Type::Any || self.same_go_type(target)
    }

    /// `ComparableTo`: may `==` be applied?
    pub fn comparable_to(&self, rhs: &Type) -> bool {
        self.is_unknown()
            || rhs.is_unknown()
            || self.is_nil()
            || rhs.is_nil()
            || (self.is_number() && rhs.is_number())
            || (self.is_duration() && rhs.is_duration())
            || (self.is_time() && rhs.is_time())
            || (self.is_array() && rhs.is_array())
            || self.assignable_to(rhs)
    }

    /// `MaybeCompatible`: one side unknown and the other passes one of `checks`.
    pub fn maybe_compatible(&self, rhs: &Type, checks: &[Check]) -> bool {
        let (l, r) = (self.is_unknown(), rhs.is_unknown());
        (l && (r || rhs.is_any_of(checks))) || (r && self.is_any_of(checks))
    }

    /// `PromoteNumericNature`.
    pub fn promote_numeric(&self, rhs: &Type) -> Type {
        if self.is_unknown() || rhs.is_unknown() {
            Type::Unknown
        } else if self.is_float() || rhs.is_float() {
            Type::Float
        } else {
            Type::Int
        }
    }

    /// `MakeArrayOf`: `[]interface {}` refined to this element nature.
    pub fn array_of(self) -> Type {
        Type::any_slice_of(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_go() {
        assert_eq!(Type::slice(Type::Float).go_name(), "[]float64");
        assert_eq!(Type::map_string_any().go_name(), "map[string]interface {}");
        assert_eq!(Type::func(vec![Type::Any], Type::Bool).go_name(), "func(interface {}) bool");
        assert_eq!(Type::Nil.go_name(), "unknown");
    }

    #[test]
    fn assignability() {
        assert!(Type::Float.assignable_to(&Type::Any));
        assert!(!Type::Int.assignable_to(&Type::Float));
        assert!(Type::Nil.assignable_to(&Type::Any));
        assert!(!Type::Nil.assignable_to(&Type::Float));
        assert!(Type::any_slice_of(Type::Int).assignable_to(&Type::slice(Type::Any)));
        assert!(!Type::Unknown.assignable_to(&Type::Any));
    }
}
