//! libFuzzer entry of `phasekit_fuzz::wire_json` (the check itself lives in src/lib.rs, where the
//! core's tests also replay this target's corpus).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| phasekit_fuzz::wire_json(data));
