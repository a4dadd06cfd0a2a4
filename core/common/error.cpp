// SPDX-License-Identifier: MIT
#include "core/common/error.h"

namespace cq {

const char* errorCodeName(ErrorCode code) {
    switch (code) {
#define CQ_ERROR(name, num, layer, text) \
    case ErrorCode::name: return #name;
#include "core/common/error_codes.def"
#undef CQ_ERROR
    }
    return "Internal";
}

}  // namespace cq
