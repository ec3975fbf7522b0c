// swift-tools-version:6.0
import PackageDescription

// skp: a compiled task engine for Docker Swarm clusters.
// Pipeline: load inventories -> parse tasks -> resolve -> plan -> execute -> report.
let package = Package(
    name: "skp",
    products: [
        .executable(name: "skp", targets: ["skp"]),
        .library(name: "SkpKit", targets: ["SkpKit"]),
    ],
    targets: [
        // C libraries named by the user, from Debian's -dev packages.
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2",
                       providers: [.apt(["libssh2-1-dev"])]),
        // OpenSSL's libcrypto, which libssh2 already uses: skp signs with an ed25519 key it parsed
        // once, instead of libssh2 re-reading and re-decoding the key file for every host.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        // Everything testable: inventories, the task language, targeting, planning, execution.
        // libcrypto for SHA-256: a download is compared with the host's file by its hash.
        .target(name: "SkpKit", dependencies: ["CJansson", "CLibCrypto"]),
        // The SSH transport over libssh2; the only importer of CLibSSH2.
        .target(name: "SkpSSH", dependencies: ["SkpKit", "CLibSSH2", "CLibCrypto"]),
        // Thin executable: wires the transport into the library and maps outcomes to exit codes.
        .executableTarget(name: "skp", dependencies: ["SkpKit", "SkpSSH"]),

        .testTarget(name: "SkpKitTests", dependencies: ["SkpKit"]),
        // Runs the built binary as a user would; shared by the end-to-end test targets.
        .target(name: "SkpTestSupport", dependencies: ["SkpKit"], path: "Tests/SkpTestSupport"),
        .testTarget(name: "SkpTests", dependencies: ["skp", "SkpSSH", "SkpTestSupport"], exclude: ["Golden"]),
        // End-to-end runs against the built-in lab of real hosts (root; mandatory when CI=true).
        .testTarget(name: "LabTests", dependencies: ["skp", "SkpTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
