#include "CurlShim.h"
#include <dlfcn.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>

// The resolved functions; written once under `load_lock`, read only after bs_curl_load returned 0
// (the Swift side loads before it makes a handle, and a handle is what every other call needs).
struct functions {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
};
static struct functions curl;
static int loaded = 0;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

#define RESOLVE(field, name)                                                        \
    do {                                                                            \
        *(void **)(&found.field) = dlsym(library, name);                             \
        if (found.field == NULL) {                                                   \
            snprintf(error, error_size, "%s has no %s: %s", soname, name, dlerror()); \
            goto fail;                                                              \
        }                                                                           \
    } while (0)

int bs_curl_load(const char *soname, char *error, size_t error_size) {
    int named = soname != NULL;
    if (!named) soname = "libcurl.so.4";
    pthread_mutex_lock(&load_lock);
    // A named library is looked at even when one is loaded (tests name a missing one); it never
    // replaces the functions in use.
    if (loaded && !named) {
        pthread_mutex_unlock(&load_lock);
        return 0;
    }
    // RTLD_LOCAL: libcurl's symbols (and OpenSSL's) stay out of the global namespace.
    void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    struct functions found;
    if (library == NULL) {
        snprintf(error, error_size, "%s", dlerror());
        pthread_mutex_unlock(&load_lock);
        return -1;
    }
    RESOLVE(global_init, "curl_global_init");
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_reset, "curl_easy_reset");
    RESOLVE(easy_perform, "curl_easy_perform");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    if (loaded) {
        pthread_mutex_unlock(&load_lock);
        return 0;
    }
    // OpenSSL frees its state in an atexit handler, while another thread may still be inside a TLS
    // request (a lease renewal, a client in the background): a process seen crashing as it exited
    // ("corrupted size vs. prev_size", SIGSEGV in libcrypto). The process ends anyway, so no
    // cleanup at exit: OPENSSL_INIT_NO_ATEXIT (OpenSSL 3, OPENSSL_init_crypto(3)), which counts
    // only before OpenSSL's first initialisation, the one curl_global_init makes below.
    void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (crypto != NULL) {
        int (*init_crypto)(uint64_t, const void *);
        *(void **)(&init_crypto) = dlsym(crypto, "OPENSSL_init_crypto");
        if (init_crypto != NULL) (void)init_crypto(0x00080000L /* OPENSSL_INIT_NO_ATEXIT */, NULL);
        dlclose(crypto);
    }
    // curl_global_init is not thread-safe: it runs here, once, under the lock, before any handle.
    if (found.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error, error_size, "curl_global_init failed");
        goto fail;
    }
    curl = found;
    loaded = 1;
    pthread_mutex_unlock(&load_lock);
    return 0;
fail:
    // The library stays mapped (its constructors ran); the functions in use are unchanged.
    pthread_mutex_unlock(&load_lock);
    return -1;
}

void bs_curl_preload(void) { (void)dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL); }

CURL *bs_curl_easy_init(void) { return curl.easy_init(); }
void bs_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
void bs_curl_easy_reset(CURL *handle) { curl.easy_reset(handle); }
CURLcode bs_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *bs_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
struct curl_slist *bs_curl_slist_append(struct curl_slist *list, const char *line) { return curl.slist_append(list, line); }
void bs_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLcode bs_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bs_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bs_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bs_easy_setopt_callback(CURL *handle, CURLoption option, bs_data_callback value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode bs_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl.easy_setopt(handle, option, &blob);
}

CURLcode bs_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLcode bs_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl.easy_getinfo(handle, info, value);
}

CURLcode bs_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl.easy_getinfo(handle, info, value);
}
