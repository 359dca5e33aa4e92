import Glibc

/// A whole file mapped read-only into memory; unmapped when the last reference goes away.
///
/// Reading through the mapping lets the kernel page data in on demand and share it between
/// queries, instead of loading index and chunk files into the heap.
package final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and never changes after init; deinit runs only once no
    // reference (and so no reader of `bytes`) remains.
    /// The mapped bytes; valid for the lifetime of this object.
    package let bytes: UnsafeRawBufferPointer
    /// The path as given, used in error messages.
    package let path: String
    private let base: UnsafeMutableRawPointer?

    /// Maps `path`.
    /// - Throws: ``TSDBError`` with code `io` when the file cannot be opened, sized or mapped.
    package init(path: String) throws(TSDBError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TSDBError(.io, "cannot open \(path): \(errnoString())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TSDBError(.io, "cannot stat \(path): \(errnoString())") }
        let size = Int(st.st_size)
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { throw TSDBError(.io, "cannot mmap \(path) (\(size) bytes): \(errnoString())") }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }
}

/// The text of the current `errno`.
package func errnoString() -> String {
    String(cString: strerror(errno))
}
