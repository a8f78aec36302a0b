import Foundation
import Testing
import Platform

/// Platform's string helpers replace what the binary used from the whole of Foundation; each is
/// checked against Foundation itself (tests may link it) on the inputs the package meets.
@Suite struct TextTests {
    @Test(arguments: ["/a/b/c", "a/b/c", "/a", "/", "", "a/b/", "/a//b", "config/x.yaml", "//a"])
    func pathPartsMatchNSString(path: String) {
        #expect(PathText.parent(path) == (path as NSString).deletingLastPathComponent, "parent of \(path)")
        #expect(PathText.lastComponent(path) == (path as NSString).lastPathComponent, "last component of \(path)")
    }

    /// A bare name (NSString traps on it in this Foundation, so it is checked on its own).
    @Test func aBareNameHasNoParent() {
        #expect(PathText.parent("k3s") == "")
        #expect(PathText.lastComponent("k3s") == "k3s")
    }

    // ("/a", "/b") differs on purpose: NSString writes "/a//b", this "/a/b".
    @Test(arguments: [("/etc", "k3s"), ("/etc/", "k3s"), ("base", "sub/file"), ("", "x")])
    func joinMatchesNSString(directory: String, component: String) {
        #expect(PathText.join(directory, component) == (directory as NSString).appendingPathComponent(component))
    }

    @Test(arguments: [0.0, 0.04, 0.96, 1.25, 12.345, 99.94, 1023.9, -1.26, 3.14159, 1e6 + 0.4])
    func fixedPointMatchesPrintf(value: Double) {
        #expect(NumberText.fixed(value, digits: 1) == String(format: "%.1f", value), "\(value)")
        #expect(NumberText.fixed(value, digits: 0) == String(format: "%.0f", value), "\(value)")
        #expect(NumberText.fixed(value, digits: 3) == String(format: "%.3f", value), "\(value)")
    }

    @Test func twoDigitsMatchesPrintf() {
        for value in [0, 7, 10, 59, 123] { #expect(NumberText.twoDigits(value) == String(format: "%02d", value)) }
    }

    @Test(arguments: ["plain", "a b&c=d/e?f", "pässwörd", "~-._", "100%", "name=faf,app in (x)", ""])
    func percentEncodingMatchesFoundationAndRoundTrips(value: String) {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = PercentEncoding.encode(value)
        #expect(encoded == value.addingPercentEncoding(withAllowedCharacters: unreserved))
        #expect(PercentEncoding.decode(encoded) == value)
        #expect(PercentEncoding.decode(encoded) == encoded.removingPercentEncoding)
    }

    @Test func malformedEscapesDecodeToNilAsInFoundation() {
        for bad in ["%", "%4", "%zz", "%C3%28"] {
            #expect(PercentEncoding.decode(bad) == nil, "\(bad)")
            #expect(bad.removingPercentEncoding == nil, "\(bad)")
        }
    }

    @Test(arguments: ["  a b  ", "\ta\t", " \n x \n ", "", "   ", "no-trim"])
    func trimmingMatchesFoundation(text: String) {
        #expect(text.trimming(.whitespace) == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimming(.whitespaceAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text.trimming(.characters(" a")) == text.trimmingCharacters(in: CharacterSet(charactersIn: " a")))
    }

    @Test func errorsFromFileManagerReadAsErrno() {
        do {
            _ = try FileManager.default.contentsOfDirectory(atPath: "/nonexistent-bootstrap-test")
            Issue.record("listing a missing directory succeeded")
        } catch {
            #expect(SystemError.reason(of: error) == "No such file or directory")
        }
    }
}
