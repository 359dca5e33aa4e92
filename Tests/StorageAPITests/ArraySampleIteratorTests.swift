import PromModel
import StorageAPI
import Testing

@Suite struct ArraySampleIteratorTests {
    let samples = (0..<10).map { Sample(t: Timestamp(ms: Int64($0) * 10), v: Double($0)) }

    @Test func nextVisitsAllInOrder() throws {
        var it = ArraySampleIterator(samples)
        var seen: [Sample] = []
        while try it.next() { seen.append(it.at()) }
        #expect(seen == samples)
        #expect(try it.next() == false)
    }

    @Test("seek lands on the first sample at or after t", arguments: [(-5, 0), (0, 0), (15, 20), (90, 90)])
    func seek(target: Int64, want: Int64) throws {
        var it = ArraySampleIterator(samples)
        #expect(try it.seek(Timestamp(ms: target)))
        #expect(it.at().t.ms == want)
    }

    @Test func seekPastEndAndNeverBackwards() throws {
        var it = ArraySampleIterator(samples)
        #expect(try it.seek(Timestamp(ms: 50)))
        #expect(try it.seek(Timestamp(ms: 10)))
        #expect(it.at().t.ms == 50)
        #expect(try it.seek(Timestamp(ms: 91)) == false)
    }
}
