package phasekit

// ModuleVersion is the version of this module. A release links the Rust library of the same
// version (Version reports the linked one; the suite checks that they agree), and
// scripts/version.py keeps it equal to the workspace version in Cargo.toml.
const ModuleVersion = "0.1.0"
