/// The name and argument types of a PromQL function.
public struct FunctionSignature: Sendable {
    /// The name as written in queries.
    public var name: String
    /// Argument types in order.
    public var argTypes: [ValueType]
    /// 0: exactly `argTypes`; n > 0: up to n trailing arguments optional; -1: the last type repeats.
    public var variadic: Int
    /// The result type.
    public var returnType: ValueType

    init(_ name: String, _ argTypes: [ValueType], _ returnType: ValueType, variadic: Int = 0) {
        self.name = name
        self.argTypes = argTypes
        self.variadic = variadic
        self.returnType = returnType
    }

    /// Every function the engine knows, by name.
    static let all: [String: FunctionSignature] = {
        var m: [String: FunctionSignature] = [:]
        func add(_ f: FunctionSignature) { m[f.name] = f }
        let vectorMath = [
            "abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "acos", "acosh", "asin", "asinh",
            "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad", "timestamp", "absent",
            "sort", "sort_desc", "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev",
            "histogram_stdvar",
        ]
        for n in vectorMath { add(.init(n, [.vector], .vector)) }
        let overTime = [
            "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "avg_over_time",
            "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "stddev_over_time",
            "stdvar_over_time", "last_over_time", "first_over_time", "present_over_time", "absent_over_time",
            "mad_over_time", "ts_of_min_over_time", "ts_of_max_over_time", "ts_of_last_over_time",
            "ts_of_first_over_time",
        ]
        for n in overTime { add(.init(n, [.matrix], .vector)) }
        for n in ["minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year"] {
            add(.init(n, [.vector], .vector, variadic: 1))
        }
        add(.init("quantile_over_time", [.scalar, .matrix], .vector))
        add(.init("predict_linear", [.matrix, .scalar], .vector))
        add(.init("double_exponential_smoothing", [.matrix, .scalar, .scalar], .vector))
        add(.init("clamp", [.vector, .scalar, .scalar], .vector))
        add(.init("clamp_min", [.vector, .scalar], .vector))
        add(.init("clamp_max", [.vector, .scalar], .vector))
        add(.init("round", [.vector, .scalar], .vector, variadic: 1))
        add(.init("histogram_quantile", [.scalar, .vector], .vector))
        add(.init("histogram_quantiles", [.vector, .string, .scalar], .vector, variadic: -1))
        add(.init("histogram_fraction", [.scalar, .scalar, .vector], .vector))
        add(.init("label_replace", [.vector, .string, .string, .string, .string], .vector))
        add(.init("label_join", [.vector, .string, .string, .string], .vector, variadic: -1))
        add(.init("sort_by_label", [.vector, .string], .vector, variadic: -1))
        add(.init("sort_by_label_desc", [.vector, .string], .vector, variadic: -1))
        add(.init("info", [.vector, .vector], .vector, variadic: 1))
        add(.init("scalar", [.vector], .scalar))
        add(.init("vector", [.scalar], .vector))
        add(.init("time", [], .scalar))
        add(.init("pi", [], .scalar))
        for n in ["step", "range", "start", "end"] { add(.init(n, [], .scalar)) }
        add(.init("min_of", [.scalar, .scalar], .scalar))
        add(.init("max_of", [.scalar, .scalar], .scalar))
        return m
    }()
}
