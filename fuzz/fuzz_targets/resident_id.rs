//! Any text: parsing never panics, and a number that parses re-parses from `expose()` to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qiaoyi_domain::identity::ResidentId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = ResidentId::parse(text) {
        assert_eq!(ResidentId::parse(id.expose()).as_ref(), Ok(&id));
        assert_eq!(id.masked().len(), 18);
        assert!(!format!("{id:?}").contains(id.expose()));
        let _ = (id.birth_date(), id.sex());
    }
});
