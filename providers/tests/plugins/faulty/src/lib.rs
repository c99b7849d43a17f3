//! A plugin that misbehaves as its configuration says (`behave`), to test the host's sandbox:
//!
//! * `loop`: never returns;
//! * `bomb`: allocates until the memory cap;
//! * `trap`: panics (a trap, with `panic = "abort"`);
//! * `malformed`: answers bytes that are not JSON;
//! * `bad-pointer`: answers a pointer outside its memory;
//! * `fetch`: asks for a GET of `config.url` (with `config.auth` as the auth profile) and
//!   answers the response (status and body) as its value;
//! * `echo` (default): answers `config.payload` as its value, as text (the benchmark's case:
//!   the input and the configuration are each decoded once, as the SDK's own glue does).
//!
//! It writes its exports by hand (not with `export_plugin!`) so that it can break the ABI.

use augur_plugin_sdk::serde_json::value::RawValue;
use augur_plugin_sdk::{HttpRequest, Json, RawJson, StepInput, StepOutput, guest, json, serde_json};

#[derive(serde::Deserialize, Default)]
struct Config {
    #[serde(default)]
    behave: Option<String>,
    #[serde(default)]
    url: String,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    payload: Option<Box<RawValue>>,
}

fn step(input: &StepInput, config: &Config) -> StepOutput {
    match config.behave.as_deref().unwrap_or("echo") {
        "loop" => {
            let mut i: u64 = 0;
            loop {
                i = core::hint::black_box(i.wrapping_add(1));
            }
        }
        "bomb" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
                core::hint::black_box(&hoard);
            }
        }
        "trap" => panic!("faulty plugin: asked to trap"),
        "fetch" => match input.responses.first() {
            None => {
                let mut request = HttpRequest::get(&config.url);
                request.auth = config.auth.clone();
                StepOutput::Requests { requests: vec![request], state: Json::Null }
            }
            Some(r) => StepOutput::done(json!({"status": r.status, "body": r.body, "error": r.error})),
        },
        _ => StepOutput::Done {
            value: config.payload.as_ref().and_then(|p| RawJson::from_text(p.get().to_string()).ok()).unwrap_or_default(),
            result_type: None,
            metadata: Default::default(),
        },
    }
}

static mut OUTPUT: Vec<u8> = Vec::new();

fn respond(bytes: Vec<u8>) -> i64 {
    // SAFETY: single-threaded guest, one call at a time.
    let out = unsafe { &mut *core::ptr::addr_of_mut!(OUTPUT) };
    *out = bytes;
    (((out.as_ptr() as u32 as u64) << 32) | out.len() as u32 as u64) as i64
}

fn encode(output: &StepOutput) -> Vec<u8> {
    serde_json::to_vec(output).unwrap_or_default()
}

#[unsafe(no_mangle)]
pub extern "C" fn augur_abi_version() -> i32 {
    1
}

#[unsafe(no_mangle)]
pub extern "C" fn augur_alloc(len: i32) -> i32 {
    guest::alloc(len)
}

#[unsafe(no_mangle)]
pub extern "C" fn augur_describe() -> i64 {
    respond(br#"{"abi":1,"name":"test/faulty","version":"0.1.0"}"#.to_vec())
}

/// # Safety
/// The host passes a buffer from `augur_alloc(len)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn augur_step(ptr: i32, len: i32) -> i64 {
    let bytes = unsafe { Vec::from_raw_parts(ptr as *mut u8, len as usize, len as usize) };
    let input: StepInput = match serde_json::from_slice(&bytes) {
        Ok(i) => i,
        Err(e) => return respond(encode(&StepOutput::error(e.to_string()))),
    };
    drop(bytes);
    let config: Config = input.config.parse().unwrap_or_default();
    match config.behave.as_deref() {
        Some("malformed") => respond(b"{\"result\": \"done\", \"value\": [1, 2".to_vec()),
        Some("bad-pointer") => (0x7fff_0000_i64 << 32) | 16,
        _ => respond(encode(&step(&input, &config))),
    }
}
