//! `strconv.FormatFloat(f, fmt, prec, 64)` and the two wrappers Go builds on
//! it: `fmt`'s `%v` and `encoding/json`'s float encoder.
//!
//! Go first turns the float into decimal digits (shortest round-trip digits
//! for `prec < 0`, otherwise correctly rounded digits, ties to even) and then
//! lays those digits out. Rust's own float formatting produces the same
//! digits — shortest round-trip for `{:e}`, exact with ties to even for
//! `{:.N}` and `{:.Ne}` — so we take digits from it and only re-implement
//! Go's layout rules.

/// Decimal digits of `|f|` as Go's `decimalSlice`: the value is
/// `0.d[0]d[1]... × 10^dp`, with no trailing zeros; zero has no digits and
/// `dp == 0`.
struct Digits {
    d: Vec<u8>,
    dp: i64,
}

impl Digits {
    fn nd(&self) -> i64 {
        i64::try_from(self.d.len()).unwrap_or(i64::MAX)
    }

    /// Digit `i`, or `'0'` outside the stored digits (Go pads with zeros).
    fn at(&self, i: i64) -> u8 {
        usize::try_from(i).ok().and_then(|i| self.d.get(i).copied()).unwrap_or(b'0')
    }

    /// Parses Rust's exponent form (`"1.2345e-7"`, `"0e0"`).
    fn from_exp_form(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let d: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        Digits { d, dp: exp + 1 }.normalized()
    }

    /// Parses Rust's fixed form (`"123.4500"`, `"0.0012"`).
    fn from_fixed_form(s: &str) -> Digits {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut d: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let mut dp = i64::try_from(int.len()).unwrap_or(i64::MAX);
        let leading = d.iter().take_while(|&&c| c == b'0').count();
        d.drain(..leading);
        dp -= i64::try_from(leading).unwrap_or(0);
        Digits { d, dp }.normalized()
    }

