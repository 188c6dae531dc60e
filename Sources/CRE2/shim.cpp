// The one place that touches RE2's C++ API.
#include "CRE2.h"

#include <re2/re2.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

struct CRE2_Regex {
    re2::RE2 re;
    std::vector<std::string> names;  // by group index; "" when unnamed
    std::vector<bool> named;

    CRE2_Regex(const re2::StringPiece &pattern, const re2::RE2::Options &options) : re(pattern, options) {}
};

static char *copy_message(const std::string &message) {
    char *out = static_cast<char *>(std::malloc(message.size() + 1));
    if (out != nullptr) std::memcpy(out, message.c_str(), message.size() + 1);
    return out;
}

extern "C" CRE2_Regex *CRE2_compile(const char *pattern, size_t length, char **error) {
    re2::RE2::Options options;
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    options.set_log_errors(false);
    options.set_dot_nl(false);
    options.set_posix_syntax(false);
    options.set_longest_match(false);
    // Bounds the compiled program, so that no pattern from outside grows memory without limit.
    options.set_max_mem(8 << 20);
    CRE2_Regex *regex = new (std::nothrow) CRE2_Regex(re2::StringPiece(pattern, length), options);
    if (regex == nullptr) {
        if (error != nullptr) *error = copy_message("out of memory");
        return nullptr;
    }
    if (!regex->re.ok()) {
        if (error != nullptr) *error = copy_message(regex->re.error());
        delete regex;
        return nullptr;
    }
    int groups = regex->re.NumberOfCapturingGroups();
    regex->names.assign(static_cast<size_t>(groups) + 1, std::string());
    regex->named.assign(static_cast<size_t>(groups) + 1, false);
    for (const auto &entry : regex->re.NamedCapturingGroups()) {
        if (entry.second >= 0 && entry.second <= groups) {
            regex->names[static_cast<size_t>(entry.second)] = entry.first;
            regex->named[static_cast<size_t>(entry.second)] = true;
        }
    }
    return regex;
}

extern "C" void CRE2_free(CRE2_Regex *regex) { delete regex; }

extern "C" void CRE2_free_error(char *error) { std::free(error); }

extern "C" int CRE2_group_count(const CRE2_Regex *regex) { return regex->re.NumberOfCapturingGroups(); }

extern "C" const char *CRE2_group_name(const CRE2_Regex *regex, int index) {
    if (index < 0 || static_cast<size_t>(index) >= regex->names.size() || !regex->named[static_cast<size_t>(index)]) return nullptr;
    return regex->names[static_cast<size_t>(index)].c_str();
}

extern "C" int CRE2_match(const CRE2_Regex *regex, const char *text, size_t length, size_t start, int64_t *spans, int count) {
    re2::StringPiece input(text, length);
    if (start > length) return 0;
    if (count <= 0 || spans == nullptr) {
        return regex->re.Match(input, start, length, re2::RE2::UNANCHORED, nullptr, 0) ? 1 : 0;
    }
    std::vector<re2::StringPiece> groups(static_cast<size_t>(count));
    if (!regex->re.Match(input, start, length, re2::RE2::UNANCHORED, groups.data(), count)) return 0;
    for (int i = 0; i < count; i++) {
        const re2::StringPiece &g = groups[static_cast<size_t>(i)];
        if (g.data() == nullptr) {
            spans[2 * i] = -1;
            spans[2 * i + 1] = -1;
        } else {
            spans[2 * i] = static_cast<int64_t>(g.data() - text);
            spans[2 * i + 1] = static_cast<int64_t>(g.data() - text + g.size());
        }
    }
    return 1;
}

extern "C" int CRE2_full_match(const CRE2_Regex *regex, const char *text, size_t length) {
    re2::StringPiece input(text, length);
    return regex->re.Match(input, 0, length, re2::RE2::ANCHOR_BOTH, nullptr, 0) ? 1 : 0;
}
