//! kube-proxy's chain-name hash: `base32(sha256(spn + proto [+ endpoint]))[..16]`.

use sha2::{Digest, Sha256};

/// RFC 4648 standard alphabet.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The first 16 base32 characters of the SHA-256 of `parts` concatenated with no separator.
pub fn hash16(parts: &[&str]) -> [u8; 16] {
    let mut hasher = Sha256::new();
    for p in parts {
        hasher.update(p.as_bytes());
    }
    let digest = hasher.finalize();
    // 16 characters × 5 bits = 80 bits = the first 10 bytes.
    let mut bits: u128 = 0;
    for &b in &digest[..10] {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = [0u8; 16];
    for (i, c) in out.iter_mut().enumerate() {
        let shift = 80 - 5 * (i + 1);
        *c = BASE32[((bits >> shift) & 31) as usize];
    }
    out
}

/// `portProtoHash(spn, proto)`: the suffix of KUBE-SVC/SVL/EXT/FW chains.
pub fn service_port_hash(spn: &str, proto_lower: &str) -> String {
    String::from_utf8(hash16(&[spn, proto_lower]).to_vec()).expect("base32 is ASCII")
}

/// The suffix of a KUBE-SEP chain: the endpoint is `ip:port`.
pub fn endpoint_hash(spn: &str, proto_lower: &str, endpoint: &str) -> String {
    String::from_utf8(hash16(&[spn, proto_lower, endpoint]).to_vec()).expect("base32 is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The worked examples of `reference/kube-proxy-semantics.md` §2.1, which match
    /// kube-proxy's own proxier_test.go expectations.
    #[test]
    fn matches_kube_proxy() {
        assert_eq!(service_port_hash("ns1/svc1:p80", "tcp"), "XPGD46QRK7WJZT7O");
        assert_eq!(endpoint_hash("ns1/svc1:p80", "tcp", "10.180.0.1:80"), "SXIVWICOYRO3J4NJ");
        assert_eq!(endpoint_hash("ns1/svc1:p80", "tcp", "10.180.2.1:80"), "ZX7GRIZKSNUQ3LAJ");
        assert_eq!(service_port_hash("ns2/svc2:p80", "tcp"), "GNZBNJ2PO5MGZ6GT");
        assert_eq!(service_port_hash("ns1/svc1", "tcp"), "AQI2S6QIMU7PVVRP");
        assert_eq!(service_port_hash("default/kubernetes:https", "tcp"), "NPX46M4PTMTKRN6Y");
        assert_eq!(service_port_hash("kube-system/kube-dns:dns", "udp"), "TCOU7JCQXEZGVUNU");
        assert_eq!(service_port_hash("kube-system/kube-dns:dns-tcp", "tcp"), "ERIFXISQEP7F7OF4");
        assert_eq!(endpoint_hash("ns1/svc1:p80", "tcp", "10.244.0.1:80"), "6KG6DFHVBKBK53RU");
        // Upper-case protocol is wrong, as the reference's negative check shows.
        assert_eq!(service_port_hash("ns1/svc1:p80", "TCP"), "3UP2Z6VMNQ3MME3P");
    }
}
