import PromModel
import PromQL

/// One series of an expected result: points at timestamps (ms); a nil value means "no sample".
struct ExpectedSeries {
    var labels: Labels
    var points: [(t: Int64, v: Double)]
}

/// An `eval` command of the promqltest DSL with everything its indented lines expect.
struct EvalCommand {
    var line: Int
    var query: String
    var instant: Bool
    var start: Int64
    var end: Int64
    var step: Int64
    var expectFail = false
    var failMessage: String?
    var failRegex: String?
    var ordered = false
    var expectedString: String?
    var rangeVector: (start: Int64, end: Int64, step: Int64)?
    var expectedScalar: Double?
    var expected: [ExpectedSeries] = []
    /// The expected output contains a native histogram literal `{{...}}`.
    var nativeHistogramOutput = false
    /// `eval_warn` / `eval_info`: at least one warning / info.
    var expectAnyWarning = false
    var expectAnyInfo = false
    /// `expect warn|info [msg:|regex:]`: every one must match an annotation and every annotation one of them;
    /// nil when the eval has no such lines.
    var warnings: [AnnotationPattern]?
    var infos: [AnnotationPattern]?
    /// `expect no_warn` / `expect no_info`.
    var noWarnings = false
    var noInfos = false
}

/// An expected annotation: an exact message or a regular expression (unanchored, as Go's MatchString).
struct AnnotationPattern {
    var message: String?
    var regex: String?

    func matches(_ text: String) -> Bool {
        if let message { return message == text }
        guard let regex, let re = try? Regex(regex) else { return true }
        return (try? re.firstMatch(in: text)) != nil
    }
}

/// A command of the DSL.
enum ScriptCommand {
    /// Float series, and the labels of series with native histogram samples (not loaded; NHCB included).
    case load([(Labels, [Sample])], nativeSeries: [Labels])
    case clear
    case eval(EvalCommand)
}

struct ScriptError: Error, CustomStringConvertible {
    var line: Int
    var message: String
    var description: String { "line \(line): \(message)" }
}

