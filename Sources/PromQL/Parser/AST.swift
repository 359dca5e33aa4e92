import Foundation
public import PromModel

/// The type a PromQL expression evaluates to.
public enum ValueType: String, Sendable, Hashable {
    case scalar
    case vector = "instant vector"
    case matrix = "range vector"
    case string
}

/// A parsed PromQL expression.
///
/// Cases mirror Prometheus' node types; parentheses are kept (`paren`) so positions and printing stay faithful.
public indirect enum Expr: Sendable {
    case number(Double)
    case string(StringLiteral)
    case vectorSelector(VectorSelector)
    case matrixSelector(MatrixSelector)
    case subquery(SubqueryExpr)
    case paren(Expr)
    /// Unary minus (`negate == true`) or plus.
    case unary(negate: Bool, Expr)
    case binary(BinaryExpr)
    case aggregate(AggregateExpr)
    case call(Call)

    /// The type the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vectorSelector: return .vector
        case .matrixSelector, .subquery: return .matrix
        case .paren(let e), .unary(_, let e): return e.type
        case .binary(let b): return b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        case .aggregate: return .vector
        case .call(let c): return c.function.returnType
        }
    }

    /// The expression without enclosing parentheses.
    public var unwrapped: Expr {
        if case .paren(let e) = self { return e.unwrapped }
        return self
    }
}

/// A string literal; `bytes` keeps escapes that are not valid UTF-8 (`"\xff"`).
public struct StringLiteral: Sendable {
    /// The decoded text (invalid UTF-8 repaired).
    public var value: String
    /// The decoded bytes exactly.
    public var bytes: [UInt8]
    /// Whether the literal decodes to valid UTF-8.
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }
}

/// A span of time written as a duration expression (`5m`, `1h+30m`, `step()*2`), in seconds.
public indirect enum DurationExpr: Sendable {
    case seconds(Double)
    /// The query step (`step()`).
    case step
    /// The query range, end minus start (`range()`).
    case range
    case negate(DurationExpr)
    case binary(BinaryOperator, DurationExpr, DurationExpr)
    case minOf(DurationExpr, DurationExpr)
    case maxOf(DurationExpr, DurationExpr)

    /// The value in milliseconds for a query with the given step and range.
    func milliseconds(stepMs: Int64, rangeMs: Int64) -> Int64 {
        let s = seconds(stepMs: stepMs, rangeMs: rangeMs)
        return Int64((s * 1000).rounded())
    }

    func seconds(stepMs: Int64, rangeMs: Int64) -> Double {
        switch self {
        case .seconds(let s): return s
        case .step: return Double(stepMs) / 1000
        case .range: return Double(rangeMs) / 1000
        case .negate(let e): return -e.seconds(stepMs: stepMs, rangeMs: rangeMs)
        case .minOf(let a, let b):
            return Swift.min(a.seconds(stepMs: stepMs, rangeMs: rangeMs), b.seconds(stepMs: stepMs, rangeMs: rangeMs))
        case .maxOf(let a, let b):
            return Swift.max(a.seconds(stepMs: stepMs, rangeMs: rangeMs), b.seconds(stepMs: stepMs, rangeMs: rangeMs))
        case .binary(let op, let a, let b):
            let x = a.seconds(stepMs: stepMs, rangeMs: rangeMs), y = b.seconds(stepMs: stepMs, rangeMs: rangeMs)
            switch op {
            case .add: return x + y
            case .sub: return x - y
            case .mul: return x * y
            case .div: return x / y
            case .mod: return x.truncatingRemainder(dividingBy: y)
            case .pow: return pow(x, y)
            default: return .nan
            }
        }
    }

    /// Whether the value is known without a query (no `step()` or `range()`).
    public var isConstant: Bool {
        switch self {
        case .seconds: return true
        case .step, .range: return false
        case .negate(let e): return e.isConstant
        case .binary(_, let a, let b), .minOf(let a, let b), .maxOf(let a, let b): return a.isConstant && b.isConstant
        }
    }
}

