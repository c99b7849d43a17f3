//! Reading a response body with a bound, for the providers that read whole answers.
//!
//! Argo reads bodies with `io.ReadAll`, without limit. Augur stops at [`MAX_BODY_BYTES`]:
//! a body that large is a misconfigured endpoint, and holding it (and then a measurement
//! value of its size) would risk the process that runs every analysis.

use crate::error::{FetchError, FetchErrorKind};

/// The largest response body read: 64 MiB.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// The whole body of `response`. A read failure keeps Argo's text
/// (`Received no bytes in response: <error>`); a body over [`MAX_BODY_BYTES`] is a
/// [`FetchErrorKind::Decode`] error. `target` describes the request for messages.
pub async fn read_limited(mut response: reqwest::Response, target: &str) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(FetchError::new(
                        FetchErrorKind::Decode,
                        format!("response body is larger than {} MiB", MAX_BODY_BYTES >> 20),
                        target,
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                let mut e = FetchError::from_transport(e, target);
                e.message = format!("Received no bytes in response: {}", e.message);
                return Err(e);
            }
        }
    }
}
