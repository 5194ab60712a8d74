// Text for search: the word tokens that BM25 ranking and the local embedder share, and the
// normalised form of a question that knowledge-gap detection compares.
//
// A word is a run of ASCII letters and digits or of non-ASCII bytes (UTF-8 letters are kept
// whole, not split); ASCII is lower-cased; a light English suffix stemmer folds plurals and -ing
// and -ed forms ("returns", "returning", "returned" → "return"). Stopwords carry almost no
// meaning in a question and are dropped. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace voxbase {

// Every word, lower-cased and unstemmed, stopwords included.
std::vector<std::string> Words(std::string_view text);

bool IsStopword(std::string_view lower_case_word);

// The stem of a lower-case word.
std::string Stem(std::string_view lower_case_word);

// The stems of the words that are not stopwords, in order.
std::vector<std::string> SearchTokens(std::string_view text);

// The words joined by single spaces: "How do I  return it?" → "how do i return it".
std::string NormalizedQuestion(std::string_view text);

}  // namespace voxbase
