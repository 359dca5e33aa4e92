import ArgumentParser
import PromModel
import PromQL

/// PromQL limits shared by `hearth server` and `hearth receive`, named as in Prometheus.
struct QueryFlags: ParsableArguments {
    @Option(name: .customLong("query.timeout"), help: "Maximum time a query may take before it is aborted.")
    var timeout = "2m"

    @Option(
        name: .customLong("query.max-samples"),
        help: "Maximum number of samples a single query can load into memory.")
    var maxSamples = 50_000_000

    /// Sets the sample limit on `options` and returns the query timeout.
    func apply(to options: inout EngineOptions) throws -> Duration {
        guard maxSamples > 0 else { throw ValidationError("--query.max-samples must be positive, got \(maxSamples)") }
        options.maxSamples = maxSamples
        let ms: Int64
        do { ms = try PrometheusDuration.parseMilliseconds(timeout) } catch {
            throw ValidationError("--query.timeout: \(error)")
        }
        guard ms > 0 else { throw ValidationError("--query.timeout must be positive, got \(timeout)") }
        return .milliseconds(ms)
    }
}
