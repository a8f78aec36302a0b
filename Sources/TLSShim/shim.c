#include "TLSShim.h"
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// Every OpenSSL function used, resolved once by bs_tls_load. The headers give each its type; the
// binary references none of them, so nothing of OpenSSL is linked.
#define FUNCTIONS(X)                                                                                  \
    X(crypto, OPENSSL_init_crypto) X(crypto, ERR_get_error) X(crypto, ERR_error_string_n)             \
    X(crypto, ERR_clear_error) X(crypto, EVP_PKEY_Q_keygen) X(crypto, EVP_PKEY_free)                  \
    X(crypto, EVP_sha256) X(crypto, RAND_bytes) X(crypto, X509_new) X(crypto, X509_free)              \
    X(crypto, X509_set_version) X(crypto, X509_get_serialNumber) X(crypto, ASN1_INTEGER_set_uint64)   \
    X(crypto, X509_getm_notBefore) X(crypto, X509_getm_notAfter) X(crypto, X509_gmtime_adj)           \
    X(crypto, X509_get_subject_name) X(crypto, X509_NAME_add_entry_by_txt)                            \
    X(crypto, X509_set_issuer_name) X(crypto, X509_set_pubkey) X(crypto, X509_sign)                   \
    X(crypto, X509V3_set_ctx) X(crypto, X509V3_EXT_conf_nid) X(crypto, X509_add_ext)                  \
    X(crypto, X509_EXTENSION_free) X(crypto, BIO_new) X(crypto, BIO_s_mem) X(crypto, BIO_new_mem_buf) \
    X(crypto, BIO_free) X(crypto, BIO_ctrl) X(crypto, PEM_write_bio_X509)                             \
    X(crypto, PEM_write_bio_PrivateKey) X(crypto, PEM_read_bio_X509) X(crypto, PEM_read_bio_PrivateKey) \
    X(crypto, BIO_get_new_index) X(crypto, BIO_meth_new) X(crypto, BIO_meth_set_write)                \
    X(crypto, BIO_meth_set_read) X(crypto, BIO_meth_set_ctrl) X(crypto, BIO_set_data)                 \
    X(crypto, BIO_get_data) X(crypto, BIO_set_init) X(crypto, BIO_clear_flags)                        \
    X(ssl, TLS_server_method) X(ssl, SSL_CTX_new) X(ssl, SSL_CTX_free) X(ssl, SSL_CTX_ctrl)           \
    X(ssl, SSL_CTX_use_certificate) X(ssl, SSL_CTX_use_PrivateKey) X(ssl, SSL_CTX_check_private_key)  \
    X(ssl, SSL_new) X(ssl, SSL_free) X(ssl, SSL_set_bio) X(ssl, SSL_accept) X(ssl, SSL_read)          \
    X(ssl, SSL_write) X(ssl, SSL_shutdown)

#define FIELD(library, name) __typeof__(name) *name;
static struct { FUNCTIONS(FIELD) } f;
static BIO_METHOD *socket_method;
static int loaded = 0;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

