//! C ABI conformance of the library's exports.
//!
//! 1. The checked-in cbindgen header equals a fresh run of the pinned
//!    cbindgen (`UPDATE_HEADER=1 cargo test --test abi` rewrites it).
//! 2. tests/abi/conformance.c, which includes the reference headers of
//!    Zephyr's documented API and then the generated header, compiles with
//!    `-Wall -Wextra -Werror` for 64- and 32-bit, with and without cooked
//!    mode: a drifted prototype, slot type or layout is an error.
//! 3. That check has teeth: the same file fails with a header whose
//!    prototype drifted.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    root().join("include/net_capture_rs.h")
}

fn generate_header() -> String {
    let config = cbindgen::Config::from_file(root().join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root())
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).expect("header is UTF-8")
}

#[test]
fn checked_in_header_matches_the_pinned_cbindgen() {
    let fresh = generate_header();
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(header_path(), &fresh).expect("write header");
    }
    let checked_in = std::fs::read_to_string(header_path()).expect("read header");
    assert!(
        checked_in == fresh,
        "include/net_capture_rs.h is stale: run `UPDATE_HEADER=1 cargo test --test abi` \
         and commit the result"
    );
}

/// Compiles conformance.c against `header_dir`; returns the compiler's
/// diagnostics on failure.
fn compile(header_dir: &Path, bits: u32, cooked: bool) -> Result<(), String> {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let object = out_dir.join(format!("conformance-{bits}-{cooked}.o"));
    let mut command = Command::new(&compiler);
    command
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic-errors",
        ])
        .arg(format!("-m{bits}"))
        .args(["-DCONFIG_NET_CAPTURE=1", "-DCONFIG_NET_CAPTURE_RS=1"])
        .arg("-I")
        .arg(root().join("tests/abi/include"))
        .arg("-I")
        .arg(header_dir)
        .arg("-c")
        .arg(root().join("tests/abi/conformance.c"))
        .arg("-o")
        .arg(&object);
    if cooked {
        command.arg("-DCONFIG_NET_CAPTURE_COOKED_MODE=1");
    }
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run C compiler `{compiler}`: {err}"));
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn exports_conform_to_the_documented_c_api() {
    for bits in [64, 32] {
        for cooked in [false, true] {
            if let Err(errors) = compile(&root().join("include"), bits, cooked) {
                panic!("conformance.c (-m{bits}, cooked {cooked}) does not compile:\n{errors}");
            }
        }
    }
}

#[test]
fn a_drifted_prototype_is_caught() {
    let header = std::fs::read_to_string(header_path()).expect("read header");
    let drifts = [
        // A parameter changes type.
        (
            "int net_capture_rs_enable(const struct device *dev, struct net_if *iface);",
            "int net_capture_rs_enable(const struct device *dev, void *iface);",
        ),
        // The double pointer loses its constness.
        ("const struct device **dev)", "struct device **dev)"),
        // A return type changes.
        (
            "bool net_capture_rs_is_enabled(const struct device *dev);",
            "int net_capture_rs_is_enabled(const struct device *dev);",
        ),
        // A cooked-mode length narrows.
        ("size_t len,", "uint32_t len,"),
    ];
    for (from, to) in drifts {
        assert!(
            header.contains(from),
            "the header no longer contains `{from}`"
        );
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("drift-{}", from.len()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("net_capture_rs.h"), header.replace(from, to)).unwrap();
        let caught = [false, true]
            .iter()
            .any(|cooked| compile(&dir, 64, *cooked).is_err());
        assert!(caught, "drift `{to}` compiled without error");
    }
}
