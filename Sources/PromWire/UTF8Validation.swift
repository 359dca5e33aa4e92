/// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF),
/// the same rule as `String(validating:as:)`. ASCII runs are checked eight bytes at a time.
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let n = bytes.count
    var i = 0
    while i + 8 <= n {
        if bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
        i += 8
    }
    while i < n {
        let b0 = bytes[i]
        if b0 < 0x80 {
            i += 1
            continue
        }
        func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xc0 == 0x80 }
        switch b0 {
        case 0xc2...0xdf:
            guard cont(1) else { return false }
            i += 2
        case 0xe0...0xef:
            guard cont(1), cont(2) else { return false }
            let b1 = bytes[i + 1]
            if b0 == 0xe0 && b1 < 0xa0 { return false }  // overlong
            if b0 == 0xed && b1 > 0x9f { return false }  // surrogates
            i += 3
        case 0xf0...0xf4:
            guard cont(1), cont(2), cont(3) else { return false }
            let b1 = bytes[i + 1]
            if b0 == 0xf0 && b1 < 0x90 { return false }  // overlong
            if b0 == 0xf4 && b1 > 0x8f { return false }  // past U+10FFFF
            i += 4
        default:
            return false
        }
    }
    return true
}
