#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Feeds a child process its input and collects both of its outputs on one thread, with poll(2).
///
/// All three pipes are served as they become ready, so a chatty program cannot block on a full
/// pipe while it is being fed, nor be fed while its output backs up.
public enum PipeExchange {
    /// Writes `input` to `inputFD` (then calls `closeInput`, so the child sees the end) while reading
    /// `outputFD` and `errorFD` to their ends. The caller keeps owning the descriptors; -1 stands for
    /// one that is not there (with no input to write, or nothing to read).
    public static func run(input: [UInt8], inputFD: Int32, closeInput: () -> Void,
                           outputFD: Int32, errorFD: Int32) -> (output: [UInt8], error: [UInt8]) {
        var output: [UInt8] = [], error: [UInt8] = []
        var writing = !input.isEmpty
        if writing {
            // Non-blocking, so a partial write never stalls the readers.
            _ = fcntl(inputFD, F_SETFL, fcntl(inputFD, F_GETFL) | O_NONBLOCK)
        } else {
            closeInput()
        }
        var written = 0
        var open: [Int32] = [outputFD, errorFD].filter { $0 >= 0 }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while writing || !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writing { fds.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == inputFD && writing {
                    let n = input.withUnsafeBytes { posixWrite(inputFD, $0.baseAddress! + written, input.count - written) }
                    if n > 0 { written += n }
                    // A child that stops reading (or exits) ends the input; errors other than "not now" do too.
                    if written == input.count || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                        writing = false
                        closeInput()
                    }
                    continue
                }
                let n = chunk.withUnsafeMutableBytes { posixRead(entry.fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    open.removeAll { $0 == entry.fd }
                } else if entry.fd == outputFD {
                    output.append(contentsOf: chunk[0..<n])
                } else {
                    error.append(contentsOf: chunk[0..<n])
                }
            }
        }
        if writing { closeInput() }
        return (output, error)
    }
}
