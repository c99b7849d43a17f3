#!/usr/bin/env bash
# Builds the example plugins and the plugin host's test fixtures into one directory:
#   examples/plugins/build.sh [OUT_DIR]      (default: $CARGO_TARGET_DIR/plugins, else target/plugins)
#
# Rust plugins: Debian's rustc-web 1.96 with -Zbuild-std (shared/spec/wasm-guest-toolchain.md),
# each from its own directory so that its .cargo/config.toml applies. C: Debian clang + wasi-libc.
# WAT fixtures: wabt's wat2wasm. The packages are installed by .ci/run (see the README).
# RUSTC and RUSTC_BOOTSTRAP are set for the guest builds only: host builds keep rustup's 1.95.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-${CARGO_TARGET_DIR:-$root/target}/plugins}"
guest_target="${AUGUR_GUEST_TARGET_DIR:-$HOME/.cache/augur/target-wasm-guest}"
mkdir -p "$out"

for tool in /usr/bin/rustc /usr/bin/cargo clang wat2wasm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build.sh: $tool is missing: apt-get install rustc-web cargo-web rust-web-src rust-web-llvm lld-22 clang lld libclang-rt-14-dev-wasm32 wasi-libc wabt" >&2
    exit 1
  fi
done

# Copies atomically, so that concurrent test binaries never load a half-written module.
install_wasm() {
  cp "$1" "$out/.$2.tmp.$$" && mv -f "$out/.$2.tmp.$$" "$out/$2"
}

for crate in examples/plugins/prometheus-lite examples/plugins/two-step providers/tests/plugins/faulty; do
  (cd "$root/$crate" && env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build -q --locked --release \
    --target-dir "$guest_target")
  name="$(basename "$crate" | tr - _).wasm"
  install_wasm "$guest_target/wasm32-unknown-unknown/release/$name" "$name"
done

clang --target=wasm32-wasi -O2 -Wall -Werror -mexec-model=reactor \
  -o "$out/.c_web.wasm.tmp.$$" "$root/examples/plugins/c-web/c_web.c"
mv -f "$out/.c_web.wasm.tmp.$$" "$out/c_web.wasm"

for wat in wrong-abi dual-abi; do
  name="$(echo "$wat" | tr - _).wasm"
  wat2wasm "$root/providers/tests/plugins/$wat.wat" -o "$out/.$name.tmp.$$"
  mv -f "$out/.$name.tmp.$$" "$out/$name"
done

echo "$out"