/// The time of an `@` modifier.
public enum AtModifier: Sendable, Hashable {
    case time(Timestamp)
    case start
    case end
}

/// `metric{label="value"} offset 5m @ 100`.
public struct VectorSelector: Sendable {
    /// The metric name, when given before the braces or as a bare string inside them.
    public var name: String?
    /// All matchers, including the one for `__name__`.
    public var matchers: [Matcher]
    /// `offset`; negative looks ahead.
    public var offset: DurationExpr?
    /// `@` modifier.
    public var at: AtModifier?
}

/// `selector[5m]`.
public struct MatrixSelector: Sendable {
    /// The selector the range applies to.
    public var vector: VectorSelector
    /// Window length; windows are left-open `(t - range, t]`.
    public var range: DurationExpr
}

/// `expr[range:step]`.
public struct SubqueryExpr: Sendable {
    /// The inner expression.
    public var expr: Expr
    /// Window length; windows are left-open `(t - range, t]`.
    public var range: DurationExpr
    /// nil means the engine's default resolution.
    public var step: DurationExpr?
    /// `offset`; negative looks ahead.
    public var offset: DurationExpr?
    /// `@` modifier.
    public var at: AtModifier?
}

/// How two vectors' elements are paired by a binary operator.
public struct VectorMatching: Sendable {
    /// Which side may have several elements per match group; many-to-many is for set operators.
    public enum Cardinality: Sendable { case oneToOne, manyToOne, oneToMany, manyToMany }
    /// The cardinality of the matching.
    public var card: Cardinality
    /// `on(...)` when true, else `ignoring(...)`.
    public var on: Bool
    /// The `on`/`ignoring` label list.
    public var matchingLabels: [String]
    /// Labels copied from the "one" side by `group_left(...)`/`group_right(...)`.
    public var include: [String]
    /// `fill_left(v)`: a value for a missing left-hand element.
    public var fillLeft: Double?
    /// `fill_right(v)`: a value for a missing right-hand element.
    public var fillRight: Double?
}

/// `lhs op bool on(...) group_left(...) rhs`.
public struct BinaryExpr: Sendable {
    /// The operator.
    public var op: BinaryOperator
    /// Left operand.
    public var lhs: Expr
    /// Right operand.
    public var rhs: Expr
    /// `bool`: comparisons return 0 or 1 instead of filtering.
    public var returnBool: Bool
    /// Set when both operands are instant vectors.
    public var matching: VectorMatching?
}

/// The aggregation operators.
public enum AggregateOp: String, Sendable, CaseIterable {
    case sum, min, max, avg, group, stddev, stdvar, count, count_values, bottomk, topk, quantile, limitk, limit_ratio

    /// The type of the parameter, for operators that take one.
    var paramType: ValueType? {
        switch self {
        case .count_values: return .string
        case .topk, .bottomk, .quantile, .limitk, .limit_ratio: return .scalar
        default: return nil
        }
    }
}

/// `sum by (job) (expr)`, `topk(3, expr)`.
public struct AggregateExpr: Sendable {
    /// The operator.
    public var op: AggregateOp
    /// The inner expression.
    public var expr: Expr
    /// The parameter of `topk`, `quantile`, `count_values`, ...
    public var param: Expr?
    /// The `by`/`without` label list.
    public var grouping: [String]
    /// True for `without`, false for `by` (or no clause).
    public var without: Bool
    /// Byte offset of the operator in the query text, for annotations.
    public var position = 0
    /// Byte offset of the parameter in the query text, for annotations.
    public var paramPosition = 0
}

/// A function call.
public struct Call: Sendable {
    /// The called function.
    public var function: FunctionSignature
    /// The arguments, type checked against the signature.
    public var args: [Expr]
    /// Byte offset of the function name in the query text, for annotations.
    public var position = 0
    /// Byte offset of each argument in the query text, for annotations.
    public var argPositions: [Int] = []
}