/// Parses the promqltest DSL (see Fixtures/promql/README in upstream; summary in the test README).
enum TestScript {
    static func parse(_ text: String) throws -> [ScriptCommand] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var commands: [ScriptCommand] = []
        var i = 0
        func isIndented(_ s: String) -> Bool { s.first == " " || s.first == "\t" }
        func trimmed(_ s: String) -> String { s.trimmingWhitespace() }
        while i < lines.count {
            let raw = lines[i]
            let line = trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") {
                i += 1
                continue
            }
            var body: [(Int, String)] = []
            var j = i + 1
            // A block is the indented lines that follow, up to a blank line; comment lines are dropped.
            while j < lines.count {
                let t = trimmed(lines[j])
                if t.hasPrefix("#") {
                    j += 1
                    continue
                }
                if t.isEmpty || !isIndented(lines[j]) { break }
                body.append((j + 1, t))
                j += 1
            }
            if line == "clear" {
                commands.append(.clear)
            } else if line.hasPrefix("load") {
                commands.append(try parseLoad(line, body, lineNo: i + 1))
            } else if line.hasPrefix("eval") {
                commands.append(.eval(try parseEval(line, body, lineNo: i + 1)))
            } else {
                throw ScriptError(line: i + 1, message: "unknown command \(line)")
            }
            i = j
        }
        return commands
    }

    static func parseLoad(_ line: String, _ body: [(Int, String)], lineNo: Int) throws -> ScriptCommand {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2 else { throw ScriptError(line: lineNo, message: "load needs an interval") }
        let interval = try parseDuration(String(parts[1]), lineNo)
        var series: [(Labels, [Sample])] = []
        var native: [Labels] = []
        let nhcb = parts[0] == "load_with_nhcb"
        for (no, text) in body {
            let (labels, rest) = try splitSeries(text, no)
            if text.contains("{{") {
                native.append(labels)
                continue
            }
            if nhcb, labels.get("le") != nil, labels.metricName.hasSuffix("_bucket") {
                // load_with_nhcb also stores the buckets as a native histogram named without `_bucket`.
                let name = String(labels.metricName.dropLast(7))
                native.append(labels.removing(["le"]).setting(LabelName.metricName, to: name))
            }
            if labels.items.isEmpty { continue }
            var samples: [Sample] = []
            for (k, v) in try expandValues(rest, no).enumerated() {
                if let v { samples.append(Sample(t: Timestamp(ms: Int64(k) * interval), v: v)) }
            }
            series.append((labels, samples))
        }
        return .load(series, nativeSeries: native)
    }

    static func parseEval(_ line: String, _ body: [(Int, String)], lineNo: Int) throws -> EvalCommand {
        var words = line
        var cmd = EvalCommand(line: lineNo, query: "", instant: true, start: 0, end: 0, step: 0)
        let keyword = words.prefix { $0 != " " }
        words = String(words.dropFirst(keyword.count)).trimmingWhitespace()
        if keyword == "eval_fail" { cmd.expectFail = true }
        if keyword == "eval_ordered" { cmd.ordered = true }
        if keyword == "eval_warn" { cmd.expectAnyWarning = true }
        if keyword == "eval_info" { cmd.expectAnyInfo = true }
        func take() -> String {
            let w = words.prefix { $0 != " " && $0 != "\t" }
            words = String(words.dropFirst(w.count)).trimmingWhitespace()
            return String(w)
        }
        let mode = take()
        if mode == "instant" {
            guard take() == "at" else { throw ScriptError(line: lineNo, message: "expected 'at'") }
            cmd.start = try parseDuration(take(), lineNo)
            cmd.end = cmd.start
        } else if mode == "range" {
            guard take() == "from" else { throw ScriptError(line: lineNo, message: "expected 'from'") }
            cmd.start = try parseDuration(take(), lineNo)
            guard take() == "to" else { throw ScriptError(line: lineNo, message: "expected 'to'") }
            cmd.end = try parseDuration(take(), lineNo)
            guard take() == "step" else { throw ScriptError(line: lineNo, message: "expected 'step'") }
            cmd.step = try parseDuration(take(), lineNo)
            cmd.instant = false
        } else {
            throw ScriptError(line: lineNo, message: "unknown eval mode \(mode)")
        }
        cmd.query = words
        for (no, text) in body {
            if text.hasPrefix("expect ") {
                try parseExpect(String(text.dropFirst(7)).trimmingWhitespace(), &cmd, no)
                continue
            }
            if text.contains("{{") {
                cmd.nativeHistogramOutput = true
                continue
            }
            let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if tokens.count == 1, !text.contains("{"), let v = parseNumber(String(tokens[0])) {
                cmd.expectedScalar = v
                continue
            }
            let (labels, rest) = try splitSeries(text, no)
            let values = try expandValues(rest, no)
            var points: [(t: Int64, v: Double)] = []
            let (s, st) = cmd.rangeVector.map { ($0.start, $0.step) } ?? (cmd.start, cmd.step)
            for (k, v) in values.enumerated() {
                if let v { points.append((s + Int64(k) * st, v)) }
            }
            cmd.expected.append(ExpectedSeries(labels: labels, points: points))
        }
        return cmd
    }

    static func parseExpect(_ text: String, _ cmd: inout EvalCommand, _ no: Int) throws {
        if text.hasPrefix("fail") {
            cmd.expectFail = true
            let rest = text.dropFirst(4).trimmingWhitespace()
            if rest.hasPrefix("msg:") { cmd.failMessage = rest.dropFirst(4).trimmingWhitespace() }
            if rest.hasPrefix("regex:") { cmd.failRegex = rest.dropFirst(6).trimmingWhitespace() }
        } else if text == "ordered" {
            cmd.ordered = true
        } else if text.hasPrefix("string") {
            let lit = text.dropFirst(6).trimmingWhitespace()
            guard case .string(let s) = try PromQLParser.parse(lit) else {
                throw ScriptError(line: no, message: "bad expected string \(lit)")
            }
            cmd.expectedString = s.value
        } else if text.hasPrefix("range vector") {
            let w = text.split(separator: " ").map(String.init)
            // range vector from <s> to <e> step <d>
            guard w.count >= 8 else { throw ScriptError(line: no, message: "bad range vector expectation") }
            cmd.rangeVector = (try parseDuration(w[3], no), try parseDuration(w[5], no), try parseDuration(w[7], no))
        } else if text == "no_warn" {
            cmd.noWarnings = true
        } else if text == "no_info" {
            cmd.noInfos = true
        } else if text.hasPrefix("warn") || text.hasPrefix("info") {
            let isWarn = text.hasPrefix("warn")
            let rest = text.dropFirst(4).trimmingWhitespace()
            var pattern = AnnotationPattern()
            if rest.hasPrefix("msg:") {
                pattern.message = rest.dropFirst(4).trimmingWhitespace()
            } else if rest.hasPrefix("regex:") {
                pattern.regex = rest.dropFirst(6).trimmingWhitespace()
            } else if !rest.isEmpty {
                throw ScriptError(line: no, message: "bad annotation expectation \(text)")
            }
            if isWarn { cmd.warnings = (cmd.warnings ?? []) + [pattern] } else { cmd.infos = (cmd.infos ?? []) + [pattern] }
        }
    }

    /// Splits `metric{a="b"} 1 2 3` into labels and the value text.
    static func splitSeries(_ text: String, _ no: Int) throws -> (Labels, String) {
        let chars = Array(text)
        var end = 0
        if let brace = chars.firstIndex(of: "{"), !chars[..<brace].contains(where: { $0 == " " || $0 == "\t" }) {
            var k = brace + 1
            var quote: Character? = nil
            while k < chars.count {
                let c = chars[k]
                if let q = quote {
                    if c == "\\" { k += 1 } else if c == q { quote = nil }
                } else if c == "\"" || c == "'" || c == "`" {
                    quote = c
                } else if c == "}" {
                    break
                }
                k += 1
            }
            end = k + 1
        } else {
            while end < chars.count, chars[end] != " " && chars[end] != "\t" { end += 1 }
        }
        let selector = String(chars[..<min(end, chars.count)])
        let rest = end < chars.count ? String(chars[end...]) : ""
        if selector == "{}" { return (Labels(), rest) }
        guard case .vectorSelector(let vs) = try PromQLParser.parse(selector) else {
            throw ScriptError(line: no, message: "bad series \(selector)")
        }
        return (Labels(vs.matchers.map { Label(name: $0.name, value: $0.value) }), rest)
    }

    /// Expands `1 2 _ 3+1x2 stale` into values (nil = missing).
    static func expandValues(_ text: String, _ no: Int) throws -> [Double?] {
        var out: [Double?] = []
        for tok in text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            if tok == "_" {
                out.append(nil)
                continue
            }
            if tok == "stale" {
                out.append(StaleNaN.value)
                continue
            }
            if let v = parseNumber(tok) {
                out.append(v)
                continue
            }
            guard let x = tok.lastIndex(of: "x"), let times = Int(tok[tok.index(after: x)...]) else {
                throw ScriptError(line: no, message: "bad value \(tok)")
            }
            let head = String(tok[..<x])
            if head == "_" {
                out.append(contentsOf: [Double?](repeating: nil, count: times))
                continue
            }
            if head == "stale" {
                out.append(contentsOf: [Double?](repeating: StaleNaN.value, count: times + 1))
                continue
            }
            let chars = Array(head)
            var opIndex: Int? = nil
            for k in stride(from: chars.count - 1, to: 0, by: -1) where chars[k] == "+" || chars[k] == "-" {
                if chars[k - 1] == "e" || chars[k - 1] == "E" { continue }
                opIndex = k
                break
            }
            if let op = opIndex, let a = parseNumber(String(chars[..<op])),
                let d = parseNumber(String(chars[(op + 1)...]))
            {
                let delta = chars[op] == "-" ? -d : d
                var k = a
                out.append(k)
                for _ in 0..<times {
                    k += delta
                    out.append(k)
                }
            } else if let a = parseNumber(head) {
                out.append(contentsOf: [Double?](repeating: a, count: times + 1))
            } else {
                throw ScriptError(line: no, message: "bad value \(tok)")
            }
        }
        return out
    }

    static func parseNumber(_ s: String) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: break
        }
        // `0x59` in a series description means "0 repeated 59 times", never hex.
        guard let first = s.first, first.isNumber || first == "-" || first == "+" || first == ".",
            !s.contains("x")
        else { return nil }
        return Double(s)
    }

    /// `50m`, `1h30m`, `0`, `8000s`, `1.5` (seconds) → milliseconds.
    static func parseDuration(_ s: String, _ no: Int) throws -> Int64 {
        if let v = Double(s) { return Int64((v * 1000).rounded()) }
        var total: Int64 = 0, n: Int64 = 0
        let chars = Array(s)
        var k = 0
        while k < chars.count {
            let c = chars[k]
            if let d = c.wholeNumberValue {
                n = n * 10 + Int64(d)
                k += 1
                continue
            }
            var unit: Int64
            switch c {
            case "m" where k + 1 < chars.count && chars[k + 1] == "s":
                unit = 1
                k += 1
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            case "w": unit = 604_800_000
            case "y": unit = 31_536_000_000
            default: throw ScriptError(line: no, message: "bad duration \(s)")
            }
            total += n * unit
            n = 0
            k += 1
        }
        return total
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
