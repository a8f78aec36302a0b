#ifndef BOOTSTRAP_CURL_SHIM_H
#define BOOTSTRAP_CURL_SHIM_H
#include <curl/curl.h>
#include <stddef.h>

// curl_easy_setopt and curl_easy_getinfo are C variadics, which Swift cannot call. These typed,
// non-variadic wrappers are the only place that does; one per argument type.

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
