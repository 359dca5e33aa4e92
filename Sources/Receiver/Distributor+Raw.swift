import PromModel
public import PromWire
import StorageAPI

extension Distributor {
    /// Ingests a decoded (snappy-decompressed) remote write 1.0 body without building labels for
    /// series the tenant's head already has: their label bytes are hashed and compared in place.
    ///
    /// Same outcome as ``push(tenant:series:)`` on the decoded request; only new series, series
    /// with histograms and senders that do not sort labels take the allocating path.
    /// - Throws: ``WireError`` for a malformed body (nothing ingested), ``ReceiverError`` as `push`.
    public func push(tenant: String, protobuf body: [UInt8]) async throws -> IngestSummary {
        let handle = try await registry.tenant(tenant)
        let now = nowMs()
        var appender = handle.storage.appender()
        let summary = try body.withUnsafeBytes { raw in
            try appendVisiting(raw, handle: handle, now: now, appender: &appender)
        }
        try await commit(&appender, tenant: tenant)
        record(summary, tenant: tenant, headSeries: handle.storage.headSeriesCount)
        return summary
    }

    private func appendVisiting(
        _ raw: UnsafeRawBufferPointer, handle: TenantHandle, now: Int64, appender: inout any Appender
    ) throws -> IngestSummary {
        var sampleCount = 0
        var summary = IngestSummary()
        let maxT = now &+ futureGraceMs
        var pairs: [LabelBytes] = []
        pairs.reserveCapacity(16)
        try WriteRequestDecoder.visit(raw) { series in
            if let ref = knownSeries(series, storage: handle.storage, pairs: &pairs) {
                var accepted = false
                var lostRef = false
                series.forEachSample { s in
                    sampleCount += 1
                    guard !lostRef else { return }
                    if s.t.ms > maxT {
                        summary.reject(.tooFarInFuture, "sample of \(labelsText(pairs)) at \(s.t.ms) is more than \(futureGraceMs / 1000)s in the future")
                        return
                    }
                    do throws(AppendError) {
                        _ = try appender.append(ref: ref, labels: Labels(), t: s.t, v: s.v)
                        summary.acceptedSamples += 1
                        accepted = true
                    } catch where error.code == .invalidLabels {
                        // The series was garbage-collected since the lookup: redo it the slow way.
                        lostRef = true
                    } catch {
                        summary.reject(Self.reason(error), "sample of \(labelsText(pairs)) at \(s.t.ms): \(error.message)")
                    }
                }
                if lostRef {
                    ingest(series.decoded(), handle: handle, maxT: maxT, appender: &appender, summary: &summary)
                } else if accepted {
                    summary.acceptedSeries += 1
                }
            } else {
                let decoded = series.decoded()
                sampleCount += decoded.samples.count
                ingest(decoded, handle: handle, maxT: maxT, appender: &appender, summary: &summary)
            }
        }
        // Counted during the single walk; a refused request is rolled back before anything is
        // committed, so the limit still applies to whole requests.
        do { try checkRate(handle, samples: sampleCount, now: now) } catch {
            appender.rollback()
            throw error
        }
        return summary
    }

    /// The reference of an existing series whose wire labels are sorted, non-empty and equal.
    private func knownSeries(_ series: borrowing RawSeries, storage: any TenantStorage, pairs: inout [LabelBytes]) -> SeriesRef? {
        guard series.histogramCount == 0 else { return nil }
        pairs.removeAll(keepingCapacity: true)
        var hash = XXHash64()
        var usable = true
        var previous: UnsafeRawBufferPointer?
        series.forEachLabel { name, value in
            // Hashing wire order equals `Labels.stableHash` only for sorted labels without empties.
            if value.isEmpty || (previous.map { !Self.less($0, name) } ?? false) { usable = false }
            previous = name
            hash.update(bytes: name)
            hash.update(byte: 0xff)
            hash.update(bytes: value)
            hash.update(byte: 0xff)
            pairs.append(LabelBytes(name: name, value: value))
        }
        guard usable, !pairs.isEmpty else { return nil }
        return storage.existingSeriesRef(hash: hash.finalize(), labels: pairs)
    }

    private static func less(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.lexicographicallyPrecedes(b)
    }

    private func labelsText(_ pairs: [LabelBytes]) -> String {
        "{" + pairs.map { "\(String(decoding: $0.name, as: UTF8.self))=\"\(String(decoding: $0.value, as: UTF8.self))\"" }
            .joined(separator: ", ") + "}"
    }
}
