import Document
import Foundation
@testable import Kube
import Testing

/// A scratch directory for kubeconfig files, removed at the end of the test.
private final class Scratch {
    let path = NSTemporaryDirectory() + "kubeconfig-test-" + UUID().uuidString
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

private func kubeconfig(server: String = "https://10.0.0.1:6443", cluster: String = "", user: String = "token: abc",
                        context: String = "", current: String = "main") -> String {
    """
    apiVersion: v1
    kind: Config
    current-context: \(current)
    contexts:
    - name: main
      context: {cluster: c1, user: u1\(context)}
    - name: other
      context: {cluster: c1, user: u1, namespace: faf}
    clusters:
    - name: c1
      cluster:
        server: \(server)
    \(cluster.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    users:
    - name: u1
      user:
    \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    """
}

@Suite struct KubeConfigResolutionTests {
    @Test func explicitPathWinsOverEverything() throws {
        let dir = Scratch()
        let explicit = try dir.write("explicit", kubeconfig(server: "https://explicit:6443"))
        let env = try dir.write("env", kubeconfig(server: "https://env:6443"))
        try dir.write("home/.kube/config", kubeconfig(server: "https://home:6443"))
        let config = try KubeConfig.load(explicitPath: explicit, environment: ["KUBECONFIG": env, "HOME": dir.path + "/home"],
                                         context: nil, hostRoot: dir.path)
        #expect(config.server == "https://explicit:6443")
        #expect(config.path == explicit)
    }

    @Test func firstExistingFileOfKUBECONFIGIsUsed() throws {
        let dir = Scratch()
        let second = try dir.write("second", kubeconfig(server: "https://second:6443"))
        try dir.write("third", kubeconfig(server: "https://third:6443"))
        let list = "\(dir.path)/missing:\(second):\(dir.path)/third"
        let config = try KubeConfig.load(explicitPath: nil, environment: ["KUBECONFIG": list], context: nil, hostRoot: dir.path)
        #expect(config.server == "https://second:6443")
    }

    @Test func homeConfigThenK3sUnderHostRoot() throws {
        let dir = Scratch()
        try dir.write("root/etc/rancher/k3s/k3s.yaml", kubeconfig(server: "https://127.0.0.1:6443"))
        let k3s = try KubeConfig.load(explicitPath: nil, environment: ["HOME": dir.path + "/home"], context: nil, hostRoot: dir.path + "/root")
        #expect(k3s.server == "https://127.0.0.1:6443")
        #expect(k3s.path == dir.path + "/root/etc/rancher/k3s/k3s.yaml")

        try dir.write("home/.kube/config", kubeconfig(server: "https://home:6443"))
        let home = try KubeConfig.load(explicitPath: nil, environment: ["HOME": dir.path + "/home", "KUBECONFIG": dir.path + "/nope"],
                                       context: nil, hostRoot: dir.path + "/root")
        #expect(home.server == "https://home:6443")
    }

    @Test func missingFilesAreNamed() throws {
        let dir = Scratch()
        #expect { try KubeConfig.load(explicitPath: dir.path + "/absent", environment: [:], context: nil, hostRoot: dir.path) } throws: {
            "\($0)" == "\(dir.path)/absent: no such kubeconfig file"
        }
        #expect { try KubeConfig.load(explicitPath: nil, environment: [:], context: nil, hostRoot: dir.path) } throws: {
            "\($0)".contains("no kubeconfig found") && "\($0)".contains("\(dir.path)/etc/rancher/k3s/k3s.yaml")
        }
    }

    @Test func currentOrNamedContext() throws {
        let current = try KubeConfig.parse(kubeconfig(), path: "k", context: nil)
        #expect(current.contextName == "main")
        #expect(current.namespace == "default")
        let other = try KubeConfig.parse(kubeconfig(), path: "k", context: "other")
        #expect(other.namespace == "faf")
        #expect { try KubeConfig.parse(kubeconfig(), path: "k", context: "othr") } throws: {
            "\($0)".contains("no context named \"othr\"") && "\($0)".contains("did you mean \"other\"?") && "\($0)".hasPrefix("k:")
        }
    }
}

