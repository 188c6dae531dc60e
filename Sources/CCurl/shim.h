#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

// libcurl (Debian libcurl4-openssl-dev), wrapped once: curl_easy_setopt and
// curl_easy_getinfo are variadic, which Swift cannot call, so each argument type gets a
// typed inline function here. Only the HTTPClient target's HTTPTransfer uses these.

#include <curl/curl.h>

typedef size_t (*CCurl_data_callback)(char *data, size_t size, size_t count, void *context);

/// CURLOPT_XFERINFOFUNCTION's type: non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
typedef int (*CCurl_progress_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                       curl_off_t upload_total, curl_off_t upload_now);

static inline CURLcode CCurl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setopt_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setopt_callback(CURL *handle, CURLoption option, CCurl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setopt_progress(CURL *handle, CCurl_progress_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

/// A `struct curl_blob` option (CURLOPT_CAINFO_BLOB, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB):
/// libcurl copies the bytes, so they need not outlive the call.
static inline CURLcode CCurl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob = {(void *)data, length, CURL_BLOB_COPY};
    return curl_easy_setopt(handle, option, &blob);
}

static inline CURLcode CCurl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
