#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

// The C calls whose names Platform's own methods shadow (Files.read, Files.rename), reachable
// here under other names without naming the C library module.
func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
func posixRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }
func posixAccept(_ fd: Int32) -> Int32 { accept(fd, nil, nil) }
func posixClose(_ fd: Int32) { _ = close(fd) }
func posixShutdown(_ fd: Int32) { _ = shutdown(fd, Int32(SHUT_RDWR)) }
func posixSend(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int { send(fd, buffer, count, flags) }
