import EgideCore
import Foundation
import Vapor

extension Catalogue {
    /// Reads `Resources/Locales/<lang>.json` for every supported language.
    static func load(fromResources directory: String) throws -> Catalogue {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let path = directory + "/Resources/Locales/\(language.rawValue).json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(problems: ["locale catalogue \(path) is missing"])
            }
            do {
                strings[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw ConfigurationError(problems: ["locale catalogue \(path) is not a JSON object of strings"])
            }
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
