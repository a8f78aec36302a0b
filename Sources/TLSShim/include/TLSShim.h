#ifndef BOOTSTRAP_TLS_SHIM_H
#define BOOTSTRAP_TLS_SHIM_H
#include <stddef.h>

// TLS for the emulator's server side and the certificates a rehearsal's simulated k3s serves with,
// through the system's OpenSSL 3 (libssl.so.3, libcrypto.so.3), loaded with dlopen when first
// needed, as Sources/CurlShim loads libcurl: the binary lists neither in NEEDED, so it starts as
// fast as before and runs on a node that has libcurl4 (which needs libssl3) and no dev packages.
// Only this file's C side includes OpenSSL's headers; Swift sees opaque pointers.

/// Loads libssl.so.3 and libcrypto.so.3 and resolves the functions used here; 0 on success, else -1
/// with dlerror's text in `error`. Idempotent and thread-safe.
int bs_tls_load(char *error, size_t error_size);

/// What a certificate is for.
enum bs_tls_usage { BS_TLS_CA = 0, BS_TLS_SERVER = 1, BS_TLS_CLIENT = 2 };

/// Makes an ECDSA P-256 key and a certificate for it, valid from an hour ago for `days` days.
/// `alt_names`: a subjectAltName value ("DNS:kubernetes,IP:127.0.0.1") or NULL. `issuer_cert` and
/// `issuer_key` (PEM) sign it; NULL for a self-signed CA. On success returns 0 and sets `cert_pem`
/// and `key_pem` to NUL-terminated PEM the caller frees with bs_tls_free.
int bs_tls_make_certificate(int usage, const char *common_name, const char *organization, const char *alt_names,
                            int days, const char *issuer_cert, const char *issuer_key,
                            char **cert_pem, char **key_pem, char *error, size_t error_size);
void bs_tls_free(char *text);

/// A server context (TLS 1.2 and later) serving `chain_pem` (the certificate, then its issuers)
/// with `key_pem`; NULL with the reason in `error`.
void *bs_tls_server_new(const char *chain_pem, const char *key_pem, char *error, size_t error_size);
void bs_tls_server_free(void *context);

/// The server side of a handshake on a connected socket; NULL when it fails (the socket stays open).
void *bs_tls_accept(void *context, int fd);
/// Up to `length` decrypted bytes; 0 at the end of the stream or on an error.
long bs_tls_read(void *session, void *buffer, size_t length);
/// Writes every byte; 1 on success, 0 once the peer is gone. Never raises SIGPIPE.
int bs_tls_write(void *session, const void *buffer, size_t length);
/// Sends close_notify (without waiting for the peer's) and frees the session; the socket stays open.
void bs_tls_end(void *session);

#endif
