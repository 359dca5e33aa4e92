public import TSDB

/// Which blocks retention removes, and when marked blocks may finally go. Pure, like ``Planner``.
public struct RetentionPolicy: Sendable {
    /// Retention per tenant and resolution.
    public var configuration: CompactorConfiguration

    /// A policy following `configuration`.
    public init(_ configuration: CompactorConfiguration) { self.configuration = configuration }

    /// Blocks wholly past their retention at `nowMs`: their newest sample (`maxTime` is exclusive)
    /// is older than `now - retention` for the tenant and the block's resolution.
    public func expired(_ blocks: [BlockMeta], tenant: String, nowMs: Int64) -> [BlockMeta] {
        blocks.filter { b in
            let retention = configuration.retentionMs(tenant: tenant, resolution: b.thanos?.downsample.resolution ?? 0)
            return retention > 0 && b.maxTime <= nowMs - retention
        }
    }

    /// Whether a block marked at `mark` may be deleted at `nowMs`.
    public func deletable(_ mark: DeletionMark, nowMs: Int64) -> Bool {
        mark.deletionTime * 1000 + configuration.deleteDelayMs <= nowMs
    }
}
