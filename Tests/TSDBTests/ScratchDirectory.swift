#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import TSDB

/// A fresh directory under the system temp dir, removed by ``remove()``.
final class ScratchDirectory {
    let path: String

    init(_ name: String = "hearth") {
        let base = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/\(name)-XXXXXX"
        var template = Array(base.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func remove() { try? DiskIO.removeAll(path) }

    deinit { remove() }
}
