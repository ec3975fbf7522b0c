import Foundation
import Testing
@testable import SkpKit

/// The journal's timestamps are written without ICU (Journal.timestamp): they must be what
/// Foundation's ISO 8601 formatter wrote, to the millisecond.
@Suite struct JournalTimestampTests {
    @Test func timestampsAreISO8601InUTCWithMilliseconds() {
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        let fixed: [Double] = [0, 0.999, 951_782_400.5, 1_795_466_443.659, 4_102_444_799.001]
        let random = (0..<500).map { _ in Double(Int.random(in: 0..<4_102_444_800_000_000, using: &generator)) / 1_000_000 }
        for seconds in fixed + random {
            let date = Date(timeIntervalSince1970: seconds)
            // Whole milliseconds: both must write exactly these.
            let exact = Date(timeIntervalSince1970: (seconds * 1000).rounded() / 1000 + 0.0000001)
            #expect(Journal.timestamp(exact) == reference.string(from: exact), "\(seconds)")
            #expect(Journal.timestamp(date) == reference.string(from: date), "\(seconds)")
        }
        #expect(Journal.timestamp(Date(timeIntervalSince1970: 1_795_466_443.659)) == "2026-11-23T20:40:43.659Z")
    }
}
