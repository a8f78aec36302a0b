// swift-tools-version:6.0
import PackageDescription

// The targets follow the data flow: playbook file -> Playbook (loader) -> Graph -> Engine
// (planner, ledger, walker) -> Steps (drivers) -> Kube / Host. Document is the shared data model.
// Graph (the step graph and its executor) knows nothing of playbooks: Playbook builds one from a playbook.
// Each target declares every module its files import, not only what reaches it through another.
// Linux only: no platforms are declared, since the package builds on no Apple platform.
// Members are visible only from modules a file imports itself (SE-0444). Without it, a dependency's
// `import Foundation` (swift-crypto's, when the package still used it) made the whole of Foundation's String methods (`contains`, `padding`) win
// overload resolution everywhere, linking CoreFoundation and ICU's data into the binary and
// costing every start-up milliseconds (README, Performance).
let strictImports: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

// scripts/build-release links libstdc++ statically (`-static-libstdc++`): it names a directory that
// holds only libstdc++.a, searched before the toolchain's, so the `-lstdc++` of
// `--static-swift-stdlib` takes the archive. Other builds (tests, debug) are left as they are.
let staticLibstdcxx: [LinkerSetting] = Context.environment["BOOTSTRAP_STATIC_LIBSTDCXX_DIR"].map { [.unsafeFlags(["-L", $0])] } ?? []

let package = Package(
    name: "bootstrap",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // System libraries: Debian's security updates reach both. libcurl's headers only: the
        // library itself is loaded on first use (Sources/CurlShim/include/CurlShim.h says why), so
        // no pkg-config `-lcurl` here.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CYaml", path: "Sources/CYaml", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        // Loads libcurl on first use, and wraps curl_easy_setopt/getinfo, C variadics Swift cannot
        // call; the one place that calls libcurl.
        .target(name: "CurlShim", dependencies: ["CCurl"]),

        // fork/exec with a process group and a parent-death signal: the child side must be
        // async-signal-safe C. Only Platform uses it.
        .target(name: "CSpawn"),
        // TLS through the system's OpenSSL 3, loaded on first use as CurlShim loads libcurl
        // (Sources/TLSShim/include/TLSShim.h): the emulator's TLS server and the certificates a
        // rehearsal's simulated k3s serves with. Its C side needs libssl-dev's headers only.
        .target(name: "TLSShim"),
        // The one module that calls the C library (files, sockets, clock, processes, TLS) and starts threads.
        .target(name: "Platform", dependencies: ["CSpawn", "TLSShim"], swiftSettings: strictImports),

        .target(name: "Document", dependencies: ["CYaml", "Platform"], swiftSettings: strictImports),
        .target(name: "Graph", dependencies: ["Document"], swiftSettings: strictImports),
        .target(name: "Playbook", dependencies: ["Document", "Platform", "Graph"], swiftSettings: strictImports),
        .target(name: "Kube", dependencies: [
            "Document", "CurlShim", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictImports),
        .target(name: "Host", dependencies: ["Document", "Platform"], swiftSettings: strictImports),
        .target(name: "Emulator", dependencies: ["Document", "Platform"], swiftSettings: strictImports),
        .target(name: "Engine", dependencies: [
            "Document", "Playbook", "Graph", "Kube", "Host", "Platform",
        ], swiftSettings: strictImports),
        .target(name: "Steps", dependencies: ["Document", "Engine", "Kube", "Host", "Platform"], swiftSettings: strictImports),
        // docker-compose files -> ComposeProject (positions kept) -> Converter -> playbook text.
        .target(name: "Import", dependencies: ["Document", "Platform", "Steps"], swiftSettings: strictImports),
        .executableTarget(name: "bootstrap", dependencies: [
            "Document", "Playbook", "Graph", "Kube", "Host", "Emulator", "Engine", "Steps", "Import", "Platform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strictImports, linkerSettings: staticLibstdcxx),

        // One test target per module, named after it; TestSupport is the one shared harness.
        .target(name: "TestSupport", dependencies: ["Document", "Playbook", "Emulator", "Kube", "Host", "Engine", "Steps"],
                path: "Tests/TestSupport"),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "DocumentTests", dependencies: ["Document"]),
        .testTarget(name: "PlaybookTests", dependencies: ["Playbook", "Engine", "Steps", "Document", "TestSupport"]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "Playbook", "Document", "TestSupport"]),
        .testTarget(name: "KubeTests", dependencies: [
            "Kube", "Emulator", "Document", "Platform", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HostTests", dependencies: ["Host", "Platform", "TestSupport"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "Document", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Playbook", "Kube", "Emulator", "Document", "Steps", "TestSupport"]),
        .testTarget(name: "StepsTests", dependencies: ["Steps", "Engine", "Emulator", "Kube", "Host", "Playbook", "Document", "Platform", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["bootstrap", "TestSupport", "Document", "Host", "Platform", "Emulator", "Engine"]),
        .testTarget(name: "ImportTests", dependencies: ["Import", "Steps", "bootstrap", "Document", "TestSupport"]),
        // Against a real kube-apiserver (scripts/kube-apiserver; scripts/test starts it).
        .testTarget(name: "IntegrationTests", dependencies: [
            "bootstrap", "Document", "Playbook", "Kube", "Host", "Engine", "Steps", "Emulator", "TestSupport",
        ]),
    ]
)
