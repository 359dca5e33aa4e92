/// One label as byte slices of a buffer the caller owns, e.g. a decoded remote-write body.
///
/// Lets a storage find a known series without building ``Labels``: the hot path of ingestion,
/// where almost every series of a request already exists. Valid only while the buffer is.
public struct LabelBytes {
    public var name: UnsafeRawBufferPointer
    public var value: UnsafeRawBufferPointer

    public init(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        self.name = name
        self.value = value
    }
}

/// A storage that can find an existing series by the raw bytes of its labels.
public protocol RawSeriesLookup {
    /// The reference of the series whose labels are exactly `labels` (sorted by name, no empty
    /// values), if it exists. `hash` MUST be `Labels.stableHash` of those labels.
    func existingSeriesRef(hash: UInt64, labels: [LabelBytes]) -> SeriesRef?
}
