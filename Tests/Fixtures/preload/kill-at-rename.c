// A test's LD_PRELOAD shim for bootstrap's crash trials: rename(2) is where an atomic write
// commits (its temporary file complete beside the file) and where a migration moves an entry into
// place. With KILL_AT_RENAME=N the process SIGKILLs itself at its N-th rename, before the rename
// happens; with RENAME_LOG=FILE each rename's destination is appended to FILE. With
// RENAME_UNDER=DIR/ only renames into DIR count (a rehearsal's host, not its own state files,
// whose number depends on timing).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_long renames;

int rename(const char *old, const char *new) {
    static int (*real)(const char *, const char *);
    if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    const char *under = getenv("RENAME_UNDER");
    if (under && strncmp(new, under, strlen(under)) != 0) return real(old, new);
    long n = atomic_fetch_add(&renames, 1) + 1;
    const char *at = getenv("KILL_AT_RENAME");
    if (at && n == atol(at)) kill(getpid(), SIGKILL);
    const char *log = getenv("RENAME_LOG");
    if (log) {
        int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            write(fd, new, strlen(new));
            write(fd, "\n", 1);
            close(fd);
        }
    }
    return real(old, new);
}