// A socket BIO that sends with MSG_NOSIGNAL: OpenSSL's own writes with write(2), and a peer gone
// mid-response would raise SIGPIPE, which ends the whole process.
static int socket_write(BIO *bio, const char *data, int length) {
    int fd = (int)(intptr_t)f.BIO_get_data(bio);
    f.BIO_clear_flags(bio, BIO_FLAGS_RWS | BIO_FLAGS_SHOULD_RETRY);
    ssize_t n;
    do { n = send(fd, data, (size_t)length, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : (int)n;
}

static int socket_read(BIO *bio, char *data, int length) {
    int fd = (int)(intptr_t)f.BIO_get_data(bio);
    f.BIO_clear_flags(bio, BIO_FLAGS_RWS | BIO_FLAGS_SHOULD_RETRY);
    ssize_t n;
    do { n = recv(fd, data, (size_t)length, 0); } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : (int)n;
}

static long socket_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)bio; (void)number; (void)pointer;
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bs_tls_load(char *error, size_t error_size) {
    pthread_mutex_lock(&load_lock);
    if (loaded) {
        pthread_mutex_unlock(&load_lock);
        return 0;
    }
    void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    void *ssl = crypto ? dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL) : NULL;
    if (ssl == NULL) {
        snprintf(error, error_size, "%s", dlerror());
        pthread_mutex_unlock(&load_lock);
        return -1;
    }
#define RESOLVE(library, name)                                                          \
    *(void **)(&f.name) = dlsym(library, #name);                                        \
    if (f.name == NULL) {                                                               \
        snprintf(error, error_size, "OpenSSL 3 has no %s: %s", #name, dlerror());       \
        pthread_mutex_unlock(&load_lock);                                               \
        return -1;                                                                      \
    }
    FUNCTIONS(RESOLVE)
    // No cleanup at exit, as CurlShim asks for the same library (shim.c there says why: a TLS
    // connection still served on another thread while the process exits). Counts only when it
    // is OpenSSL's first initialisation, whichever of the two shims comes first.
    (void)f.OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
    socket_method = f.BIO_meth_new(f.BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bootstrap socket");
    if (socket_method == NULL) {
        snprintf(error, error_size, "BIO_meth_new failed");
        pthread_mutex_unlock(&load_lock);
        return -1;
    }
    f.BIO_meth_set_write(socket_method, socket_write);
    f.BIO_meth_set_read(socket_method, socket_read);
    f.BIO_meth_set_ctrl(socket_method, socket_ctrl);
    loaded = 1;
    pthread_mutex_unlock(&load_lock);
    return 0;
}

/// OpenSSL's reason for the last failure on this thread (or `what` when it has none).
static void failure(const char *what, char *error, size_t error_size) {
    unsigned long code = f.ERR_get_error();
    char reason[256] = "";
    if (code != 0) f.ERR_error_string_n(code, reason, sizeof reason);
    snprintf(error, error_size, "%s%s%s", what, code ? ": " : "", reason);
    f.ERR_clear_error();
}

static char *pem_text(BIO *bio) {
    char *data = NULL;
    long length = f.BIO_ctrl(bio, BIO_CTRL_INFO, 0, (char *)&data);
    char *text = malloc((size_t)length + 1);
    if (text == NULL) return NULL;
    memcpy(text, data, (size_t)length);
    text[length] = 0;
    return text;
}

static int add_extension(X509 *cert, X509V3_CTX *context, int nid, const char *value) {
    X509_EXTENSION *extension = f.X509V3_EXT_conf_nid(NULL, context, nid, value);
    if (extension == NULL) return 0;
    int added = f.X509_add_ext(cert, extension, -1);
    f.X509_EXTENSION_free(extension);
    return added;
}

int bs_tls_make_certificate(int usage, const char *common_name, const char *organization, const char *alt_names,
                            int days, const char *issuer_cert, const char *issuer_key,
                            char **cert_pem, char **key_pem, char *error, size_t error_size) {
    int status = -1;
    EVP_PKEY *key = NULL, *signer_key = NULL;
    X509 *cert = NULL, *signer = NULL;
    BIO *cert_out = NULL, *key_out = NULL;
    *cert_pem = NULL;
    *key_pem = NULL;
    // ECDSA P-256: small and quick to make, and every TLS client here (libcurl, Go's kubectl) takes it.
    key = f.EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    cert = f.X509_new();
    if (key == NULL || cert == NULL) { failure("cannot make a key", error, error_size); goto done; }
    if (issuer_cert != NULL) {
        BIO *in = f.BIO_new_mem_buf(issuer_cert, -1);
        signer = in ? f.PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
        if (in) f.BIO_free(in);
        in = f.BIO_new_mem_buf(issuer_key, -1);
        signer_key = in ? f.PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) : NULL;
        if (in) f.BIO_free(in);
        if (signer == NULL || signer_key == NULL) { failure("cannot read the issuing CA", error, error_size); goto done; }
    }
    uint64_t serial = 0;
    f.RAND_bytes((unsigned char *)&serial, sizeof serial);
    X509_NAME *subject = f.X509_get_subject_name(cert);
    int named = f.X509_set_version(cert, 2)
        && f.ASN1_INTEGER_set_uint64(f.X509_get_serialNumber(cert), serial >> 1)
        && f.X509_gmtime_adj(f.X509_getm_notBefore(cert), -3600)
        && f.X509_gmtime_adj(f.X509_getm_notAfter(cert), (long)days * 86400)
        && (organization == NULL
            || f.X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, (const unsigned char *)organization, -1, -1, 0))
        && f.X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0)
        && f.X509_set_issuer_name(cert, signer ? f.X509_get_subject_name(signer) : subject)
        && f.X509_set_pubkey(cert, key);
    if (!named) { failure("cannot fill in the certificate", error, error_size); goto done; }
    X509V3_CTX context;
    f.X509V3_set_ctx(&context, signer ? signer : cert, cert, NULL, NULL, 0);
    context.db = NULL;
    int extended = usage == BS_TLS_CA
        ? add_extension(cert, &context, NID_basic_constraints, "critical,CA:TRUE")
            && add_extension(cert, &context, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign")
            && add_extension(cert, &context, NID_subject_key_identifier, "hash")
        : add_extension(cert, &context, NID_basic_constraints, "critical,CA:FALSE")
            && add_extension(cert, &context, NID_key_usage, "critical,digitalSignature,keyEncipherment")
            && add_extension(cert, &context, NID_ext_key_usage, usage == BS_TLS_SERVER ? "serverAuth" : "clientAuth")
            && add_extension(cert, &context, NID_authority_key_identifier, "keyid:always")
            && (alt_names == NULL || add_extension(cert, &context, NID_subject_alt_name, alt_names));
    if (!extended) { failure("cannot add the certificate's extensions", error, error_size); goto done; }
    if (f.X509_sign(cert, signer_key ? signer_key : key, f.EVP_sha256()) <= 0) {
        failure("cannot sign the certificate", error, error_size);
        goto done;
    }
    cert_out = f.BIO_new(f.BIO_s_mem());
    key_out = f.BIO_new(f.BIO_s_mem());
    if (cert_out == NULL || key_out == NULL || !f.PEM_write_bio_X509(cert_out, cert)
        || !f.PEM_write_bio_PrivateKey(key_out, key, NULL, NULL, 0, NULL, NULL)) {
        failure("cannot write the certificate", error, error_size);
        goto done;
    }
    *cert_pem = pem_text(cert_out);
    *key_pem = pem_text(key_out);
    if (*cert_pem == NULL || *key_pem == NULL) {
        free(*cert_pem);
        free(*key_pem);
        *cert_pem = *key_pem = NULL;
        snprintf(error, error_size, "out of memory");
        goto done;
    }
    status = 0;
done:
    if (cert_out) f.BIO_free(cert_out);
    if (key_out) f.BIO_free(key_out);
    if (cert) f.X509_free(cert);
    if (signer) f.X509_free(signer);
    if (key) f.EVP_PKEY_free(key);
    if (signer_key) f.EVP_PKEY_free(signer_key);
    return status;
}

void bs_tls_free(char *text) { free(text); }

void *bs_tls_server_new(const char *chain_pem, const char *key_pem, char *error, size_t error_size) {
    SSL_CTX *context = f.SSL_CTX_new(f.TLS_server_method());
    if (context == NULL) { failure("SSL_CTX_new", error, error_size); return NULL; }
    // kube-apiserver's minimum is TLS 1.2 (k8s.io/component-base/cli/flag, tls-min-version's default).
    f.SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    BIO *in = f.BIO_new_mem_buf(chain_pem, -1);
    X509 *cert = in ? f.PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;
    int ok = cert != NULL && f.SSL_CTX_use_certificate(context, cert) == 1;
    if (cert) f.X509_free(cert);
    // The rest of the chain: the issuers a client needs between the certificate and its CA.
    X509 *issuer;
    while (ok && (issuer = f.PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
        if (f.SSL_CTX_ctrl(context, SSL_CTRL_EXTRA_CHAIN_CERT, 0, issuer) != 1) { f.X509_free(issuer); ok = 0; }
    }
    if (in) f.BIO_free(in);
    f.ERR_clear_error();  // the end of the chain reads as a PEM error
    if (ok) {
        in = f.BIO_new_mem_buf(key_pem, -1);
        EVP_PKEY *key = in ? f.PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) : NULL;
        if (in) f.BIO_free(in);
        ok = key != NULL && f.SSL_CTX_use_PrivateKey(context, key) == 1 && f.SSL_CTX_check_private_key(context) == 1;
        if (key) f.EVP_PKEY_free(key);
    }
    if (!ok) {
        failure("cannot use the certificate and key", error, error_size);
        f.SSL_CTX_free(context);
        return NULL;
    }
    return context;
}

void bs_tls_server_free(void *context) { f.SSL_CTX_free(context); }

void *bs_tls_accept(void *context, int fd) {
    SSL *ssl = f.SSL_new(context);
    BIO *bio = ssl ? f.BIO_new(socket_method) : NULL;
    if (bio == NULL) {
        if (ssl) f.SSL_free(ssl);
        f.ERR_clear_error();
        return NULL;
    }
    f.BIO_set_data(bio, (void *)(intptr_t)fd);
    f.BIO_set_init(bio, 1);
    f.SSL_set_bio(ssl, bio, bio);
    if (f.SSL_accept(ssl) != 1) {
        f.SSL_free(ssl);
        f.ERR_clear_error();
        return NULL;
    }
    return ssl;
}

long bs_tls_read(void *session, void *buffer, size_t length) {
    int n = f.SSL_read(session, buffer, length > INT_MAX ? INT_MAX : (int)length);
    if (n <= 0) {
        f.ERR_clear_error();
        return 0;
    }
    return n;
}

int bs_tls_write(void *session, const void *buffer, size_t length) {
    const char *bytes = buffer;
    while (length > 0) {
        int n = f.SSL_write(session, bytes, length > INT_MAX ? INT_MAX : (int)length);
        if (n <= 0) {
            f.ERR_clear_error();
            return 0;
        }
        bytes += n;
        length -= (size_t)n;
    }
    return 1;
}

void bs_tls_end(void *session) {
    (void)f.SSL_shutdown(session);
    f.SSL_free(session);
    f.ERR_clear_error();
}