@Suite struct KubeConfigAuthTests {
    @Test func token() throws {
        let config = try KubeConfig.parse(kubeconfig(user: "token: s3cr3t"), path: "k", context: nil)
        #expect(config.tls.bearerToken?.revealed == "s3cr3t")
        #expect(!"\(config)".contains("s3cr3t"))
    }

    @Test func tokenFileRelativeToTheKubeconfig() throws {
        let dir = Scratch()
        try dir.write("sub/token", "from-file\n")
        let path = try dir.write("sub/config", kubeconfig(user: "tokenFile: token"))
        let config = try KubeConfig.load(explicitPath: path, environment: [:], context: nil, hostRoot: dir.path)
        #expect(config.tls.bearerToken?.revealed == "from-file")
    }

    @Test func clientCertificateAndCertificateAuthorityData() throws {
        let b64 = { (s: String) in Data(s.utf8).base64EncodedString() }
        let text = kubeconfig(cluster: "certificate-authority-data: \(b64("CA PEM"))",
                              user: "client-certificate-data: \(b64("CERT PEM"))\nclient-key-data: \(b64("KEY PEM"))")
        let config = try KubeConfig.parse(text, path: "k", context: nil)
        #expect(config.tls.certificateAuthority == Array("CA PEM".utf8))
        #expect(config.tls.clientCertificate == Array("CERT PEM".utf8))
        #expect(config.tls.clientKey?.revealed == "KEY PEM")
        #expect(config.tls.insecureSkipVerify == false)
        #expect(config.warnings.isEmpty)
    }

    @Test func certificateFilesAreRead() throws {
        let dir = Scratch()
        try dir.write("ca.crt", "CA")
        try dir.write("c.crt", "CERT")
        try dir.write("c.key", "KEY")
        let path = try dir.write("config", kubeconfig(cluster: "certificate-authority: ca.crt",
                                                      user: "client-certificate: \(dir.path)/c.crt\nclient-key: c.key"))
        let config = try KubeConfig.load(explicitPath: path, environment: [:], context: nil, hostRoot: dir.path)
        #expect(config.tls.certificateAuthority == Array("CA".utf8))
        #expect(config.tls.clientCertificate == Array("CERT".utf8))
        #expect(config.tls.clientKey?.revealed == "KEY")
    }

    @Test func insecureSkipVerifyWarnsLoudly() throws {
        let config = try KubeConfig.parse(kubeconfig(cluster: "insecure-skip-tls-verify: true"), path: "k.yaml", context: nil)
        #expect(config.tls.insecureSkipVerify)
        #expect(config.warnings.count == 1)
        #expect(config.warnings[0].contains("TLS verification of https://10.0.0.1:6443 is disabled by insecure-skip-tls-verify in k.yaml"))
    }

    @Test func plainHTTPWarnsUnlessLoopback() throws {
        #expect(try KubeConfig.parse(kubeconfig(server: "http://127.0.0.1:8080"), path: "k", context: nil).warnings.isEmpty)
        // Without credentials (a bearer token over plain HTTP is refused: TransportSafetyTests).
        #expect(try KubeConfig.parse(kubeconfig(server: "http://10.1.1.1:8080", user: ""), path: "k", context: nil).warnings.count == 1)
    }

