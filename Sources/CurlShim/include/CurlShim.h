#ifndef BOOTSTRAP_CURL_SHIM_H
#define BOOTSTRAP_CURL_SHIM_H
#include <curl/curl.h>
#endif
