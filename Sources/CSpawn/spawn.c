#define _GNU_SOURCE
#include "CSpawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

pid_t bs_spawn(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
               int own_group) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -1;
    pid_t parent = getpid();
    // Everything blocked across fork, so no handler of the parent's runs in the child.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        int failure = 0;
        if (own_group && setpgid(0, 0) != 0) failure = errno;
        if (!failure && prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) failure = errno;
        // The parent may have died before the line above: then nobody would send the signal.
        if (!failure && getppid() != parent) _exit(127);
        if (!failure && (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)) failure = errno;
        if (!failure) {
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_handler = SIG_DFL;
            for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &action, NULL);
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            // ETXTBSY: another thread of bootstrap forked while holding the file open for writing
            // (the one that just wrote it); that child closes it at its own exec, moments later.
            for (int attempt = 0; attempt < 100; attempt++) {
                execve(path, argv, envp);
                failure = errno;
                if (failure != ETXTBSY) break;
                struct timespec pause = {0, 10 * 1000 * 1000};
                nanosleep(&pause, NULL);
            }
        }
        ssize_t ignored = write(report[1], &failure, sizeof failure);
        (void)ignored;
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        errno = saved;
        return -1;
    }
    // Also set from this side, so the group exists before the caller can signal it.
    if (own_group) setpgid(pid, pid);
    int failure = 0;
    ssize_t n;
    do { n = read(report[0], &failure, sizeof failure); } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == sizeof failure) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        errno = failure;
        return -1;
    }
    return pid;
}

int bs_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

void bs_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = '\0';
    pthread_setname_np(pthread_self(), truncated);
}
