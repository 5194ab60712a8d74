// The per-app guardrail rule-set version: bumped by every fold that changes what a check
// matches (rules, the persona's blocked terms), read by the API to know when to recompile.
#pragma once

#include "processors/fold.h"

namespace voxbase {

Status BumpGuardrailVersion(const FoldContext& c);

}  // namespace voxbase
