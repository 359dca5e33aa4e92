import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Prometheus' `humanize*` template functions.
enum Humanize {
    /// `humanize`: SI prefixes, four significant digits (`1.235k`, `12.5m`).
    static func si(_ v: Double) -> String {
        if v == 0 || v.isNaN || v.isInfinite { return GoFormat.sprintf("%.4g", [.float(v)]) }
        var x = v
        if abs(x) >= 1 {
            var prefix = ""
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(x) < 1000 { break }
                prefix = p
                x /= 1000
            }
            return GoFormat.sprintf("%.4g", [.float(x)]) + prefix
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(x) >= 1 { break }
            prefix = p
            x *= 1000
        }
        return GoFormat.sprintf("%.4g", [.float(x)]) + prefix
    }

    /// `humanize1024`: binary prefixes (`1ki`, `1.5Mi`).
    static func binary(_ v: Double) -> String {
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return GoFormat.sprintf("%.4g", [.float(v)]) }
        var x = v
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(x) < 1024 { break }
            prefix = p
            x /= 1024
        }
        return GoFormat.sprintf("%.4g", [.float(x)]) + prefix
    }

    /// `humanizeDuration`: seconds as `1d 2h 3m 4s`, or `1.5ms` below a second.
    static func duration(_ v: Double) -> String {
        if v.isNaN || v.isInfinite { return GoFormat.sprintf("%.4g", [.float(v)]) }
        if v == 0 { return "0s" }
        if abs(v) >= 1 {
            let sign = v < 0 ? "-" : ""
            let total = Int64(abs(v))
            let seconds = total % 60, minutes = (total / 60) % 60, hours = (total / 3600) % 24, days = total / 86400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + GoFormat.sprintf("%.4g", [.float(abs(v))]) + "s"
        }
        var x = v
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(x) >= 1 { break }
            prefix = p
            x *= 1000
        }
        return GoFormat.sprintf("%.4g", [.float(x)]) + prefix + "s"
    }

    /// `humanizeTimestamp`: Unix seconds as Go's `time.Time` string in UTC.
    static func timestamp(_ v: Double) -> String {
        if v.isNaN || v.isInfinite { return GoFormat.sprintf("%.4g", [.float(v)]) }
        let seconds = Int64(v.rounded(.down))
        let nanos = Int64(((v - Double(seconds)) * 1e9).rounded())
        var base = RFC3339.format(ms: seconds * 1000, fraction: false)
        base.removeLast()  // "Z"
        base = base.replacingOccurrences(of: "T", with: " ")
        if nanos > 0 {
            var frac = String(format: "%09lld", nanos)
            while frac.hasSuffix("0") { frac.removeLast() }
            base += "." + frac
        }
        return base + " +0000 UTC"
    }
}

/// RFC 3339 timestamps in UTC, as Alertmanager's API and Go's `time.Time` print them.
enum RFC3339 {
    /// `2024-05-01T12:00:00.123Z` (or without the fraction).
    static func format(ms: Int64, fraction: Bool = true) -> String {
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = ms - seconds * 1000
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let date = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return date + (fraction ? String(format: ".%03d", Int(millis)) : "") + "Z"
    }
}
