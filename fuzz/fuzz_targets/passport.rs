//! Any text: parsing never panics, and a number that parses re-parses from `expose()` to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiaoyi_domain::identity::PassportNumber;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(number) = PassportNumber::parse(text) {
        assert_eq!(PassportNumber::parse(number.expose()).as_ref(), Ok(&number));
        assert!(!format!("{number:?}").contains(number.expose()));
    }
});
