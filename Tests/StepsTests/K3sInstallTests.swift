import Engine
import Foundation
import Host
import Steps
import Testing
import TestSupport

@Suite struct K3sInstallTests {
    static let version = "v1.31.4+k3s1"

    static func parameters(tlsSan: [String] = ["faforever.com"], installer: K3sInstall.Installer? = nil) -> K3sInstall.Parameters {
        K3sInstall.Parameters(
            version: version, nodeName: "main-01", nodeLabels: ["storage-id": "main-01"], tlsSan: tlsSan,
            disable: ["traefik", "servicelb"], writeKubeconfigMode: nil,
            oidc: K3sInstall.OIDC(issuerURL: "https://auth.faforever.com", clientID: "k8s", usernameClaim: "sub",
                                  usernamePrefix: "oidc:", groupsClaim: "groups", groupsPrefix: "oidc:"),
            installer: installer ?? K3sInstall.Installer(url: nil, file: HostFixture.installerPath, sha256: nil))
    }

    /// check, then apply, as the executor runs a step.
    static func run(_ driver: K3sInstall, _ fixture: HostFixture, timeout: Duration = .seconds(5)) async throws -> ChangeSet {
        try await K3sInstall.$readiness.withValue(fakeReadiness(fixture)) {
            let context = fixture.context(fixture.host, timeout: timeout)
            let plan = try await driver.check(context)
            try await driver.apply(plan, context)
            return plan
        }
    }

    /// People reach the first tlsSan; the certificate (k3s', and a rehearsal's alike) carries every one.
    @Test func everyTlsSanIsACertificateNameAndTheFirstIsThePublicOne() {
        let driver = K3sInstall(id: "k3s", parameters: Self.parameters(tlsSan: ["k8s.faforever.com", "10.0.0.5"]))
        #expect(driver.clusterAccess.publicName == "k8s.faforever.com")
        #expect(driver.clusterAccess.certificateNames == ["k8s.faforever.com", "10.0.0.5"])
    }

