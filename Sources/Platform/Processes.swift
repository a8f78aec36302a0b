import CSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Child processes: started in a process group of their own and killed by the kernel when bootstrap
/// dies, tracked while they run so an interruption can reach every one of them.
public enum Processes {
    /// This process's id.
    public static var ownID: Int32 { getpid() }

    /// The machine's host name (gethostname(2)), as ProcessInfo gave it; "localhost" if it cannot be read.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Ends this process with `status` once C's streams are flushed, without exit handlers or
    /// library destructors (libcurl's thirty-odd libraries each have some): for a command that has
    /// written everything and waited for everything it started, whose exit then costs nothing
    /// beyond the kernel's (docs/performance.md).
    public static func end(_ status: Int32) -> Never {
        fflush(nil)
        _exit(status)
    }

    /// True only when `pid` is certainly gone (kill(pid, 0) says ESRCH); a process of another user is not.
    public static func isGone(_ pid: Int32) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }

    /// How a child ended.
    public struct Exit: Sendable, Equatable {
        /// The exit status, or nil when a signal ended it.
        public var code: Int32?
        /// The signal that ended it.
        public var signal: Int32?
        /// The shell's convention: the code, or 128 + the signal.
        public var status: Int32 { code ?? 128 + (signal ?? 0) }
    }

    public struct Result: Sendable {
        public var exit: Exit
        public var output: [UInt8]
        public var error: [UInt8]
    }

    /// Refused: an interruption stopped the starting of new processes.
    public struct Stopped: Error, Sendable, CustomStringConvertible {
        public var description: String { "interrupted: no new command is started" }
    }

    /// Runs `executable` to its end, feeding `input` and collecting both outputs; blocks the calling
    /// thread (call it on a `Blocking` thread, which must also be the one that waits: the kernel's
    /// parent-death signal follows the thread that started the child).
    ///
    /// With `terminal`, the child instead reads bootstrap's own standard input and writes its
    /// messages straight to bootstrap's standard error (`input` is not used, `error` stays empty),
    /// and it stays in bootstrap's process group, the terminal's foreground group, where reading
    /// the terminal is allowed: an interactive login asks its questions there. Only its standard
    /// output is collected.
    public static func run(_ executable: String, arguments: [String], environment: [String: String],
                           input: [UInt8], terminal: Bool = false) throws -> Result {
        // -1: no pipe; the child gets bootstrap's own descriptor (0 or 2) in its place.
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        func closeAll() { (stdinPipe + stdoutPipe + stderrPipe).filter { $0 >= 0 }.forEach { posixClose($0) } }
        for pipe in terminal ? [1] : [0, 1, 2] {
            let made = switch pipe {
            case 0: bs_pipe_cloexec(&stdinPipe)
            case 1: bs_pipe_cloexec(&stdoutPipe)
            default: bs_pipe_cloexec(&stderrPipe)
            }
            guard made == 0 else {
                let failure = SystemError.last("pipe", executable)
                closeAll()
                throw failure
            }
        }
        let argv = [executable] + arguments
        let envp = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        let started: Int32
        do {
            started = try Children.register(ownGroup: !terminal) {
                withCStrings(argv) { argvPointers in
                    withCStrings(envp) { envPointers in
                        bs_spawn(executable, argvPointers, envPointers, terminal ? 0 : stdinPipe[0], stdoutPipe[1],
                                 terminal ? 2 : stderrPipe[1], terminal ? 0 : 1)
                    }
                }
            }
        } catch {
            closeAll()
            throw error
        }
        // The child's ends; ours stay open below.
        for fd in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] where fd >= 0 { posixClose(fd) }
        stdinPipe[0] = -1; stdoutPipe[1] = -1; stderrPipe[1] = -1
        guard started > 0 else {
            let failure = SystemError.last("exec", executable)
            closeAll()
            throw failure
        }
        var inputOpen = stdinPipe[1] >= 0
        let (output, error) = PipeExchange.run(input: terminal ? [] : input, inputFD: stdinPipe[1],
                                               closeInput: { if inputOpen { inputOpen = false; posixClose(stdinPipe[1]) } },
                                               outputFD: stdoutPipe[0], errorFD: stderrPipe[0])
        if inputOpen { posixClose(stdinPipe[1]) }
        for fd in [stdoutPipe[0], stderrPipe[0]] where fd >= 0 { posixClose(fd) }
        var status: Int32 = 0
        while waitpid(started, &status, 0) < 0 && errno == EINTR {}
        Children.unregister(started)
        let signalled = status & 0x7f
        let exit = signalled == 0 ? Exit(code: (status >> 8) & 0xff, signal: nil) : Exit(code: nil, signal: signalled)
        return Result(exit: exit, output: output, error: error)
    }

    /// The executable `program` names, as a shell finds it: `program` itself when it has a `/`,
    /// else the first executable regular file of that name in `path`'s directories; nil when none.
    public static func locate(_ program: String, path: String) -> String? {
        func executable(_ candidate: String) -> Bool {
            ((try? FileInfo.of(candidate, followingLinks: true)) ?? nil)?.kind == .file && access(candidate, X_OK) == 0
        }
        if program.contains("/") { return executable(program) ? program : nil }
        return path.split(separator: ":").lazy.filter { !$0.isEmpty }.map { "\($0)/\(program)" }.first(where: executable)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return (copies + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The child processes running now; an interruption stops new ones and signals these.
public enum Children {
    struct State {
        /// Each child's pid, and whether it leads a process group of its own (then the whole group
        /// is signalled; a child in bootstrap's own group is signalled alone).
        var children: [Int32: Bool] = [:]
        var stopped = false
    }
    private static let state = Mutex(State())

    /// Starts a child through `spawn` (which returns its pid, or -1) unless starting was stopped;
    /// the check, the start and the registration are one step, so no child escapes a ``stop(signalling:)``.
    static func register(ownGroup: Bool, _ spawn: () -> Int32) throws -> Int32 {
        try state.withLock { state in
            if state.stopped { throw Processes.Stopped() }
            let pid = spawn()
            if pid > 0 { state.children[pid] = ownGroup }
            return pid
        }
    }

    static func unregister(_ pid: Int32) {
        _ = state.withLock { $0.children.removeValue(forKey: pid) }
    }

    /// No new child starts from now on; every running child (with its process group, where it has
    /// one) gets `signal`. Returns how many children were signalled.
    @discardableResult
    public static func stop(signalling signal: Int32) -> Int {
        state.withLock { state in
            state.stopped = true
            for (pid, ownGroup) in state.children { kill(ownGroup ? -pid : pid, signal) }
            return state.children.count
        }
    }

    /// How many children are running.
    public static var running: Int { state.withLock { $0.children.count } }
}
