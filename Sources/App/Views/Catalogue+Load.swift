import EgideCore
import Foundation
import Vapor

extension Catalogue {
    /// Reads `Resources/Locales/<lang>.json` and every `Resources/Locales/<lang>/*.json` (one file per
    /// feature) for each supported language. A key defined twice is an error, not a silent override.
    static func load(fromResources directory: String) throws -> Catalogue {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let root = directory + "/Resources/Locales"
            var files = [root + "/\(language.rawValue).json"]
            let featureFolder = root + "/\(language.rawValue)"
            if let names = try? FileManager.default.contentsOfDirectory(atPath: featureFolder) {
                files += names.filter { $0.hasSuffix(".json") }.sorted().map { featureFolder + "/" + $0 }
            }
            var table: [String: String] = [:]
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ConfigurationError(problems: ["locale catalogue \(path) is missing"])
                }
                let decoded: [String: String]
                do {
                    decoded = try JSONDecoder().decode([String: String].self, from: data)
                } catch {
                    throw ConfigurationError(problems: ["locale catalogue \(path) is not a JSON object of strings"])
                }
                if let duplicate = decoded.keys.first(where: { table[$0] != nil }) {
                    throw ConfigurationError(problems: ["locale key \(duplicate) is defined twice (second time in \(path))"])
                }
                table.merge(decoded) { first, _ in first }
            }
            strings[language] = table
        }
        return Catalogue(strings: strings)
    }
}

extension Application {
    private struct CatalogueKey: StorageKey { typealias Value = Catalogue }
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }

    /// The user-interface strings, loaded once at start.
    var catalogue: Catalogue {
        get { storage[CatalogueKey.self] ?? Catalogue(strings: [:]) }
        set { storage[CatalogueKey.self] = newValue }
    }

    /// The configuration this application was started with.
    public var egideConfig: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:_:) was not called") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}
