// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "egide",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "egide", targets: ["Egide"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "Egide",
            dependencies: ["App", "EgideDemo", "EgideBench"]
        ),
        // `egide demo` and `egide bench`, outside the product code: they use App's package interface.
        .target(
            name: "EgideDemo",
            dependencies: ["App", "EgideCore", "EgideCrypto", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent")]
        ),
        .target(
            name: "EgideBench",
            dependencies: ["App", "EgideDemo", "EgideCore", "EgideCrypto", .product(name: "Vapor", package: "vapor"), .product(name: "Fluent", package: "fluent"),
                           .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"), .product(name: "CSV", package: "CSV.swift")]
        ),
        .target(
            name: "App",
            dependencies: [
                "EgideCore",
                "EgideCrypto",
                "CZlib",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        .target(name: "EgideCore"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "EgideCrypto",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "EgideCoreTests", dependencies: ["EgideCore"]),
        .testTarget(name: "EgideCryptoTests", dependencies: ["EgideCrypto", "EgideCore"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                "EgideDemo",
                "EgideBench",
                "CZlib",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
