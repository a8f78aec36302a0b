#ifndef BOOTSTRAP_CSPAWN_H
#define BOOTSTRAP_CSPAWN_H
#include <sys/types.h>

// Starting a child process with the settings posix_spawn cannot give: between fork and exec the
// child leaves bootstrap's process group for one of its own (so a terminal's Ctrl-C reaches only
// bootstrap, which forwards it), asks the kernel to SIGKILL it when bootstrap dies
// (PR_SET_PDEATHSIG, so not even a SIGKILLed bootstrap leaves it running), and restores the
// default signal dispositions and mask. Only async-signal-safe calls run in the child; Swift cannot
// promise that, hence C. Platform (Processes.spawn) is the only caller.

/// Starts `path` with `argv` and `envp` (NULL-terminated), its stdin, stdout and stderr on the given
/// descriptors. Returns the child's pid (with `own_group`, also its process group id), or -1 with
/// errno set (the child's exec error is passed back through a close-on-exec pipe).
/// Without `own_group` the child stays in bootstrap's process group: a program that must read the
/// terminal (an interactive login) can only do so from the terminal's foreground group.
pid_t bs_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
               int own_group);

/// pipe2(fds, O_CLOEXEC), which Swift's Glibc module does not declare.
int bs_pipe_cloexec(int fds[2]);

/// pthread_setname_np for the calling thread (its first 15 bytes), which Swift's Glibc module does
/// not declare either: ps, top and perf show bootstrap's threads by these names.
void bs_set_thread_name(const char *name);

#endif
