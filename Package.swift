// swift-tools-version:6.0
import PackageDescription

// The targets follow the data flow: playbook file -> Playbook (loader) -> Graph -> Engine
// (planner, ledger, executor) -> Steps (drivers) -> Kube / Host. Document is the shared data model.
let package = Package(
    name: "bootstrap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // System libraries: Debian's security updates reach both.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CYaml", path: "Sources/CYaml", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        // curl_easy_setopt/getinfo are C variadics Swift cannot call; this is the one place that does.
        .target(name: "CurlShim", dependencies: ["CCurl"]),

        .target(name: "Document", dependencies: ["CYaml"]),
        .target(name: "Playbook", dependencies: ["Document"]),
        .target(name: "Graph", dependencies: ["Playbook"]),
        .target(name: "Kube", dependencies: [
            "Document", "CurlShim",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Host", dependencies: ["Document"]),
        .target(name: "Emulator", dependencies: ["Document"]),
        .target(name: "Engine", dependencies: [
            "Document", "Playbook", "Graph", "Kube", "Host",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Steps", dependencies: ["Document", "Playbook", "Engine", "Kube", "Host"]),
        .executableTarget(name: "bootstrap", dependencies: [
            "Document", "Playbook", "Graph", "Kube", "Host", "Emulator", "Engine", "Steps",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "TestSupport", dependencies: ["Document", "Playbook", "Emulator", "Kube", "Host", "Engine", "Steps"],
                path: "Tests/TestSupport"),
        .testTarget(name: "DocumentTests", dependencies: ["Document"]),
        .testTarget(name: "PlaybookTests", dependencies: ["Playbook", "Graph", "Engine", "Steps", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "KubeTests", dependencies: ["Kube", "Emulator", "TestSupport"]),
        .testTarget(name: "EmulatorTests", dependencies: ["Emulator", "Kube", "TestSupport"]),
        .testTarget(name: "HostTests", dependencies: ["Host", "Steps", "Engine", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Steps", "Emulator", "Kube", "Host", "Playbook", "Document", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["bootstrap", "TestSupport", "Document"]),
        // Against a real kube-apiserver (scripts/kube-apiserver; scripts/test starts it).
        .testTarget(name: "IntegrationTests", dependencies: [
            "bootstrap", "Document", "Playbook", "Kube", "Host", "Engine", "Steps", "Emulator", "TestSupport",
        ]),
    ]
)
