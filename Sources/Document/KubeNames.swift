/// Kubernetes naming rules used by validation: of object names, and of step ids and playbook names,
/// which follow them (a step id names objects and ledger records).
public enum KubeNames {
    /// The longest RFC 1123 label.
    public static let dnsLabelMaxLength = 63

    /// RFC 1123 label: what namespaces, most names, step ids and playbook names must be.
    public static func isDNSLabel(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count <= dnsLabelMaxLength else { return false }
        func alnum(_ c: UInt8) -> Bool { (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) }
        return alnum(bytes.first!) && alnum(bytes.last!) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 1123 subdomain: what object names such as PersistentVolumes may be.
    public static func isDNSSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }
}
