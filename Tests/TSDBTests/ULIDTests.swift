import PromModel
import Testing

@testable import TSDB

@Suite struct ULIDTests {
    @Test func formatsAndParsesCrockfordBase32() throws {
        let u = ULID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
        #expect(u.description.count == 26)
        #expect(ULID(u.description) == u)
        #expect(ULID(u.description.lowercased()) == u)
        #expect(ULID(high: 0, low: 0).description == "00000000000000000000000000")
        #expect(ULID(high: .max, low: .max).description == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
        #expect(ULID("8ZZZZZZZZZZZZZZZZZZZZZZZZZ") == nil)  // 131 bits
        #expect(ULID("0000000000000000000000000U") == nil)  // not in the alphabet
        #expect(ULID("short") == nil)
    }

    @Test func timePrefixSortsAndSurvives() {
        let a = ULID(time: Timestamp(ms: 1_700_000_000_000))
        let b = ULID(time: Timestamp(ms: 1_700_000_000_001))
        #expect(a.time == Timestamp(ms: 1_700_000_000_000))
        #expect(a < b && a.description < b.description)
    }

    @Test func generatorIsMonotonicWithinAMillisecond() {
        var g = ULIDGenerator()
        let now = Timestamp(ms: 42)
        let ids = (0..<1000).map { _ in g.next(now: now) }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ids.allSatisfy { $0.time == now })
    }
}
