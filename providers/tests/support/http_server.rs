//! A real HTTP/1.1 server (hyper) on 127.0.0.1 for provider tests: it records every request
//! and answers with what the test's handler says, optionally after a delay.

#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    /// Path and query string.
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl SeenRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect()
    }

    /// The path, without the query string.
    pub fn path(&self) -> &str {
        self.uri.split('?').next().unwrap_or_default()
    }
}

/// What the handler answers: status, headers, body, and a delay before answering.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    /// A reply without a content type.
    pub fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply { status, headers: Vec::new(), body: body.into().into_bytes(), delay: Duration::ZERO }
    }

    /// With one more header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Handler = Arc<dyn Fn(&SeenRequest) -> Reply + Send + Sync>;

/// The running server; it stops when the test's runtime ends.
pub struct TestServer {
    pub address: String,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
}

impl TestServer {
    /// Starts the server on a free port of 127.0.0.1 (call inside a tokio runtime).
    pub async fn start(handler: impl Fn(&SeenRequest) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::serve(handler, None).await
    }

    /// [`TestServer::start`] over TLS, with a fresh self-signed certificate for 127.0.0.1
    /// (made with the `openssl` command): a client that verifies certificates refuses it.
    pub async fn start_tls(handler: impl Fn(&SeenRequest) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::serve(handler, Some(self_signed_acceptor())).await
    }

    async fn serve(
        handler: impl Fn(&SeenRequest) -> Reply + Send + Sync + 'static,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let address = format!("{scheme}://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let state = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let state = state.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let handler = handler.clone();
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(answer(req, &handler, &state).await) }
                    });
                    let connection = http1::Builder::new();
                    match tls {
                        None => {
                            let _ = connection.serve_connection(TokioIo::new(stream), service).await;
                        }
                        Some(tls) => {
                            // A client that refuses the certificate ends the handshake here.
                            if let Ok(stream) = tls.accept(stream).await {
                                let _ = connection.serve_connection(TokioIo::new(stream), service).await;
                            }
                        }
                    }
                });
            }
        });
        TestServer { address, seen }
    }

    /// `<address><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `127.0.0.1:<port>`.
    pub fn host(&self) -> &str {
        self.address.trim_start_matches("http://")
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn answer(req: Request<Incoming>, handler: &Handler, seen: &Mutex<Vec<SeenRequest>>) -> Response<Full<Bytes>> {
    let method = req.method().to_string();
    let uri = req.uri().to_string();
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let request = SeenRequest { method, uri, headers, body: String::from_utf8_lossy(&body).into_owned() };
    let reply = handler(&request);
    if let Ok(mut s) = seen.lock() {
        s.push(request);
    }
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = Response::builder().status(reply.status);
    for (k, v) in &reply.headers {
        response = response.header(k, v);
    }
    response.body(Full::new(Bytes::from(reply.body))).unwrap_or_default()
}

/// A TLS acceptor with a self-signed certificate for 127.0.0.1, made by `openssl`.
fn self_signed_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    augur_providers::http::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl could not make a certificate");
    let cert = CertificateDer::from_pem_file(&cert).expect("certificate PEM");
    let key = PrivateKeyDer::from_pem_file(&key).expect("key PEM");
    let config =
        rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(vec![cert], key).expect("TLS config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}
