//! Go standard-library semantics that Argo's observable behaviour depends on: duration
//! strings (`time.ParseDuration`), time layouts (`time.Parse`, `Time.Format`), number and
//! string formatting (`strconv`, `fmt`), and JSON encoding (`encoding/json`).
//!
//! Argo writes Go-formatted text into AnalysisRun status (`"value": "0.0003332881882246533"`,
//! `"message": "time: invalid duration \"5x\""`), and users diff against it, so these are
//! reimplemented to the byte rather than approximated with Rust's formatting.

pub mod base64;
pub mod duration;
pub mod gofmt;
pub mod json;
pub mod json_decode;
pub mod time;
