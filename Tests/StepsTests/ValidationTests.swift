import Document
import Engine
import Steps
import Testing

@Suite struct ValidationTests {
    /// Marks as the loader would record them for `with:` keys of step "s".
    static let context = ValidationContext(
        stepID: "s",
        marks: ["": Mark(file: "faf.yaml", line: 10, column: 7), "version": Mark(file: "faf.yaml", line: 11, column: 14),
                "disable.1": Mark(file: "faf.yaml", line: 14, column: 11), "installer.file": Mark(file: "faf.yaml", line: 16, column: 13),
                "from": Mark(file: "faf.yaml", line: 20, column: 13), "to": Mark(file: "faf.yaml", line: 21, column: 11),
                "mountpoint": Mark(file: "faf.yaml", line: 30, column: 19)],
        fallback: nil, steps: [])

    static func messages(_ diagnostics: [Diagnostic]) -> [String] { diagnostics.filter { $0.severity == .error }.map(\.description) }

    @Test func k3sInstallRejectsBadVersionsComponentsAndInstallerPaths() {
        var p = K3sInstallTests.parameters(installer: .init(file: "k3s-install.sh"))
        p.version = "1.31.4"
        p.disable = ["traefik", "traefix", "helm-controller"]
        #expect(Self.messages(K3sInstall.validate(p, Self.context)) == [
            "faf.yaml:11:14: error: step \"s\": version \"1.31.4\" is not a k3s release such as v1.31.4+k3s1",
            "faf.yaml:14:11: error: step \"s\": disable: unknown component \"traefix\" (did you mean \"traefik\"?); "
                + "k3s can disable coredns, servicelb, traefik, local-storage, metrics-server, runtimes",
            "faf.yaml:10:7: error: step \"s\": disable: unknown component \"helm-controller\"; "
                + "k3s can disable coredns, servicelb, traefik, local-storage, metrics-server, runtimes",
            "faf.yaml:16:13: error: step \"s\": installer.file: \"k3s-install.sh\" must be an absolute path",
        ])
        #expect(K3sInstall.validate(K3sInstallTests.parameters(), Self.context).isEmpty)
    }

    @Test func k3sInstallerNeedsOneSourceAndAWellFormedDigest() {
        let both = K3sInstallTests.parameters(installer: .init(url: "http://get.k3s.io", file: "/x", sha256: "abc"))
        let messages = Self.messages(K3sInstall.validate(both, Self.context))
        #expect(messages.contains { $0.contains("installer needs exactly one of url or file") })
        #expect(messages.contains { $0.contains("installer.sha256 must be 64 hexadecimal digits") })
        let unpinned = K3sInstall.validate(K3sInstallTests.parameters(installer: .init(url: "https://get.k3s.io")), Self.context)
        #expect(unpinned.map(\.severity) == [.warning])
    }

    @Test func containmentIsJudgedOnPathsAsTheKernelResolvesThem() {
        // Written differently, the same directory: the copy's staging would land inside its source.
        for (from, to) in [("//srv/x", "/srv/x/ds"), ("/srv/./x", "/srv/x/ds"), ("/srv/x/", "/srv//x/ds"), ("/srv/x/ds/.", "/srv/x")] {
            #expect(Self.messages(DataMigrate.validate(.init(from: from, to: to), Self.context))
                == ["faf.yaml:21:11: error: step \"s\": from and to must not contain each other"], "\(from) -> \(to)")
        }
        #expect(Self.messages(DataMigrate.validate(.init(from: "/srv/x", to: "/srv/xy"), Self.context)).isEmpty)
    }

    @Test func pathsMustBeAbsoluteAndStayUnderTheHostRoot() {
        let migrate = DataMigrate.validate(.init(from: "opt/faf-stack/data/faf-db", to: "/tank/faf/../../etc"), Self.context)
        #expect(Self.messages(migrate) == [
            "faf.yaml:20:13: error: step \"s\": from: \"opt/faf-stack/data/faf-db\" must be an absolute path",
            "faf.yaml:21:11: error: step \"s\": to: \"/tank/faf/../../etc\" must not contain \"..\": it would escape the host root",
        ])
        let nested = DataMigrate.validate(.init(from: "/opt/data", to: "/opt/data/db"), Self.context)
        #expect(Self.messages(nested) == ["faf.yaml:21:11: error: step \"s\": from and to must not contain each other"])
        let dataset = ZFSDataset.validate(.init(name: "tank", mountpoint: "../tank", mode: "750x"), Self.context)
        #expect(Self.messages(dataset).count == 3)
        #expect(Self.messages(dataset).first == "faf.yaml:30:19: error: step \"s\": mountpoint: \"../tank\" must be an absolute path")
        let file = HostFile.validate(.init(path: "/etc/../../x", content: .init(Sensitive("")), owner: "a:b:c"), Self.context)
        #expect(Self.messages(file).count == 2)
    }

    @Test func nodeLabelsMustBeValidLabels() {
        let p = NodeLabels.Parameters(node: "Main_01", labels: ["storage-id": "main 01", "a/b/c": "x"])
        let messages = Self.messages(NodeLabels.validate(p, Self.context))
        #expect(messages.count == 3)
        #expect(messages.contains { $0.contains("label value \"main 01\"") })
    }
}
