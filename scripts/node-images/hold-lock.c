/* hold-lock FILE COMMAND...: takes an exclusive flock(2) on FILE and runs COMMAND holding it (the
 * descriptor stays open across exec, so the lock lasts as long as COMMAND and its children).
 * hold-lock --test FILE: exits 0 when the lock is free, 75 when another process holds it.
 * busybox-static has no flock applet; this is the database stand-in's lock, as MariaDB's InnoDB
 * locks its ibdata1. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int test = argc > 1 && strcmp(argv[1], "--test") == 0;
    if (argc < 3) {
        fprintf(stderr, "usage: hold-lock FILE COMMAND... | hold-lock --test FILE\n");
        return 64;
    }
    const char *file = argv[test ? 2 : 1];
    int fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) {
        perror(file);
        return 73;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) return 75;
    if (test) return 0;
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    return 127;
}
