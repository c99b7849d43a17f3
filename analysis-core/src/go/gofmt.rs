//! Go's number and string formatting: `strconv.FormatFloat`, `fmt`'s `%v`
//! for `float64`, `encoding/json`'s float encoding and the two quoting
//! functions Go uses in messages (`strconv.Quote` and the `time` package's
//! private `quote`).

mod float;
mod isprint_table;
mod quote;

pub use float::{fmt_v_float, format_float, json_float};
pub use quote::{is_print, quote, quote_bytes, time_quote};

/// The Unicode version of the printability table behind [`is_print`] and
/// [`quote`]; Go 1.21 through 1.26 use the same version.
pub const UNICODE_VERSION: &str = isprint_table::UNICODE_VERSION;
