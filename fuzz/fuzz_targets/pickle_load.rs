//! Pickle loading: never panics, never executes; a pickle that loads has a
//! valid JSON form, written alike from the value tree and straight from the
//! loader, and the scanner agrees it is safe under the same allow-list.
#![no_main]

use hx_safe_deser::Limits;
use hx_safe_deser::pickle::{self, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = LoadOptions::default().with_limits(Limits {
        max_total_alloc: 1 << 20,
        ..Limits::default()
    });
    let json_direct = pickle::load_json(data, &options);
    if let Ok(value) = pickle::load(data, &options) {
        let json = value.to_json();
        serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
        // The arena's JSON writer and the value tree's agree.
        assert_eq!(json_direct.as_deref().ok(), Some(json.as_str()));
        let report = pickle::scan(data, &options);
        assert!(report.is_safe(), "loaded, but scan says {report:?}");
    }
});
