import Foundation
import Rules
import Yams

/// Loads the rule files named by prometheus.yml's `rule_files` for `hearth server`.
///
/// Decoding is strict (unknown fields are rejected with their path, e.g. `groups[0].rules[1].exprr`)
/// and the result is checked like `promtool check rules`; messages start with the file name.
enum RuleFileLoader {
    /// Expands `rule_files` patterns (shell globs, relative to `directory`) and loads every match.
    /// - Throws: ``RulesError`` naming the file, group and rule of each problem.
    static func load(patterns: [String], relativeTo directory: String) throws -> [(path: String, file: RuleFile)] {
        var out: [(path: String, file: RuleFile)] = []
        for pattern in patterns {
            let full = pattern.hasPrefix("/") || directory == "." ? pattern : directory + "/" + pattern
            for path in glob(full) { out.append((path, try load(path: path))) }
        }
        return out
    }

    /// Loads one rule file.
    static func load(path: String) throws -> RuleFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RulesError(.invalidRuleFile, "cannot read rule file \(path): \(error.localizedDescription)")
        }
        return try decode(yaml: text, source: path)
    }

    /// Decodes and validates rule-file YAML; `source` names the file in messages.
    static func decode(yaml text: String, source: String) throws -> RuleFile {
        // An empty file is a valid file without groups, as in Prometheus.
        if text.allSatisfy({ $0.isWhitespace }) { return RuleFile(groups: []) }
        let file: RuleFile
        do { file = try YAMLDecoder().decode(RuleFile.self, from: text) } catch {
            throw RulesError.decoding(error, source: source)
        }
        try file.validate(source: source)
        return file
    }

    /// Sorted matches of a shell pattern; a pattern without wildcards is returned as is, so a
    /// missing file is reported by ``load(path:)``.
    private static func glob(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var g = glob_t()
        defer { globfree(&g) }
        guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
