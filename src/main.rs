//! The `augur` command-line tool.

mod cli;

fn main() -> std::process::ExitCode {
    // One TLS crypto provider (ring), installed before anything builds a TLS client.
    #[cfg(feature = "providers")]
    augur_providers::http::install_crypto_provider();
    cli::main()
}
