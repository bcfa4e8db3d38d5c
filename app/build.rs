//! Generates the `i18n` module from the translation catalogue in `locales/`: one folder per
//! language (English is the source), one JSON file per part of the console in each. A key used
//! in the code but missing from the English files is a build error; `scripts/check-catalogue`
//! holds the other languages to the English one.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::{error::Error, path::PathBuf};

/// The parts of the catalogue: `locales/{language}/{part}.json`.
const NAMESPACES: [&str; 10] = [
    "common",
    "auth",
    "members",
    "invitations",
    "tokens",
    "access",
    "settings",
    "profile",
    "errors",
    "mail",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    // Interpolated text also as plain strings (attributes, titles, toasts), not only as views.
    let options = ParseOptions::default().interpolate_display(true);
    let cfg = Config::new("en")?
        .parse_options(options)
        .add_locale("de")?
        .add_locale("zh")?
        .add_locale("ru")?
        .add_namespaces(NAMESPACES)?;
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
