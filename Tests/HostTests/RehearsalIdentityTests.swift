import Foundation
@testable import Host
import Platform
import TestSupport
import Testing

/// A rehearsal's simulated cluster keeps one CA across runs, as a k3s node does, and serves with a
/// certificate for the names it is reached by now.
@Suite struct RehearsalIdentityTests {
    @Test func theCAsStayAndTheServingCertificateFollowsItsNames() throws {
        let dir = TemporaryDirectory()
        let host = try RehearsalHost(directory: dir.path, simulations: [])
        #expect(try host.clusterIdentity() == nil, "nothing before the first run")
        let first = try host.clusterIdentity(servingNames: ["k8s.example.org", "node-a"])
        let again = try host.clusterIdentity(servingNames: ["k8s.example.org", "node-a"])
        #expect(again.serverCA == first.serverCA && again.serving == first.serving && again.admin == first.admin,
                "an unchanged rehearsal keeps every certificate")
        let renamed = try host.clusterIdentity(servingNames: ["k8s.example.net", "node-a"])
        #expect(renamed.serverCA == first.serverCA && renamed.clientCA == first.clientCA, "the cluster's CAs stay")
        #expect(renamed.serving != first.serving, "a new public name needs a new serving certificate")
        #expect(try host.clusterIdentity()?.serving == renamed.serving, "the files hold what this run serves")
        for (name, _) in renamed.files {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.file("tls/\(name).key"))[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name).key is the owner's alone")
        }
        guard let openssl = TLSFixture.openssl else { return }
        let verified = try runProcess(openssl, ["verify", "-CAfile", dir.file("tls/server-ca.crt"), "-purpose", "sslserver",
                                                "-verify_hostname", "k8s.example.net", dir.file("tls/serving-kube-apiserver.crt")])
        #expect(verified.status == 0, "\(verified.output)")
        let admin = try runProcess(openssl, ["verify", "-CAfile", dir.file("tls/client-ca.crt"), "-purpose", "sslclient",
                                             dir.file("tls/client-admin.crt")])
        #expect(admin.status == 0, "\(admin.output)")
        let subject = try runProcess(openssl, ["x509", "-noout", "-subject", "-in", dir.file("tls/client-admin.crt")])
        #expect(subject.stdout.contains("O = system:masters, CN = system:admin"), "\(subject.stdout)")
    }

    /// Every tls-san reaches the certificate, an address as an IP name, as k3s files them.
    @Test(.enabled(if: TLSFixture.openssl != nil, "openssl CLI not found on PATH"))
    func everyNameIsInTheServingCertificateAddressesAsIPs() throws {
        let dir = TemporaryDirectory()
        let host = try RehearsalHost(directory: dir.path, simulations: [])
        _ = try host.clusterIdentity(servingNames: ["k8s.example.org", "api.example.org", "10.0.0.5", "node-a"])
        let text = try runProcess(TLSFixture.openssl!, ["x509", "-noout", "-ext", "subjectAltName", "-in", dir.file("tls/serving-kube-apiserver.crt")])
        for name in ["DNS:k8s.example.org", "DNS:api.example.org", "DNS:node-a", "IP Address:10.0.0.5", "IP Address:127.0.0.1"] {
            #expect(text.stdout.contains(name), "\(name) missing: \(text.stdout)")
        }
        #expect(!text.stdout.contains("DNS:10.0.0.5"), "an address is not a DNS name")
    }
}
