#ifndef CRE2_H
#define CRE2_H

// A C interface to RE2 (Debian's libre2-dev), the linear-time regular-expression engine
// whose syntax Prometheus's Go regexp package follows. Only what PromQL and templates need.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled pattern. Immutable after compilation; matching is safe from any thread.
typedef struct CRE2_Regex CRE2_Regex;

/// Compiles `pattern` (UTF-8, `length` bytes) with Go-compatible options: Perl syntax,
/// UTF-8, `.` not matching newline, a bounded program size. On failure returns NULL and
/// sets `*error` to a message the caller releases with `CRE2_free_error`.
CRE2_Regex *CRE2_compile(const char *pattern, size_t length, char **error);

void CRE2_free(CRE2_Regex *regex);
void CRE2_free_error(char *error);

/// Number of capturing groups (not counting the whole match).
int CRE2_group_count(const CRE2_Regex *regex);

/// The name of capturing group `index` (1-based), or NULL when it has none.
const char *CRE2_group_name(const CRE2_Regex *regex, int index);

/// Whether the pattern matches in `text` at or after byte `start` (`^` still means the
/// start of `text`). With `spans` (room for 2 × `count` offsets), fills the byte offsets
/// of the first `count` groups (0 is the whole match; -1, -1 for a group that did not take part).
int CRE2_match(const CRE2_Regex *regex, const char *text, size_t length, size_t start, int64_t *spans, int count);

/// Whether the pattern matches all of `text` (both ends anchored), without captures.
int CRE2_full_match(const CRE2_Regex *regex, const char *text, size_t length);

#ifdef __cplusplus
}
#endif

#endif
