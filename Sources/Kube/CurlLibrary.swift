import CurlShim
import Platform

/// The system's libcurl, loaded when the first request is sent rather than at process start
/// (Sources/CurlShim/include/CurlShim.h says why).
public enum CurlLibrary {
    /// Starts mapping libcurl on a thread of its own, for a command that will talk to a server:
    /// the dynamic loader's 3-4 ms then overlap reading and checking the playbook.
    public static func preload() {
        Blocking.thread(name: "curl-preload") { bs_curl_preload() }
    }

    /// Loads `soname` (default: libcurl.so.4) once; the error says what to install when it is missing.
    static func load(soname: String? = nil) -> TransportError? {
        var error = [CChar](repeating: 0, count: 512)
        let status = soname.map { name in name.withCString { bs_curl_load($0, &error, error.count) } }
            ?? bs_curl_load(nil, &error, error.count)
        guard status != 0 else { return nil }
        let detail = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return TransportError(.libraryMissing,
                              "cannot load libcurl, which bootstrap uses to talk to the API server (\(detail)); "
                                  + "install it: apt-get install libcurl4")
    }
}