    @Test func freshHostRunsTheInstallerOnceWithTheConfigInPlace() async throws {
        let fixture = try HostFixture()
        let driver = K3sInstall(id: "k3s", parameters: Self.parameters())
        let plan = try await Self.run(driver, fixture)

        #expect(plan.hostLines == [
            "mkdir -p /etc/rancher/k3s",
            "write /etc/rancher/k3s/config.yaml (mode 0600)",
            "INSTALL_K3S_VERSION=v1.31.4+k3s1 sh /root/k3s-install.sh",
        ])
        #expect(fixture.recorded() == ["k3s-install.sh INSTALL_K3S_VERSION=v1.31.4+k3s1 INSTALL_K3S_SKIP_DOWNLOAD="])
        #expect(fixture.text(K3sPaths.config) == """
            node-name: main-01
            node-label:
              - storage-id=main-01
            tls-san:
              - faforever.com
            disable:
              - traefik
              - servicelb
            write-kubeconfig-mode: "0600"
            kube-apiserver-arg:
              - oidc-issuer-url=https://auth.faforever.com
              - oidc-client-id=k8s
              - oidc-username-claim=sub
              - "oidc-username-prefix=oidc:"
              - oidc-groups-claim=groups
              - "oidc-groups-prefix=oidc:"

            """)
        #expect(try fixture.host.status(K3sPaths.config)?.mode == 0o600)
        #expect(fixture.runningConfig == fixture.text(K3sPaths.config))
        #expect(try await driver.verify(plan, fixture.context(fixture.host)) == [])
    }

    @Test func secondRunChangesNothing() async throws {
        let fixture = try HostFixture()
        let driver = K3sInstall(id: "k3s", parameters: Self.parameters())
        _ = try await Self.run(driver, fixture)
        fixture.clearRecord()

        let plan = try await Self.run(driver, fixture)
        #expect(plan.hostLines.isEmpty)
        // Only the version look-up of check: apply performs the (empty) plan without looking again.
        #expect(fixture.recorded() == ["k3s --version"])
    }

    @Test func changedConfigIsRewrittenOnceAndRestartsOnce() async throws {
        let fixture = try HostFixture()
        _ = try await Self.run(K3sInstall(id: "k3s", parameters: Self.parameters()), fixture)
        fixture.clearRecord()

        let changed = K3sInstall(id: "k3s", parameters: Self.parameters(tlsSan: ["faforever.com", "k8s.faforever.com"]))
        let plan = try await Self.run(changed, fixture)
        #expect(plan.hostLines == ["write /etc/rancher/k3s/config.yaml (mode 0600)", "systemctl restart k3s"])
        #expect(fixture.recorded() == ["k3s --version", "systemctl restart k3s"])
        #expect(fixture.text(K3sPaths.config)?.contains("k8s.faforever.com") == true)
        #expect(fixture.runningConfig == fixture.text(K3sPaths.config))
    }

    @Test func configThatKeepsK3sFromBeingReadyIsRolledBack() async throws {
        let fixture = try HostFixture()
        _ = try await Self.run(K3sInstall(id: "k3s", parameters: Self.parameters()), fixture)
        let good = try #require(fixture.text(K3sPaths.config))
        fixture.clearRecord()

        let bad = K3sInstall(id: "k3s", parameters: Self.parameters(tlsSan: ["bad-flag.example"]))
        let error = await #expect(throws: StepError.self) { try await Self.run(bad, fixture, timeout: .milliseconds(300)) }
        let message = error?.message ?? ""
        #expect(message.contains("did not become Ready with the new configuration"))
        #expect(message.contains("restored the previous configuration and restarted k3s"))
        #expect(message.contains("refusing a bad flag"))
        #expect(fixture.text(K3sPaths.config) == good)
        #expect(fixture.runningConfig == good)
        #expect(fixture.recorded() == [
            "k3s --version", "systemctl restart k3s",
            "journalctl -u k3s -n 20 --no-pager", "systemctl restart k3s",
        ])
    }

    @Test func installerWithAWrongDigestIsNotRun() async throws {
        let fixture = try HostFixture()
        let wrong = String(repeating: "ab", count: 32)
        let actual = try await sha256(of: fixture.hostFile(HostFixture.installerPath))
        let driver = K3sInstall(id: "k3s", parameters: Self.parameters(
            installer: K3sInstall.Installer(url: nil, file: HostFixture.installerPath, sha256: wrong)))

        let error = await #expect(throws: StepError.self) { try await Self.run(driver, fixture) }
        #expect(error?.message.contains(wrong) == true)
        #expect(error?.message.contains(actual) == true)
        #expect(fixture.recorded().isEmpty)
        #expect(fixture.text(K3sPaths.config) == nil)
    }

    @Test func installerFromURLIsDownloadedAndVerified() async throws {
        let fixture = try HostFixture()
        let digest = try await sha256(of: fixture.directory + "/served-installer")
        let url = "https://get.k3s.io/"
        let driver = K3sInstall(id: "k3s", parameters: Self.parameters(
            installer: K3sInstall.Installer(url: url, file: nil, sha256: digest)))
        let plan = try await Self.run(driver, fixture)

        #expect(plan.hostLines == [
            "mkdir -p /var/lib/bootstrap",
            "curl -sfL https://get.k3s.io/ -o /var/lib/bootstrap/k3s-install.sh",
            "sha256sum /var/lib/bootstrap/k3s-install.sh (expect \(digest))",
            "mkdir -p /etc/rancher/k3s",
            "write /etc/rancher/k3s/config.yaml (mode 0600)",
            "INSTALL_K3S_VERSION=v1.31.4+k3s1 sh /var/lib/bootstrap/k3s-install.sh",
        ])
        #expect(fixture.recorded() == [
            "curl -sfL \(url) -o \(fixture.root)/var/lib/bootstrap/k3s-install.sh",
            "k3s-install.sh INSTALL_K3S_VERSION=v1.31.4+k3s1 INSTALL_K3S_SKIP_DOWNLOAD=",
        ])
    }

    @Test func binaryAlreadyAtThePinnedVersionInstallsAirGapped() async throws {
        let fixture = try HostFixture()
        try fixture.write(K3sPaths.binary, "#!/bin/sh\necho 'k3s version \(Self.version) (placed by hand)'\n", mode: 0o755)
        let plan = try await Self.run(K3sInstall(id: "k3s", parameters: Self.parameters()), fixture)

        #expect(plan.hostLines.last == "INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_VERSION=v1.31.4+k3s1 sh /root/k3s-install.sh")
        #expect(fixture.recorded() == ["k3s-install.sh INSTALL_K3S_VERSION=v1.31.4+k3s1 INSTALL_K3S_SKIP_DOWNLOAD=true"])
        #expect(fixture.text(K3sPaths.binary)?.contains("placed by hand") == true)
    }

    @Test func anotherInstalledVersionIsUpgraded() async throws {
        let fixture = try HostFixture()
        _ = try await Self.run(K3sInstall(id: "k3s", parameters: Self.parameters()), fixture)
        fixture.clearRecord()
        var newer = Self.parameters()
        newer.version = "v1.32.1+k3s1"
        let plan = try await Self.run(K3sInstall(id: "k3s", parameters: newer), fixture)

        #expect(plan.hostLines == ["INSTALL_K3S_VERSION=v1.32.1+k3s1 sh /root/k3s-install.sh"])
        #expect(plan.warnings.count == 1)
        #expect(fixture.recorded().contains("k3s-install.sh INSTALL_K3S_VERSION=v1.32.1+k3s1 INSTALL_K3S_SKIP_DOWNLOAD="))
    }

    /// Before the installer changes the version, k3s is stopped and its SQLite datastore and token
    /// are copied (k3s docs, "Backup and Restore with SQLite"); an earlier copy is never overwritten.
    @Test func aVersionChangeCopiesTheDatastoreAndTokenWithK3sStoppedFirst() async throws {
        let fixture = try HostFixture()
        _ = try await Self.run(K3sInstall(id: "k3s", parameters: Self.parameters()), fixture)
        try fixture.write("/var/lib/rancher/k3s/server/db/state.db", "sqlite")
        try fixture.write("/var/lib/rancher/k3s/server/token", "K10secret::server:abc", mode: 0o600)
        try FileManager.default.createDirectory(atPath: fixture.hostFile("/var/lib/bootstrap/k3s-datastore-v1.31.4+k3s1"),
                                                withIntermediateDirectories: true)
        fixture.clearRecord()
        var newer = Self.parameters()
        newer.version = "v1.32.1+k3s1"
        let plan = try await Self.run(K3sInstall(id: "k3s", parameters: newer), fixture)

        let backup = "/var/lib/bootstrap/k3s-datastore-v1.31.4+k3s1-2"
        #expect(plan.hostLines == [
            "systemctl stop k3s",
            "mkdir -p \(backup)", "chmod 0700 \(backup)",
            "cp -a /var/lib/rancher/k3s/server/db \(backup)/db",
            "cp -a /var/lib/rancher/k3s/server/token \(backup)/token",
            "INSTALL_K3S_VERSION=v1.32.1+k3s1 sh /root/k3s-install.sh",
        ])
        #expect(fixture.text(backup + "/db/state.db") == "sqlite")
        #expect(fixture.text(backup + "/token") == "K10secret::server:abc")
        let recorded = fixture.recorded()
        #expect(recorded.firstIndex(of: "systemctl stop k3s")! < recorded.firstIndex { $0.hasPrefix("k3s-install.sh") }!)
        // The same version again: nothing to back up.
        fixture.clearRecord()
        #expect(try await Self.run(K3sInstall(id: "k3s", parameters: newer), fixture).hostLines.isEmpty)
    }
}
