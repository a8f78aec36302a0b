import Engine
import Foundation
import Host
import Steps

/// A temporary host root with recording fakes of zfs, systemctl, journalctl, curl and a k3s
/// installer first on PATH; every fake appends its argv to a log the test reads back.
public final class HostFixture: Sendable {
    public let directory: String
    public var root: String { directory + "/root" }
    public var bin: String { directory + "/bin" }
    public var state: String { directory + "/state" }
    public var logPath: String { directory + "/commands.log" }
    /// The host path of the fake installer script.
    public static let installerPath = "/root/k3s-install.sh"

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("host-\(UUID().uuidString)").path
        for dir in [root, bin, state] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try installFakes()
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The host as production builds it, with only this fixture's PATH.
    public var host: LocalHost { LocalHost(root: root, environment: ["PATH": "\(bin):/usr/bin:/bin:/usr/sbin:/sbin"]) }

    public func context(_ host: any HostSystem, mode: StepContext.Mode = .apply, timeout: Duration = .seconds(5)) -> StepContext {
        stepContext("test", mode: mode, host: host, timeout: timeout)
    }

    /// The recorded commands, one per line, as the fakes saw their argv.
    public func recorded() -> [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func clearRecord() { try? FileManager.default.removeItem(atPath: logPath) }

    /// Writes an executable bash script into the fake bin directory.
    public func fake(_ name: String, _ body: String) throws {
        try script(bin + "/" + name, "echo \"\(name) $*\" >> \(logPath)\n" + body)
    }

    public func script(_ path: String, _ body: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try ("#!/bin/bash\nset -e\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    public func hostFile(_ path: String) -> String { root + path }

    public func text(_ hostPath: String) -> String? { try? String(contentsOfFile: hostFile(hostPath), encoding: .utf8) }

    public func write(_ hostPath: String, _ text: String, mode: mode_t = 0o644) throws {
        try FileManager.default.createDirectory(atPath: (hostFile(hostPath) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: hostFile(hostPath), atomically: true, encoding: .utf8)
        chmod(hostFile(hostPath), mode)
    }

    /// The ZFS snapshots the fake zfs holds, by full name (`tank/faf@bootstrap-migrated`).
    public var snapshots: [String] {
        ((try? String(contentsOfFile: state + "/zfs-snapshots", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The config k3s was last (re)started with, as the fake systemctl and installer record it.
    public var runningConfig: String? { try? String(contentsOfFile: state + "/running-config", encoding: .utf8) }

    private func installFakes() throws {
        let datasets = state + "/zfs-datasets", snapshotList = state + "/zfs-snapshots"
        try fake("zfs", """
            touch \(datasets) \(snapshotList)
            name="${@: -1}"
            case "$1" in
            list)
              if [[ "$*" == *"-t snapshot"* ]]; then
                grep -qxF "$name" \(snapshotList) || { echo "cannot open '$name': dataset does not exist" >&2; exit 1; }
                echo "$name"; exit 0
              fi
              line=$(awk -F'\\t' -v n="$name" '$1==n' \(datasets))
              if [ -z "$line" ]; then echo "cannot open '$name': dataset does not exist" >&2; exit 1; fi
              echo "$line";;
            create)
              mp=""; prev=""
              for a in "$@"; do if [ "$prev" = "-o" ]; then case "$a" in mountpoint=*) mp="${a#mountpoint=}";; esac; fi; prev="$a"; done
              printf '%s\\t%s\\n' "$name" "$mp" >> \(datasets)
              mkdir -p "\(root)$mp";;
            get)
              if [ -f \(state)/zfs-available ]; then cat \(state)/zfs-available; else echo 1099511627776; fi;;
            snapshot)
              if grep -qxF "$name" \(snapshotList); then echo "cannot create snapshot '$name': dataset already exists" >&2; exit 1; fi
              echo "$name" >> \(snapshotList);;
            rename)
              from="${@: -2:1}"
              grep -qxF "$from" \(snapshotList) || { echo "cannot open '$from': dataset does not exist" >&2; exit 1; }
              sed -i "s|^$from\\$|$name|" \(snapshotList);;
            *) exit 2;;
            esac

            """)
        let startK3s = "cp \(root)\(K3sPaths.config) \(state)/running-config"
        try fake("systemctl", """
            if [ "$1 $2" = "restart k3s" ]; then \(startK3s); fi

            """)
        try fake("journalctl", "echo 'k3s[42]: level=fatal msg=\"refusing a bad flag\"'\n")
        try fake("curl", """
            out=""; prev=""
            for a in "$@"; do if [ "$prev" = "-o" ]; then out="$a"; fi; prev="$a"; done
            cp \(directory)/served-installer "$out"

            """)
        // The installer lays down a k3s binary that reports the version, the service, and starts k3s.
        try script(hostFile(Self.installerPath), """
            echo "k3s-install.sh INSTALL_K3S_VERSION=$INSTALL_K3S_VERSION INSTALL_K3S_SKIP_DOWNLOAD=${INSTALL_K3S_SKIP_DOWNLOAD:-}" >> \(logPath)
            if [ "${INSTALL_K3S_SKIP_DOWNLOAD:-}" != true ]; then
              mkdir -p \(root)/usr/local/bin
              printf '#!/bin/sh\\necho "k3s --version" >> \(logPath)\\necho "k3s version %s (fake)"\\n' "$INSTALL_K3S_VERSION" > \(root)\(K3sPaths.binary)
              chmod 755 \(root)\(K3sPaths.binary)
            fi
            mkdir -p \(root)/etc/systemd/system
            echo '[Unit]' > \(root)\(K3sPaths.serviceUnit)
            \(startK3s)

            """)
        try FileManager.default.copyItem(atPath: hostFile(Self.installerPath), toPath: directory + "/served-installer")
    }
}

/// Readiness driven by the config the fake k3s last started with: a `bad-flag` keeps it from being Ready.
public func fakeReadiness(_ fixture: HostFixture) -> K3sReadiness {
    let path = fixture.state + "/running-config"
    return K3sReadiness(api: { _ in FileManager.default.fileExists(atPath: path) },
                        node: { _, _ in
                            guard let config = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
                            return !config.contains("bad-flag")
                        })
}

/// The SHA-256 of a file, computed by the system's sha256sum.
public func sha256(of path: String) async throws -> String {
    let result = try await LocalHost().runChecked(Command(["sha256sum", path], changesHost: false))
    return String(result.stdout.prefix(64))
}
