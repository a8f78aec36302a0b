import Testing
import Platform

@Suite struct ByteSearchTests {
    private func find(_ needle: String, _ haystack: String, from start: Int = 0) -> Int? {
        ByteSearch.find(Array(needle.utf8), in: Array(haystack.utf8), from: start)
    }

    @Test func findsTheFirstOccurrenceAtOrAfterTheStart() {
        #expect(find("ab", "xxabyyab") == 2)
        #expect(find("ab", "xxabyyab", from: 3) == 6)
        #expect(find("ab", "xxabyyab", from: 7) == nil)
    }

    @Test func skipsPartialMatchesOfTheFirstByte() {
        #expect(find("aab", "aaaab") == 2)
    }

    @Test func absentEmptyOrLongerNeedlesAreNotFound() {
        #expect(find("zz", "abc") == nil)
        #expect(find("", "abc") == nil)
        #expect(find("abcd", "abc") == nil)
    }

    /// In a String, offsets count UTF-8 bytes (what a caller slicing `utf8` needs), not Characters.
    @Test func stringOffsetsCountUTF8Bytes() {
        #expect(ByteSearch.offset(of: "://", in: "é://x") == 2)
        #expect(ByteSearch.contains("KEY-----", in: "-----BEGIN PRIVATE KEY-----"))
        #expect(!ByteSearch.contains("", in: "abc"))
        #expect(!ByteSearch.contains("abc", in: ""))
    }
}
