//! A plugin that misbehaves as its configuration says (`behave`), to test the host's sandbox:
//!
//! * `loop`: never returns;
//! * `bomb`: allocates until the memory cap;
//! * `trap`: panics (a trap, with `panic = "abort"`);
//! * `malformed`: answers bytes that are not JSON;
//! * `bad-pointer`: answers a pointer outside its memory;
//! * `fetch`: asks for a GET of `config.url` (with `config.auth` as the auth profile) and
//!   answers the response (status and body) as its value;
//! * `echo` (default): answers `config.payload` as its value.
//!
//! It writes its exports by hand (not with `export_plugin!`) so that it can break the ABI.

use augur_plugin_sdk::{Describe, HttpRequest, Json, Plugin, StepInput, StepOutput, guest, json, serde_json};

#[derive(Default)]
struct Faulty;

impl Plugin for Faulty {
    fn describe(&self) -> Describe {
        Describe { abi: 1, name: "test/faulty".into(), version: "0.1.0".into(), ..Default::default() }
    }

    fn step(&self, input: StepInput) -> StepOutput {
        match input.config.get("behave").and_then(Json::as_str).unwrap_or("echo") {
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
                    let url = input.config.get("url").and_then(Json::as_str).unwrap_or_default();
                    let mut request = HttpRequest::get(url);
                    request.auth = input.config.get("auth").and_then(Json::as_str).map(String::from);
                    StepOutput::Requests { requests: vec![request], state: Json::Null }
                }
                Some(r) => StepOutput::done(json!({"status": r.status, "body": r.body, "error": r.error})),
            },
            _ => StepOutput::done(input.config.get("payload").cloned().unwrap_or(Json::Null)),
        }
    }
}

static mut OUTPUT: Vec<u8> = Vec::new();

fn respond(bytes: Vec<u8>) -> i64 {
    // SAFETY: single-threaded guest, one call at a time.
    let out = unsafe { &mut *core::ptr::addr_of_mut!(OUTPUT) };
    *out = bytes;
    (((out.as_ptr() as u32 as u64) << 32) | out.len() as u32 as u64) as i64
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
    respond(guest::describe_bytes::<Faulty>())
}

/// # Safety
/// The host passes a buffer from `augur_alloc(len)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn augur_step(ptr: i32, len: i32) -> i64 {
    let input = unsafe { Vec::from_raw_parts(ptr as *mut u8, len as usize, len as usize) };
    let behave = serde_json::from_slice::<Json>(&input)
        .ok()
        .and_then(|v| v.pointer("/config/behave").and_then(Json::as_str).map(String::from));
    match behave.as_deref() {
        Some("malformed") => respond(b"{\"result\": \"done\", \"value\": [1, 2".to_vec()),
        Some("bad-pointer") => (0x7fff_0000_i64 << 32) | 16,
        _ => respond(guest::step_bytes::<Faulty>(&input)),
    }
}