    /// Drops trailing zeros and canonicalises zero, as Go's `trim` does.
    fn normalized(mut self) -> Digits {
        while self.d.last() == Some(&b'0') {
            self.d.pop();
        }
        if self.d.is_empty() {
            self.dp = 0;
        }
        self
    }
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)`.
///
/// `fmt` is one of `'e'`, `'E'`, `'f'`, `'g'`, `'G'`, `'b'`, `'x'`, `'X'`;
/// `prec` is the number of digits after the point (`e`, `f`, `x`) or of
/// significant digits (`g`), and `-1` asks for the fewest digits that
/// round-trip. NaN is `NaN`, infinities are `+Inf`/`-Inf`, negative zero keeps
/// its sign. Any other `fmt` yields `%` followed by it, as in Go.
pub fn format_float(f: f64, fmt: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-Inf" } else { "+Inf" }.to_owned();
    }
    let neg = f.is_sign_negative();
    let prec = i64::from(prec);
    match fmt {
        'b' => fmt_b(neg, f),
        'x' | 'X' => fmt_x(neg, f, prec, fmt),
        'e' | 'E' | 'f' | 'g' | 'G' => format_decimal(neg, f.abs(), fmt, prec),
        other => format!("%{other}"),
    }
}

/// What Go's `fmt` prints for a `float64` with `%v`.
///
/// `%v` is `strconv.FormatFloat(f, 'g', -1, 64)` passed through `fmt`'s sign
/// handling, which keeps the `+` of `+Inf`, drops nothing else, and already
/// has two-digit exponents (`1e+06`, `1e-05`).
pub fn fmt_v_float(f: f64) -> String {
    format_float(f, 'g', -1)
}

/// `encoding/json`'s encoding of a `float64`, or `None` where Go's encoder
/// fails (`json: unsupported value`) for NaN and infinities.
///
/// Like ES6 `Number.prototype.toString`: shortest digits in plain notation
/// unless `|f| < 1e-6` or `|f| >= 1e21`, which use exponent notation with a
/// one-digit negative exponent where possible (`1e-7`, not `1e-07`).
pub fn json_float(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let abs = f.abs();
    let exp_form = abs != 0.0 && !(1e-6..1e21).contains(&abs);
    let mut s = format_float(f, if exp_form { 'e' } else { 'f' }, -1);
    if exp_form {
        // Go rewrites a trailing "e-0D" as "e-D"; positive exponents keep
        // their two digits.
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    Some(s)
}

fn format_decimal(neg: bool, abs: f64, fmt: char, prec: i64) -> String {
    let shortest = prec < 0;
    let (digs, prec) = if shortest {
        let digs = Digits::from_exp_form(&format!("{abs:e}"));
        let prec = match fmt {
            'e' | 'E' => (digs.nd() - 1).max(0),
            'f' => (digs.nd() - digs.dp).max(0),
            _ => digs.nd(),
        };
        (digs, prec)
    } else {
        match fmt {
            'f' => (Digits::from_fixed_form(&format!("{abs:.*}", to_usize(prec))), prec),
            'e' | 'E' => (Digits::from_exp_form(&format!("{abs:.*e}", to_usize(prec))), prec),
            _ => {
                // %g counts significant digits, and zero of them means one.
                let prec = prec.max(1);
                (Digits::from_exp_form(&format!("{abs:.*e}", to_usize(prec - 1))), prec)
            }
        }
    };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    match fmt {
        'e' | 'E' => fmt_e(&mut out, &digs, prec, fmt),
        'f' => fmt_f(&mut out, &digs, prec),
        _ => fmt_g(&mut out, &digs, prec, shortest, fmt),
    }
    out
}

/// Go's choice between `%e` and `%f` for `%g`.
fn fmt_g(out: &mut String, digs: &Digits, prec: i64, shortest: bool, fmt: char) {
    let nd = digs.nd();
    let mut eprec = prec;
    if eprec > nd && nd >= digs.dp {
        eprec = nd;
    }
    // With shortest digits Go decides as if the precision were 6, which is
    // why 100000 prints plainly but 1e+06 does not.
    if shortest {
        eprec = 6;
    }
    let exp = digs.dp - 1;
    if exp < -4 || exp >= eprec {
        let prec = prec.min(nd);
        let efmt = if fmt == 'G' { 'E' } else { 'e' };
        fmt_e(out, digs, prec - 1, efmt);
    } else {
        let prec = if prec > digs.dp { nd } else { prec };
        fmt_f(out, digs, (prec - digs.dp).max(0));
    }
}

/// `-d.dddde±dd`
fn fmt_e(out: &mut String, digs: &Digits, prec: i64, fmt: char) {
    out.push(char::from(digs.at(0)));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(digs.at(i)));
        }
    }
    out.push(fmt);
    let exp = if digs.d.is_empty() { 0 } else { digs.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

/// `-ddddddd.ddddd`
fn fmt_f(out: &mut String, digs: &Digits, prec: i64) {
    if digs.dp > 0 {
        for i in 0..digs.dp {
            out.push(char::from(digs.at(i)));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            out.push(char::from(digs.at(digs.dp + i)));
        }
    }
}

/// Go's `%b`: decimal mantissa, `p`, binary exponent (`-4503599627370496p-52`).
fn fmt_b(neg: bool, f: f64) -> String {
    let (mant, exp) = mantissa_exponent(f);
    let exp = exp - 52;
    let sign = if neg { "-" } else { "" };
    let esign = if exp >= 0 { "+" } else { "" };
    format!("{sign}{mant}p{esign}{exp}")
}

/// Go's `%x`/`%X`: hexadecimal mantissa `0x1.yyyp±dd`, rounded to `prec`
/// hex digits when `0 <= prec < 15` (ties to even).
fn fmt_x(neg: bool, f: f64, prec: i64, fmt: char) -> String {
    let (mut mant, mut exp) = mantissa_exponent(f);
    if mant == 0 {
        exp = 0;
    }
    // Shift so the leading 1 (if any) sits at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = u32::try_from(prec * 4).unwrap_or(0);
        let extra = mant.wrapping_shl(shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant = mant.wrapping_shl(60 - shift);
        if mant & (1 << 61) != 0 {
            // Rounding carried into a new leading digit.
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if fmt == 'X' { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let hex_digit = |m: u64| char::from(hex.get(((m >> 60) & 15) as usize).copied().unwrap_or(b'0'));
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push('0');
    out.push(fmt);
    out.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4; // drop the leading digit
    if prec < 0 && mant != 0 {
        out.push('.');
        while mant != 0 {
            out.push(hex_digit(mant));
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push('.');
        for _ in 0..prec {
            out.push(hex_digit(mant));
            mant <<= 4;
        }
    }
    out.push(if fmt == 'X' { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.unsigned_abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

/// Mantissa with the implicit bit and unbiased exponent, as Go's
/// `genericFtoa` computes them (denormals get exponent -1022).
fn mantissa_exponent(f: f64) -> (u64, i64) {
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    let exp = if biased == 0 {
        1 - 1023
    } else {
        mant |= 1 << 52;
        biased - 1023
    };
    (mant, exp)
}

/// Precisions are bounded by the `i32` API, so this never saturates in
/// practice; it keeps huge requests from wrapping.
fn to_usize(v: i64) -> usize {
    usize::try_from(v).unwrap_or(0)
}
