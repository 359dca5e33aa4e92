import StorageAPI

extension APIParameters {
    /// Thanos' `max_source_resolution` for a query: `raw` or `0s` (raw data only), a duration such
    /// as `5m` or `1h` (prefer the coarsest resolution not above it, finer ones in its gaps), or
    /// `auto` (a fifth of the range query's step, as Thanos; raw-first for instant queries).
    /// Absent or empty: the finest resolution that exists for each sub-range.
    /// - Throws: ``APIError`` `bad_data` for anything else.
    func sourceResolution(stepMs: Int64) throws(APIError) -> SourceResolution {
        guard let text = self["max_source_resolution"], !text.isEmpty else { return .finest }
        switch text {
        case "raw": return .atMost(0)
        case "auto": return stepMs / 5 >= 300_000 ? .atMost(stepMs / 5) : .finest
        default:
            guard let ms = try duration("max_source_resolution"), ms >= 0 else {
                throw APIError(.badData, "invalid parameter \"max_source_resolution\": must be raw, auto or a non-negative duration")
            }
            return .atMost(ms)
        }
    }

    /// `storage` read at the request's `max_source_resolution`, when it holds several resolutions.
    func applyingSourceResolution(_ storage: any Queryable, stepMs: Int64) throws(APIError) -> any Queryable {
        let resolution = try sourceResolution(stepMs: stepMs)
        guard resolution != .finest, let multi = storage as? any MultiResolutionQueryable else { return storage }
        return multi.reading(resolution)
    }
}