    @Test func problemsPointAtTheLine() throws {
        #expect { try KubeConfig.parse("clusters: [\n", path: "bad.yaml", context: nil) } throws: {
            "\($0)".hasPrefix("bad.yaml:") && "\($0)".contains("YAML")
        }
        let badData = kubeconfig(user: "client-certificate-data: '%%%'\nclient-key-data: 'AAAA'")
        #expect { try KubeConfig.parse(badData, path: "k.yaml", context: nil) } throws: { error in
            guard let error = error as? KubeConfigError else { return false }
            return error.mark?.line == 17 && error.description.hasPrefix("k.yaml:17:") && error.message.contains("not valid base64")
        }
        #expect { try KubeConfig.parse(kubeconfig(user: "exec: {command: aws}"), path: "k.yaml", context: nil) } throws: {
            "\($0)".contains("exec apiVersion \"\" is not client.authentication.k8s.io/v1")
        }
        #expect { try KubeConfig.parse(kubeconfig(user: "client-key-data: QQ=="), path: "k.yaml", context: nil) } throws: {
            "\($0)".contains("needs both a client certificate and a client key")
        }
        let sometimes = kubeconfig(user: "exec: {apiVersion: client.authentication.k8s.io/v1, command: kubectl, interactiveMode: Sometimes}")
        #expect { try KubeConfig.parse(sometimes, path: "k.yaml", context: nil) } throws: {
            "\($0)".hasPrefix("k.yaml:17:") && "\($0)".contains("exec interactiveMode \"Sometimes\" is not Never, IfAvailable or Always")
        }
    }

    /// client-go's rule (plugin/pkg/client/auth/exec/exec.go, isInteractive): Never never asks,
    /// IfAvailable asks at a terminal, Always needs one; absent is IfAvailable.
    @Test func whenAnExecPluginMayAskAtTheTerminal() throws {
        func plugin(_ mode: String?) throws -> ExecCredentialPlugin {
            let setting = mode.map { ", interactiveMode: \($0)" } ?? ""
            let text = kubeconfig(user: "exec: {apiVersion: client.authentication.k8s.io/v1, command: kubectl\(setting)}")
            return try #require(try KubeConfig.parse(text, path: "k.yaml", context: nil).exec)
        }
        #expect(try plugin(nil).interactiveMode == .ifAvailable)
        #expect(try plugin("Never").interactive(stdinIsTerminal: true) == false)
        #expect(try plugin("IfAvailable").interactive(stdinIsTerminal: true) == true)
        #expect(try plugin("IfAvailable").interactive(stdinIsTerminal: false) == false)
        #expect(try plugin("Always").interactive(stdinIsTerminal: true) == true)
        #expect { try plugin("Always").interactive(stdinIsTerminal: false) } throws: {
            "\($0)".contains("must ask at a terminal (interactiveMode: Always), but standard input is not a terminal")
        }
    }
}

/// `$KUBECONFIG` with several files merges them as kubectl does.
@Suite struct KubeConfigMergeTests {
    @Test func everyFileOfKUBECONFIGMergesFirstEntryOfANameWins() throws {
        let scratch = Scratch()
        let contexts = try scratch.write("a/contexts.yaml", """
            apiVersion: v1
            kind: Config
            current-context: dev
            contexts:
            - {name: dev, context: {cluster: c, user: u, namespace: faf}}

            """)
        let clusters = try scratch.write("b/clusters.yaml", """
            apiVersion: v1
            kind: Config
            current-context: ignored-a-later-file-sets-it
            clusters:
            - {name: c, cluster: {server: "https://first.example:6443", certificate-authority: ca.pem}}

            """)
        try scratch.write("b/ca.pem", "CA FROM B\n")
        let users = try scratch.write("c/users.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - {name: c, cluster: {server: "https://second.example:6443"}}
            users:
            - {name: u, user: {token: from-c}}

            """)
        let missing = scratch.path + "/missing.yaml"
        let config = try KubeConfig.load(explicitPath: nil, environment: ["KUBECONFIG": [missing, contexts, clusters, users].joined(separator: ":")],
                                         context: nil)
        #expect(config.contextName == "dev")
        #expect(config.namespace == "faf")
        #expect(config.server == "https://first.example:6443", "the first file with a cluster of that name provides it")
        #expect(config.tls.certificateAuthority == Array("CA FROM B\n".utf8), "resolved beside the file that names it")
        #expect(config.tls.bearerToken?.revealed == "from-c")
    }

    @Test func anExplicitKubeconfigIsReadAlone() throws {
        let scratch = Scratch()
        let only = try scratch.write("only.yaml", kubeconfig())
        let other = try scratch.write("other.yaml", "apiVersion: v1\nkind: Config\nusers:\n- {name: x, user: {token: y}}\n")
        let config = try KubeConfig.load(explicitPath: only, environment: ["KUBECONFIG": other], context: nil)
        #expect(config.server == "https://10.0.0.1:6443")
    }
}
