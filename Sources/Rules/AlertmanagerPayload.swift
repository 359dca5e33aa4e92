import Foundation
import PromModel

/// The JSON body of Alertmanager's `POST /api/v2/alerts`: an array of postable alerts.
enum AlertmanagerPayload {
    struct Element: Encodable {
        var labels: [String: String]
        var annotations: [String: String]
        var startsAt: String
        var endsAt: String?
        var generatorURL: String
    }

    static func encode(_ alerts: [OutgoingAlert]) throws -> [UInt8] {
        let elements = alerts.map { a in
            Element(
                labels: dictionary(a.labels), annotations: dictionary(a.annotations),
                startsAt: RFC3339.format(ms: a.startsAt.ms), endsAt: a.endsAt.map { RFC3339.format(ms: $0.ms) },
                generatorURL: a.generatorURL)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(elements))
    }

    static func dictionary(_ labels: Labels) -> [String: String] {
        Dictionary(labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
