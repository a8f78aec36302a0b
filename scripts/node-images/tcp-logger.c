/* tcp-logger [PORT]: accepts TCP connections on PORT (default: $TCP_PORT, else 7000), logs each client's address and port to
 * stderr (the container's log) and answers "you are ADDRESS", so a test sees the address the pod
 * saw. busybox-static has no tcpsvd, and its nc does not tell the peer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* PID 1 of a container ignores SIGTERM without a handler: the pod would wait out its grace. */
static void stop(int signal) { (void)signal; _exit(0); }

int main(int argc, char **argv) {
    const char *configured = argc > 1 ? argv[1] : getenv("TCP_PORT");
    int port = configured ? atoi(configured) : 7000;
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    int server = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (server < 0 || bind(server, (struct sockaddr *)&address, sizeof address) != 0 || listen(server, 16) != 0) {
        perror("tcp-logger");
        return 1;
    }
    fprintf(stderr, "tcp-logger: listening on %d\n", port);
    for (;;) {
        struct sockaddr_in peer;
        socklen_t length = sizeof peer;
        int client = accept(server, (struct sockaddr *)&peer, &length);
        if (client < 0) continue;
        char text[INET_ADDRSTRLEN] = "?", answer[64];
        inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
        fprintf(stderr, "tcp-logger: connection from %s:%d\n", text, ntohs(peer.sin_port));
        int n = snprintf(answer, sizeof answer, "you are %s\n", text);
        if (write(client, answer, (size_t)n) < 0) perror("tcp-logger: write");
        close(client);
    }
}
