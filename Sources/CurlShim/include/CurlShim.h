#ifndef BOOTSTRAP_CURL_SHIM_H
#define BOOTSTRAP_CURL_SHIM_H
#include <curl/curl.h>
#include <stddef.h>

// The system's libcurl is loaded when bootstrap first talks to a server (dlopen of libcurl.so.4,
// the soname of Debian's libcurl4, whose headers libcurl4-openssl-dev installs), not when the
// process starts: linked at start-up, libcurl and the 30-odd libraries it needs cost every run
// about 3 ms in the dynamic loader, `bootstrap --version` and `validate` included (README,
// Performance). Every libcurl function Swift uses is reached through a wrapper here.
//
// curl_easy_setopt and curl_easy_getinfo are also C variadics, which Swift cannot call: one typed,
// non-variadic wrapper per argument type.

/// Loads `soname` (NULL: "libcurl.so.4") and resolves the functions below; 0 on success, else -1
/// with dlerror's text in `error`. Idempotent and thread-safe. The first library loaded stays the
/// one in use: a later call naming another only reports whether that one would load.
int bs_curl_load(const char *soname, char *error, size_t error_size);

/// Maps libcurl.so.4 and the libraries it needs, and nothing more (no curl_global_init, no shared
/// state): called on a thread of its own while a command reads its playbook, so the dynamic
/// loader's work overlaps the checks on a second core; bs_curl_load then finds it mapped. The
/// process keeps it loaded; a failure is left for bs_curl_load to report.
void bs_curl_preload(void);

CURL *bs_curl_easy_init(void);
void bs_curl_easy_cleanup(CURL *handle);
void bs_curl_easy_reset(CURL *handle);
CURLcode bs_curl_easy_perform(CURL *handle);
const char *bs_curl_easy_strerror(CURLcode code);
struct curl_slist *bs_curl_slist_append(struct curl_slist *list, const char *line);
void bs_curl_slist_free_all(struct curl_slist *list);

typedef size_t (*bs_data_callback)(char *data, size_t size, size_t count, void *user);

CURLcode bs_easy_setopt_long(CURL *handle, CURLoption option, long value);
/// Strings, opaque pointers and curl_slist lists.
CURLcode bs_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value);
CURLcode bs_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
/// Write and header callbacks.
CURLcode bs_easy_setopt_callback(CURL *handle, CURLoption option, bs_data_callback value);
/// In-memory PEM (CAINFO_BLOB, SSLCERT_BLOB, SSLKEY_BLOB); libcurl copies the bytes.
CURLcode bs_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);

CURLcode bs_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode bs_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode bs_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);

#endif
