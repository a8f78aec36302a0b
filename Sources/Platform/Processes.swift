import CSpawn
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Child processes: started in a process group of their own and killed by the kernel when bootstrap
/// dies, tracked while they run so an interruption can reach every one of them.
public enum Processes {
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
    public static func run(_ executable: String, arguments: [String], environment: [String: String],
                           input: [UInt8]) throws -> Result {
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard bs_pipe_cloexec(&stdinPipe) == 0 else { throw SystemError.last("pipe", executable) }
        guard bs_pipe_cloexec(&stdoutPipe) == 0 else {
            stdinPipe.forEach { posixClose($0) }
            throw SystemError.last("pipe", executable)
        }
        guard bs_pipe_cloexec(&stderrPipe) == 0 else {
            (stdinPipe + stdoutPipe).forEach { posixClose($0) }
            throw SystemError.last("pipe", executable)
        }
        let argv = [executable] + arguments
        let envp = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        let started: Int32
        do {
            started = try Children.register {
                withCStrings(argv) { argvPointers in
                    withCStrings(envp) { envPointers in
                        bs_spawn(executable, argvPointers, envPointers, stdinPipe[0], stdoutPipe[1], stderrPipe[1])
                    }
                }
            }
        } catch {
            (stdinPipe + stdoutPipe + stderrPipe).forEach { posixClose($0) }
            throw error
        }
        posixClose(stdinPipe[0]); posixClose(stdoutPipe[1]); posixClose(stderrPipe[1])
        guard started > 0 else {
            let failure = SystemError.last("exec", executable)
            posixClose(stdinPipe[1]); posixClose(stdoutPipe[0]); posixClose(stderrPipe[0])
            throw failure
        }
        var inputOpen = true
        let (output, error) = PipeExchange.run(input: input, inputFD: stdinPipe[1],
                                               closeInput: { if inputOpen { inputOpen = false; posixClose(stdinPipe[1]) } },
                                               outputFD: stdoutPipe[0], errorFD: stderrPipe[0])
        if inputOpen { posixClose(stdinPipe[1]) }
        posixClose(stdoutPipe[0]); posixClose(stderrPipe[0])
        var status: Int32 = 0
        while waitpid(started, &status, 0) < 0 && errno == EINTR {}
        Children.unregister(started)
        let signalled = status & 0x7f
        let exit = signalled == 0 ? Exit(code: (status >> 8) & 0xff, signal: nil) : Exit(code: nil, signal: signalled)
        return Result(exit: exit, output: output, error: error)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return (copies + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// The child processes running now, by process group; an interruption stops new ones and signals these.
public enum Children {
    struct State {
        var groups: Set<Int32> = []
        var stopped = false
    }
    private static let state = Mutex(State())

    /// Starts a child through `spawn` (which returns its pid, or -1) unless starting was stopped;
    /// the check, the start and the registration are one step, so no child escapes a ``stop(signalling:)``.
    static func register(_ spawn: () -> Int32) throws -> Int32 {
        try state.withLock { state in
            if state.stopped { throw Processes.Stopped() }
            let pid = spawn()
            if pid > 0 { state.groups.insert(pid) }
            return pid
        }
    }

    static func unregister(_ pid: Int32) {
        _ = state.withLock { $0.groups.remove(pid) }
    }

    /// No new child starts from now on; every running child's process group gets `signal`.
    /// Returns how many groups were signalled.
    @discardableResult
    public static func stop(signalling signal: Int32) -> Int {
        state.withLock { state in
            state.stopped = true
            for group in state.groups { kill(-group, signal) }
            return state.groups.count
        }
    }

    /// How many children are running.
    public static var running: Int { state.withLock { $0.groups.count } }
}
