//! Build script.
//!
//! Host builds: only declares the Kconfig cfgs the Zephyr layer tests, so
//! `unexpected_cfgs` stays quiet.
//!
//! Zephyr builds (feature `zephyr`, run by zephyr-module/CMakeLists.txt):
//! turns the build's `.config` into `cfg(CONFIG_X)` flags and runs bindgen
//! over zephyr-module/wrapper.h with the exact include paths, definitions
//! and `autoconf.h` of the Zephyr build, writing the Rust bindings and the
//! C wrappers of the `static inline` functions (compiled by CMake).

use std::env;

/// Kconfig symbols the Rust code branches on.
const KCONFIG_CFGS: &[&str] = &[
    "CONFIG_NET_IPV4",
    "CONFIG_NET_IPV6",
    "CONFIG_NET_CAPTURE_COOKED_MODE",
    "CONFIG_NET_CAPTURE_COOKED_MODE_SLLV1",
    "CONFIG_NET_CAPTURE_COOKED_MODE_SLLV2",
    "CONFIG_NET_CAPTURE_RS_OVERSIZE_TRUNCATE",
    "CONFIG_NET_CAPTURE_RS_TUNNEL_METADATA",
    "CONFIG_NET_CAPTURE_RS_FILTER",
    "CONFIG_NET_PPP_CAPTURE",
    "CONFIG_PRINTK",
    "CONFIG_NET_CAPTURE_RS_SINK",
    "CONFIG_NET_CAPTURE_RS_SINK_UART",
    "CONFIG_NET_CAPTURE_RS_SINK_CALLBACK",
];

fn main() {
    for symbol in KCONFIG_CFGS {
        println!("cargo::rustc-check-cfg=cfg({symbol})");
    }
    println!("cargo::rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_ZEPHYR").is_some() {
        #[cfg(feature = "zephyr")]
        zephyr::generate();
        #[cfg(not(feature = "zephyr"))]
        unreachable!("the zephyr feature brings bindgen");
    }
}

#[cfg(feature = "zephyr")]
mod zephyr {
    use std::env;
    use std::fs;
    use std::path::{Path, PathBuf};

    /// Reads a variable that zephyr-module/CMakeLists.txt passes.
    fn from_cmake(name: &str) -> String {
        println!("cargo::rerun-if-env-changed={name}");
        env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: the `zephyr` feature is meant to be built by the \
                 module's CMake inside a Zephyr build (west build with this module)"
            )
        })
    }

    pub fn generate() {
        let dotconfig = from_cmake("NET_CAPTURE_RS_DOTCONFIG");
        let clang_args = from_cmake("NET_CAPTURE_RS_CLANG_ARGS");
        let seed = from_cmake("NET_CAPTURE_RS_SEED_HEADER");
        let wrapper_c = from_cmake("NET_CAPTURE_RS_WRAPPER_C");
        for path in [&dotconfig, &clang_args, &seed] {
            println!("cargo::rerun-if-changed={path}");
        }
        for header in ["glue.h", "net_names.h"] {
            println!(
                "cargo::rerun-if-changed={}",
                Path::new(&seed).with_file_name(header).display()
            );
        }

        emit_kconfig_cfgs(&dotconfig);

        let args: Vec<String> = fs::read_to_string(&clang_args)
            .unwrap_or_else(|err| panic!("cannot read {clang_args}: {err}"))
            .lines()
            .map(str::trim)
            .filter(|arg| !arg.is_empty() && *arg != "-I" && *arg != "-D" && *arg != "-isystem")
            .map(String::from)
            .collect();

        let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
        let seed = fs::canonicalize(&seed).unwrap_or_else(|err| panic!("{seed}: {err}"));
        let mut builder = bindgen::Builder::default()
            .header(seed.to_string_lossy())
            .clang_args(&args)
            .clang_arg("-DNET_CAPTURE_RS_BINDGEN")
            .use_core()
            .ctypes_prefix("core::ffi")
            .layout_tests(false)
            .derive_default(true)
            .derive_debug(false)
            .generate_comments(false)
            .wrap_static_fns(true)
            .wrap_static_fns_path(wrapper_c.trim_end_matches(".c"))
            .allowlist_var("CONFIG_.*")
            .allowlist_var("NET_CAPTURE_RS_.*")
            .allowlist_var("net_capture_rs_.*")
            .allowlist_type("net_capture_rs_.*")
            .allowlist_type("virtual_interface_config")
            .allowlist_type("virtual_interface_req_params")
            .allowlist_type("net_capture_cooked")
            .allowlist_type("net_capture_info")
            .allowlist_type("net_capture_cb_t")
            .allowlist_type("net_verdict")
            .allowlist_type("net_capture_packet_type")
            .allowlist_type("virtual_interface_.*")
            .allowlist_function("net_capture_rs_.*");
        for function in FUNCTIONS {
            builder = builder.allowlist_function(function);
        }
        builder
            .generate()
            .unwrap_or_else(|err| panic!("bindgen failed on {}: {err}", seed.display()))
            .write_to_file(out.join("bindings.rs"))
            .expect("write bindings.rs");
    }

    /// `cfg(CONFIG_X)` for every `CONFIG_X=y`, so code can follow Kconfig.
    fn emit_kconfig_cfgs(dotconfig: &str) {
        let config = fs::read_to_string(dotconfig)
            .unwrap_or_else(|err| panic!("cannot read {dotconfig}: {err}"));
        for line in config.lines() {
            if let Some(symbol) = line.strip_suffix("=y") {
                if super::KCONFIG_CFGS.contains(&symbol) {
                    println!("cargo::rustc-cfg={symbol}");
                }
            }
        }
    }

    /// Zephyr functions the library calls (real ones, and static inline
    /// ones that bindgen wraps).
    const FUNCTIONS: &[&str] = &[
        "k_current_get",
        "k_is_in_isr",
        "k_msleep",
        "k_mutex_lock",
        "k_mutex_unlock",
        "k_spin_lock",
        "k_spin_unlock",
        "net_if_down",
        "net_if_flag_clear",
        "net_if_flag_is_set",
        "net_if_flag_set",
        "net_if_foreach",
        "net_if_get_by_iface",
        "net_if_get_by_index",
        "net_if_get_by_name",
        "net_if_get_mtu",
        "net_if_ipv4_addr_add",
        "net_if_ipv4_addr_rm",
        "net_if_ipv4_select_src_addr",
        "net_if_ipv4_select_src_iface",
        "net_if_ipv4_set_netmask_by_addr",
        "net_if_ipv6_addr_add",
        "net_if_ipv6_addr_rm",
        "net_if_ipv6_select_src_addr",
        "net_if_ipv6_select_src_iface",
        "net_if_is_up",
        "net_if_try_send_data",
        "net_if_set_mtu",
        "net_if_set_name",
        "net_if_up",
        "net_mgmt_NET_REQUEST_VIRTUAL_INTERFACE_SET_MTU",
        "net_mgmt_NET_REQUEST_VIRTUAL_INTERFACE_SET_PEER_ADDRESS",
        "net_ipaddr_parse",
        "net_mgmt_event_notify",
        "net_pkt_cursor_init",
        "net_pkt_family",
        "net_pkt_get_len",
        "net_pkt_iface",
        "net_pkt_is_captured",
        "net_pkt_ll_proto_type",
        "net_pkt_set_captured",
        "net_pkt_set_family",
        "net_pkt_set_iface",
        "net_virtual_get_iface",
        "net_virtual_get_iface_capabilities",
        "net_virtual_get_name",
        "net_virtual_interface_attach",
        "net_virtual_set_name",
    ];
}
