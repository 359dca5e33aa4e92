import Foundation
import Scrape
import Yams

/// Loads prometheus.yml for `hearth server` with Yams; Scrape's structs reject unknown fields and
/// name the field path in every error (`scrape_configs[0].relabel_configs[1].actoin: unknown field`).
enum PrometheusConfigFile {
    /// Reads, decodes and validates the file at `path`.
    static func load(path: String) throws -> PrometheusConfiguration { try loadWithText(path: path).config }

    /// Reads, decodes and validates the file at `path`, and returns its text too (for `/api/v1/status/config`).
    static func loadWithText(path: String) throws -> (config: PrometheusConfiguration, text: String) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationErrorText("cannot read config file \(path): \(error.localizedDescription)")
        }
        return (try decode(text, path: path), text)
    }

    /// Decodes and validates prometheus.yml text; `path` names the file in messages.
    static func decode(_ text: String, path: String) throws -> PrometheusConfiguration {
        do {
            return try PrometheusConfiguration.load {
                try YAMLDecoder().decode(PrometheusConfiguration.self, from: text)
            }
        } catch {
            throw ValidationErrorText("\(path): \(error)")
        }
    }

    /// Decodes YAML file_sd files for ``ScrapeManagerOptions/yamlTargetGroupDecoder``.
    static let targetGroupDecoder: TargetGroupDecoder = { data in
        try YAMLDecoder().decode([StaticConfiguration].self, from: String(decoding: data, as: UTF8.self))
    }
}
