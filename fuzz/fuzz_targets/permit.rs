//! Any text: parsing never panics, and a number that parses re-parses from `expose()` to the same
//! number of the same kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiaoyi_domain::identity::PermitNumber;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(number) = PermitNumber::parse(text) {
        let again = PermitNumber::parse(number.expose());
        assert_eq!(again.as_ref(), Ok(&number));
        assert_eq!(again.map(|n| n.kind()), Ok(number.kind()));
        assert!(!format!("{number:?}").contains(number.expose()));
    }
});
