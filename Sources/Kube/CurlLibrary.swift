import CurlShim

/// The system's libcurl, loaded when the first request is sent rather than at process start
/// (Sources/CurlShim/include/CurlShim.h says why).
enum CurlLibrary {
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
