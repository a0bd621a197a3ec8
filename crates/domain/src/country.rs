//! Country codes: ISO 3166-1 alpha-2, and the three-letter codes ICAO 9303 uses for the states and
//! organisations that issue travel documents (ISO 3166-1 alpha-3 and ICAO's own).

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO \
BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC \
EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN \
HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR \
LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI \
NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH \
SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US \
UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Every officially assigned ISO 3166-1 alpha-3 code.
const ALPHA3: &str = "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES \
BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR \
COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST \
ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY \
HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR \
KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI \
MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL \
OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS \
SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL \
TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM \
ZAF ZMB ZWE";

/// The codes ICAO 9303 part 3 adds: Germany's D; the British nationality classes (GBD, GBN, GBO,
/// GBP, GBS); Kosovo (RKS); the United Nations and its agencies (UNO, UNA, UNK); the European
/// Union (EUE); Interpol (INP); the organisations of the X… series; codes still on documents of
/// states that no longer exist (ANT, NTZ); and UTO, ICAO's specimen state, whose documents fill the
/// standard's examples.
const ICAO_ONLY: &str = "D EUE GBD GBN GBO GBP GBS INP RKS UNA UNK UNO XBA XCC XCE XCO XDC XEC XES XIM \
XMP XOM XPO ANT NTZ UTO";

/// ICAO's codes for a person without a nationality: XX followed by A (stateless), B or C
/// (refugees under the 1951 convention or otherwise) or X (nationality unspecified).
fn is_without_nationality(code: &str) -> bool {
    matches!(code.as_bytes(), [b'X', b'X', b'A' | b'B' | b'C' | b'X'])
}

/// Whether `code` (without its < fillers) names a state or organisation that issues travel
/// documents, as an MRZ's issuing state or nationality.
pub fn is_icao_state(code: &str) -> bool {
    is_without_nationality(code)
        || ALPHA3
            .split_ascii_whitespace()
            .chain(ICAO_ONLY.split_ascii_whitespace())
            .any(|c| c == code)
}

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case only).
pub fn is_iso_alpha2(code: &str) -> bool {
    code.len() == 2 && ALPHA2.split_ascii_whitespace().any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_assigned_codes_only() {
        assert!(is_iso_alpha2("IT"));
        assert!(is_iso_alpha2("CN"));
        assert!(!is_iso_alpha2("it"));
        assert!(!is_iso_alpha2("XX"));
        assert!(!is_iso_alpha2("ITA"));
        assert_eq!(ALPHA2.split_ascii_whitespace().count(), 249);
    }

    #[test]
    fn knows_the_states_icao_knows() {
        assert_eq!(ALPHA3.split_ascii_whitespace().count(), 249);
        for code in ["CHN", "ITA", "HUN", "D", "GBD", "RKS", "XXA", "UNO", "UTO"] {
            assert!(is_icao_state(code), "{code}");
        }
        let unspecified = "X".repeat(3);
        assert!(is_icao_state(&unspecified), "nationality unspecified");
        for code in ["XXB", "XXC"] {
            assert!(is_icao_state(code), "{code}");
        }
        for code in ["AHN", "PUN", "ZZZ", "", "DE", "GB", "chn", "XXD", "XX"] {
            assert!(!is_icao_state(code), "{code}");
        }
    }
}
